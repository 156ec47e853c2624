import * as path from 'node:path';
import type { Redis } from 'ioredis';
import { type LocalFunction, startLocalFunction } from '../../harness/local-function';
import { type RedisServer, redisServer, startRedis } from '../../setup/redis';
import { describeWithServer } from '../../setup/servers';
import { crashLines, eventually, freeze, invokeToEnd, thaw } from './helpers';

// attachDatabasePool with real ioredis and node-redis clients (and a node-redis pool) against a real
// Redis server, the function running under the real aws-lambda-ric on Node 24. The server's own
// CLIENT LIST is the witness.

const ENTRY = path.join(__dirname, 'fixtures', 'redis-function.ts');

interface ClientInfo {
  readonly id: string;
  readonly cmd: string;
  readonly flags: string;
}

describeWithServer('attachDatabasePool with Redis clients', redisServer, () => {
  let server: RedisServer;
  let observer: Redis;

  beforeAll(async () => {
    server = await startRedis();
    observer = server.client();
  });
  afterAll(async () => {
    observer?.disconnect();
    await server?.stop();
  });

  /** The function's connections as the server sees them. */
  async function connectionsOf(name: string): Promise<ClientInfo[]> {
    const list = (await observer.call('CLIENT', 'LIST')) as string;
    return list
      .split('\n')
      .filter((line) => line.includes(` name=${name} `))
      .map((line) => Object.fromEntries(line.split(' ').map((field) => field.split('=', 2))))
      .map(({ id, cmd, flags }) => ({ id, cmd, flags }));
  }

  describe.each(['ioredis', 'node-redis', 'node-redis-pool'])('a %s client on classic Lambda', (client) => {
    const name = `vfa-${client}`;
    let fn: LocalFunction;
    beforeAll(async () => {
      fn = await startLocalFunction({
        entry: ENTRY,
        env: {
          REDIS_URL: server.url,
          APP_NAME: name,
          CLIENT: client,
          VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS: '200',
        },
      });
    });
    afterAll(async () => {
      await fn?.stop();
    });

    test('leaves no connection on the server after each of 5 invocations, and reconnects for the next', async () => {
      const counts: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { status, body } = await invokeToEnd(fn, '/query');
        expect(status).toBe(200);
        counts.push(JSON.parse(body).count);
        expect(await connectionsOf(name)).toEqual([]);
      }
      expect(counts).toEqual(counts.map((_, i) => counts[0] + i));
    });

    test('does not cut a command in flight when the invocation ends, and closes its connection once it is done', async () => {
      expect((await invokeToEnd(fn, '/straggler?seconds=1')).body).toBe('started');
      const open = await connectionsOf(name);
      expect(open).toContainEqual(
        expect.objectContaining({ cmd: 'blpop', flags: expect.stringContaining('b') }),
      );
      // A node-redis pool can only be closed whole: while one client is busy, an idle one may stay.
      expect(open.length).toBe(client === 'node-redis-pool' ? open.length : 1);
      await eventually(
        () => connectionsOf(name),
        (rows) => rows.length === 0,
      );
      expect((await invokeToEnd(fn, '/straggler-result')).body).toBe('completed');
      expect(await connectionsOf(name)).toEqual([]);
    });

    test('hands the next invocation no connection the server closed during a freeze', async () => {
      await invokeToEnd(fn, '/straggler?seconds=0.5');
      const open = await connectionsOf(name);
      expect(open).toContainEqual(expect.objectContaining({ cmd: 'blpop' }));
      freeze(fn);
      try {
        // The BLPOP times out on the server while the function is frozen; then the server drops
        // every connection of the function.
        await eventually(
          () => connectionsOf(name),
          (rows) => rows.every((row) => !row.flags.includes('b')),
        );
        for (const { id } of open) await observer.call('CLIENT', 'KILL', 'ID', id);
        await eventually(
          () => connectionsOf(name),
          (rows) => rows.length === 0,
        );
      } finally {
        thaw(fn);
      }
      let next = await invokeToEnd(fn, '/query');
      if (client !== 'ioredis' && next.status !== 200) {
        // The BLPOP kept node-redis's connection (the single client's, or the pool client's that ran
        // it) open across the freeze (a command in flight is never cut). If the thawed process runs
        // the handler before it notices the server's close, the first command goes out on that
        // socket and fails; node-redis has no resend (ioredis does), so it reconnects by itself and
        // the next invocation succeeds.
        expect(next.body).toBe('error: Socket closed unexpectedly');
        next = await invokeToEnd(fn, '/query');
      }
      expect(next.status).toBe(200);
      expect(JSON.parse(next.body).count).toEqual(expect.any(Number));
      expect(crashLines(fn)).toEqual([]);
    });
  });

  describe.each(['ioredis', 'node-redis'])(
    'a %s client created on the first request and cached',
    (client) => {
      const name = `vfa-lazy-${client}`;
      let fn: LocalFunction;
      beforeAll(async () => {
        fn = await startLocalFunction({
          entry: ENTRY,
          env: { REDIS_URL: server.url, APP_NAME: name, CLIENT: client, LAZY: 'true' },
        });
      });
      afterAll(async () => {
        await fn?.stop();
      });

      test('serves every invocation with no guard in the handler, closed between them, and logs no warning', async () => {
        const results: string[] = [];
        for (let i = 0; i < 5; i++) {
          const { status, body } = await invokeToEnd(fn, '/query');
          results.push(`${status} ${body}`);
          expect(await connectionsOf(name)).toEqual([]);
        }
        expect(results.filter((result) => !result.startsWith('200 '))).toEqual([]);
        const counts = results.map((result) => JSON.parse(result.slice(4)).count as number);
        expect(counts).toEqual(counts.map((_, i) => counts[0] + i));
        expect(fn.logs.filter((line) => line.text.includes('attachDatabasePool'))).toEqual([]);
        expect(crashLines(fn)).toEqual([]);
      });
    },
  );

  describe.each(['ioredis', 'node-redis'])('a %s client the handler connects itself', (client) => {
    const name = `vfa-guarded-${client}`;
    let fn: LocalFunction;
    beforeAll(async () => {
      fn = await startLocalFunction({
        entry: ENTRY,
        env: { REDIS_URL: server.url, APP_NAME: name, CLIENT: client, GUARDED: 'true' },
      });
    });
    afterAll(async () => {
      await fn?.stop();
    });

    test('passes the handler its ready/status guard at every invocation after the first, when the runtime reopened it', async () => {
      // The guard sees the client either ready or closed: the invocation start waits for the reopen,
      // so the handler never calls connect() on a client half-way through connecting (which throws).
      const results: string[] = [];
      for (let i = 0; i < 4; i++) {
        const { status, body } = await invokeToEnd(fn, '/query');
        results.push(`${status} ${body}`);
        expect(await connectionsOf(name)).toEqual([]);
      }
      expect(results.filter((result) => !result.startsWith('200 '))).toEqual([]);
      const counts = results.map((result) => JSON.parse(result.slice(4)).count as number);
      expect(counts).toEqual(counts.map((_, i) => counts[0] + i));
      expect(crashLines(fn)).toEqual([]);
    });
  });
});
