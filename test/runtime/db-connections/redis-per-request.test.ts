import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { attachDatabasePool } from '../../../runtime/db-connections';
import { resetPoolLifecycle } from '../../../runtime/db-connections/lifecycle';
import { runInvocationEndHooks, runInvocationStartHooks } from '../../../runtime/handler/invocation-hooks';
import { type RedisServer, redisServer, startRedis } from '../../setup/redis';
import { describeWithServer } from '../../setup/servers';

// attachDatabasePool with Redis clients created during an invocation — once and cached, or per
// request — and with node-redis clients older than 6.3, in this process against a real Redis server: each invocation is the
// adapter's start hooks (awaited, as the adapter does), the handler, then its end hooks. The
// server's own counters are the witness.

describeWithServer('attachDatabasePool with Redis clients attached during an invocation', redisServer, () => {
  let server: RedisServer;
  let observer: Redis;
  let warnings: jest.SpyInstance;
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  // Clients to close after each test (ioredis only when still open: disconnecting a closed one
  // leaves a timer behind).
  const opened: { disconnect(): void; readonly status?: string }[] = [];

  beforeAll(async () => {
    server = await startRedis();
    observer = server.client();
  });
  beforeEach(() => {
    // Classic Lambda, as attachDatabasePool reads it when a pool is attached.
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'vfa-per-request';
    warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => {
    resetPoolLifecycle();
    for (const client of opened.splice(0)) if (client.status !== 'end') client.disconnect();
    warnings.mockRestore();
    if (functionName === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    else process.env.AWS_LAMBDA_FUNCTION_NAME = functionName;
  });
  afterAll(async () => {
    observer?.disconnect();
    await server?.stop();
  });

  async function invocation<T>(requestId: string, handler: () => Promise<T>): Promise<T> {
    await runInvocationStartHooks(requestId);
    try {
      return await handler();
    } finally {
      await runInvocationEndHooks(requestId, 60_000);
    }
  }

  async function connectionsReceived(): Promise<number> {
    const stats = await observer.info('stats');
    return Number(/total_connections_received:(\d+)/.exec(stats)?.[1]);
  }

  function warningTexts(): string[] {
    return warnings.mock.calls.map((call) => String(call[0]));
  }

  test('keeps a lazily created ioredis client, attached once in the first invocation and cached, working in later ones', async () => {
    // The common Vercel pattern: created on the first request, cached in module scope, no guard.
    let client: Redis | undefined;
    const handler = async () => {
      if (!client) {
        client = new Redis(server.url);
        opened.push(client);
        attachDatabasePool(client);
      }
      return client.incr('lazy:ioredis');
    };
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      counts.push(await invocation(`req-lazy-${i}`, handler));
      // Closed while frozen, like a client attached at module init.
      expect(client?.status).toBe('end');
    }
    expect(counts).toEqual([1, 2, 3, 4, 5]);
    expect(warningTexts().filter((text) => text.includes('attachDatabasePool'))).toEqual([]);
  });

  test('keeps a lazily created node-redis client, connected and attached once in the first invocation and cached, working in later ones', async () => {
    const newClient = () => createClient({ url: server.url });
    let client: ReturnType<typeof newClient> | undefined;
    const handler = async () => {
      if (!client) {
        const created = newClient();
        opened.push({ disconnect: () => void created.destroy() });
        await created.connect();
        attachDatabasePool(created);
        client = created;
      }
      return client.incr('lazy:node-redis');
    };
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      counts.push(await invocation(`req-lazy-${i}`, handler));
      expect(client?.isOpen).toBe(false);
    }
    expect(counts).toEqual([1, 2, 3, 4, 5]);
    expect(warningTexts().filter((text) => text.includes('attachDatabasePool'))).toEqual([]);
  });

  test('keeps two lazily created ioredis clients, cached in module scope and first used in different invocations, working', async () => {
    // A GET creates and caches one client, a later POST a second one (a publisher, a duplicate()).
    let reader: Redis | undefined;
    let writer: Redis | undefined;
    const getReader = () => {
      if (!reader) {
        reader = new Redis(server.url);
        opened.push(reader);
        attachDatabasePool(reader);
      }
      return reader;
    };
    const getWriter = () => {
      if (!writer) {
        writer = getReader().duplicate();
        opened.push(writer);
        attachDatabasePool(writer);
      }
      return writer;
    };
    const results = [
      await invocation('req-two-0', () => getReader().incr('two:ioredis:a')),
      await invocation('req-two-1', () => getReader().incr('two:ioredis:a')),
      await invocation('req-two-2', () => getWriter().incr('two:ioredis:b')),
      await invocation('req-two-3', () => getReader().incr('two:ioredis:a')),
      await invocation('req-two-4', () => getWriter().incr('two:ioredis:b')),
      await invocation('req-two-5', async () => [
        await getReader().get('two:ioredis:a'),
        await getWriter().get('two:ioredis:b'),
      ]),
    ];
    expect(results).toEqual([1, 2, 1, 3, 2, ['3', '2']]);
    expect(warningTexts().filter((text) => text.includes('attachDatabasePool'))).toEqual([]);
  });

  test('keeps two lazily created node-redis clients, cached in module scope and first used in different invocations, working', async () => {
    const newClient = () => createClient({ url: server.url });
    let reader: ReturnType<typeof newClient> | undefined;
    let writer: ReturnType<typeof newClient> | undefined;
    const lazily = async (created: ReturnType<typeof newClient>) => {
      opened.push({ disconnect: () => void created.destroy() });
      await created.connect();
      attachDatabasePool(created);
      return created;
    };
    const getReader = async () => {
      reader ??= await lazily(newClient());
      return reader;
    };
    const getWriter = async () => {
      writer ??= await lazily((await getReader()).duplicate());
      return writer;
    };
    const results = [
      await invocation('req-two-0', async () => (await getReader()).incr('two:node-redis:a')),
      await invocation('req-two-1', async () => (await getReader()).incr('two:node-redis:a')),
      await invocation('req-two-2', async () => (await getWriter()).incr('two:node-redis:b')),
      await invocation('req-two-3', async () => (await getReader()).incr('two:node-redis:a')),
      await invocation('req-two-4', async () => (await getWriter()).incr('two:node-redis:b')),
      await invocation('req-two-5', async () => [
        await (await getReader()).get('two:node-redis:a'),
        await (await getWriter()).get('two:node-redis:b'),
      ]),
    ];
    expect(results).toEqual([1, 2, 1, 3, 2, ['3', '2']]);
    expect(warningTexts().filter((text) => text.includes('attachDatabasePool'))).toEqual([]);
  });

  test('has a cached ioredis client taken for a per-request one work again from the invocation after its next use', async () => {
    // Created on a first request, unused in the second, a second client created on the third: the
    // per-request pattern as far as can be seen, so both are left closed after it.
    const first = new Redis(server.url);
    const second = new Redis(server.url);
    opened.push(first, second);
    await invocation('req-seen-0', async () => {
      attachDatabasePool(first);
      return first.incr('seen:ioredis');
    });
    await invocation('req-seen-1', async () => 'no Redis');
    await invocation('req-seen-2', async () => {
      attachDatabasePool(second);
      return second.ping();
    });
    await expect(invocation('req-seen-3', () => first.incr('seen:ioredis'))).rejects.toThrow(
      'Connection is closed.',
    );
    const counts = [];
    for (let i = 4; i < 7; i++)
      counts.push(await invocation(`req-seen-${i}`, () => first.incr('seen:ioredis')));
    expect(counts).toEqual([2, 3, 4]);
  });

  test('opens at most 21 connections for 20 invocations that each attach a new ioredis client', async () => {
    const before = await connectionsReceived();
    for (let i = 0; i < 20; i++) {
      const count = await invocation(`req-${i}`, async () => {
        const client = new Redis(server.url);
        opened.push(client);
        attachDatabasePool(client);
        return client.incr('per-request:ioredis');
      });
      expect(count).toBe(i + 1);
    }
    // One per invocation, plus the first client reopened once at the second start, before a second
    // client showed the pattern. The observer's own INFO connection was open before: not counted.
    expect((await connectionsReceived()) - before).toBeLessThanOrEqual(21);
    for (const client of opened) expect(client.status).toBe('end');
  });

  test('opens at most 21 connections for 20 invocations that each attach a new node-redis client', async () => {
    const before = await connectionsReceived();
    const newClient = () => createClient({ url: server.url });
    const clients: ReturnType<typeof newClient>[] = [];
    for (let i = 0; i < 20; i++) {
      const count = await invocation(`req-${i}`, async () => {
        const client = newClient();
        client.on('error', () => {});
        clients.push(client);
        opened.push({ disconnect: () => void client.destroy() });
        attachDatabasePool(client);
        await client.connect();
        return client.incr('per-request:node-redis');
      });
      expect(count).toBe(i + 1);
    }
    expect((await connectionsReceived()) - before).toBeLessThanOrEqual(21);
    for (const client of clients) expect(client.isOpen).toBe(false);
  });

  test('warns once per process, naming module init, when clients turn out to be created per request', async () => {
    for (let i = 0; i < 5; i++) {
      await invocation(`req-warn-${i}`, async () => {
        const client = new Redis(server.url);
        opened.push(client);
        attachDatabasePool(client);
        return client.ping();
      });
    }
    const matching = warningTexts().filter((text) => text.includes('attached during an invocation'));
    // The second invocation's new client shows the pattern.
    expect(matching).toEqual([
      expect.stringMatching(
        /new ioredis client was attached during an invocation .*not reopened .*module init.*req-warn-1/,
      ),
    ]);
  });

  test('reopens a client attached again in a later invocation once clients are seen created per request', async () => {
    for (let i = 0; i < 2; i++) {
      await invocation(`req-pattern-${i}`, async () => {
        const client = new Redis(server.url);
        opened.push(client);
        attachDatabasePool(client);
        return client.ping();
      });
    }
    const client = new Redis(server.url);
    opened.push(client);
    const getClient = () => {
      attachDatabasePool(client);
      return client;
    };
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      counts.push(await invocation(`req-again-${i}`, () => getClient().incr('per-request:again')));
      expect(client.status).toBe('end');
      // Not attached again in this one: left closed.
      expect(await invocation(`req-without-${i}`, async () => client.status)).toBe('end');
    }
    expect(counts).toEqual([1, 2, 3]);
  });

  test('keeps reopening a client attached at module init, ready before the handler checks it', async () => {
    const client = createClient({ url: server.url });
    client.on('error', () => {});
    opened.push({ disconnect: () => void client.destroy() });
    attachDatabasePool(client);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const count = await invocation(`req-init-${i}`, async () => {
        seen.push(client.isReady ? 'ready' : client.isOpen ? 'opening' : 'closed');
        if (!client.isReady) await client.connect();
        return client.incr('module-init:node-redis');
      });
      expect(count).toBe(i + 1);
      expect(client.isOpen).toBe(false);
    }
    expect(seen).toEqual(['closed', 'ready', 'ready']);
  });

  test('warns once that node-redis before 6.3 (no client id) does not let a busy client stay open', async () => {
    for (let i = 0; i < 2; i++) {
      const client = createClient({ url: server.url });
      // node-redis before 6.3 has no `_clientId` getter.
      Object.defineProperty(client, '_clientId', { value: undefined });
      opened.push({ disconnect: () => void client.destroy() });
      attachDatabasePool(client);
    }
    const matching = warningTexts().filter((text) => text.includes('node-redis before 6.3'));
    expect(matching).toEqual([expect.stringContaining('node-redis 6.3+')]);
  });
});
