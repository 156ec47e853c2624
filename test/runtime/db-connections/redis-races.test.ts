import * as path from 'node:path';
import type { Redis } from 'ioredis';
import type { LocalFunction } from '../../harness/local-function';
import { startLocalFunction } from '../../harness/local-function';
import { type RedisServer, redisServer, startRedis } from '../../setup/redis';
import { describeWithServer } from '../../setup/servers';
import { crashLines, eventually, invokeToEnd, type SlowLink, startSlowLink } from './helpers';

// Invocations that start while the adapter is still closing a Redis connection, or while a command
// of an earlier invocation is still running on it: real ioredis / node-redis clients, a real Redis
// server, the real aws-lambda-ric. Each /query increments one counter, so a reply delivered to the
// wrong command, or a command written onto a closing connection, shows up as a failed or
// out-of-sequence count.

const ENTRY = path.join(__dirname, 'fixtures', 'redis-function.ts');

describeWithServer('attachDatabasePool with Redis clients under racing invocations', redisServer, () => {
  let server: RedisServer;
  let observer: Redis;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    server = await startRedis();
    observer = server.client();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    observer?.disconnect();
    await server?.stop();
  });

  async function start(client: string, name: string, env: Record<string, string>): Promise<LocalFunction> {
    const fn = await startLocalFunction({
      entry: ENTRY,
      env: { REDIS_URL: server.url, APP_NAME: name, CLIENT: client, ...env },
    });
    cleanups.push(() => fn.stop());
    return fn;
  }

  async function connectionCount(name: string): Promise<number> {
    const list = (await observer.call('CLIENT', 'LIST')) as string;
    return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
  }

  /** Runs `/query` invocations for `ms`, back to back; returns each `status body`. */
  async function queriesFor(fn: LocalFunction, ms: number): Promise<string[]> {
    const results: string[] = [];
    for (const started = Date.now(); Date.now() - started < ms; ) {
      const { status, body } = await invokeToEnd(fn, '/query');
      results.push(`${status} ${body}`);
    }
    return results;
  }

  function expectConsecutiveCounts(results: string[]): void {
    expect(results.filter((result) => !result.startsWith('200 '))).toEqual([]);
    const counts = results.map((result) => JSON.parse(result.slice(4)).count as number);
    expect(counts).toEqual(counts.map((_, i) => counts[0] + i));
  }

  test.each(['ioredis', 'node-redis'])(
    'a %s client serves invocations that start before its close at the previous end has finished',
    async (client) => {
      // Grace 0 and a 25 ms link: the end hook starts the close and returns at once, and the close
      // takes a round trip, so each following invocation starts while it is still under way.
      const link: SlowLink = await startSlowLink(server.port, 25);
      cleanups.push(() => link.close());
      const name = `vfa-race-${client}`;
      const fn = await start(client, name, {
        REDIS_URL: `redis://127.0.0.1:${link.port}`,
        VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS: '0',
      });
      const results: string[] = [];
      for (let i = 0; i < 8; i++) {
        const { status, body } = await invokeToEnd(fn, '/query');
        results.push(`${status} ${body}`);
      }
      expectConsecutiveCounts(results);
      // Still released after the last one: the client was not left closed, nor left open.
      await eventually(
        () => connectionCount(name),
        (count) => count === 0,
      );
      expect(crashLines(fn)).toEqual([]);
    },
  );

  test.each(['ioredis', 'node-redis', 'node-redis-pool'])(
    'a %s client serves invocations while a command of an earlier one is still running, and completes it',
    async (client) => {
      const name = `vfa-straggler-${client}`;
      const fn = await start(client, name, { VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS: '100' });
      const results: string[] = [];
      for (let round = 0; round < 3; round++) {
        // A BLPOP that outlives its invocation by 300 ms, then queries around its completion (when
        // the lifecycle closes the connection between invocations).
        expect((await invokeToEnd(fn, '/straggler?seconds=0.3')).body).toBe('started');
        results.push(...(await queriesFor(fn, 600)));
        expect((await invokeToEnd(fn, '/straggler-result')).body).toBe('completed');
      }
      expectConsecutiveCounts(results);
      await eventually(
        () => connectionCount(name),
        (count) => count === 0,
      );
      expect(crashLines(fn)).toEqual([]);
    },
  );
});
