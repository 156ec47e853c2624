import * as path from 'node:path';
import { type LocalFunction, startLocalFunction } from '../../harness/local-function';
import { type MongoWireServer, startMongoWireServer } from '../../setup/mongodb-wire';
import { crashLines, eventually, freeze, invokeToEnd, thaw } from './helpers';

// attachDatabasePool with a real mongodb MongoClient, the function running under the real
// aws-lambda-ric on Node 24. No MongoDB server package exists here, so the server is a loopback
// endpoint speaking the MongoDB wire protocol (test/setup/mongodb-wire.ts): verified at the driver
// level — the real driver's pool, sockets and CMAP events — not against a real mongod.

const ENTRY = path.join(__dirname, 'fixtures', 'mongodb-function.ts');

describe('attachDatabasePool with a MongoClient (driver level, wire-protocol server)', () => {
  let server: MongoWireServer;
  beforeAll(async () => {
    server = await startMongoWireServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  function start(env: Record<string, string> = {}): Promise<LocalFunction> {
    return startLocalFunction({
      entry: ENTRY,
      env: { MONGODB_URL: server.url, VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS: '200', ...env },
    });
  }

  describe('on classic Lambda', () => {
    let fn: LocalFunction;
    beforeAll(async () => {
      fn = await start();
    });
    afterAll(async () => {
      await fn?.stop();
      server.dropApplicationConnections();
    });

    test('leaves no pool connection open after each of 5 invocations, closing them as the driver closes idle ones', async () => {
      for (let i = 0; i < 5; i++) {
        expect((await invokeToEnd(fn, '/parallel?count=3')).status).toBe(200);
        // The driver destroys the sockets without waiting; this in-process server notices each close
        // on one of its next event-loop turns. maxIdleTimeMS (120 s) cannot be what closed them.
        await eventually(
          async () => server.applicationConnections(),
          (open) => open.length === 0,
          2_000,
        );
      }
      const reasons: string[] = JSON.parse((await invokeToEnd(fn, '/closed')).body);
      expect(reasons.length).toBeGreaterThanOrEqual(5);
      expect(new Set(reasons)).toEqual(new Set(['idle']));
    });

    test('does not cut a command in flight when the invocation ends, and closes its connection once it is done', async () => {
      expect((await invokeToEnd(fn, '/straggler?ms=1000')).body).toBe('started');
      expect(server.applicationConnections()).toEqual([expect.objectContaining({ busy: true })]);
      await eventually(
        async () => server.applicationConnections(),
        (open) => open.length === 0,
      );
      expect((await invokeToEnd(fn, '/straggler-result')).body).toBe('completed');
    });

    test('hands the next invocation no connection the server closed during a freeze', async () => {
      await invokeToEnd(fn, '/straggler?ms=500');
      expect(server.applicationConnections()).toEqual([expect.objectContaining({ busy: true })]);
      freeze(fn);
      try {
        await eventually(
          async () => server.applicationConnections(),
          (open) => open.every((c) => !c.busy),
        );
        server.dropApplicationConnections();
      } finally {
        thaw(fn);
      }
      const next = await invokeToEnd(fn, '/query');
      expect(next.status).toBe(200);
      expect(JSON.parse(next.body)).toEqual({ ok: 1 });
      expect((await invokeToEnd(fn, '/straggler-result')).body).toBe('completed');
      expect(crashLines(fn)).toEqual([]);
    });
  });

  describe('with minPoolSize > 0', () => {
    let fn: LocalFunction;
    beforeAll(async () => {
      fn = await start({ MIN_POOL_SIZE: '2' });
    });
    afterAll(async () => {
      await fn?.stop();
      server.dropApplicationConnections();
    });

    test('is left alone with one warning, since the driver reopens connections up to minPoolSize', async () => {
      for (let i = 0; i < 3; i++) expect((await invokeToEnd(fn, '/query')).status).toBe(200);
      expect(fn.runtime.output.filter((line) => line.includes('minPoolSize 2'))).toHaveLength(1);
      expect(JSON.parse((await invokeToEnd(fn, '/closed')).body)).toEqual([]);
    });
  });
});
