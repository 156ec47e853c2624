import * as path from 'node:path';
import type { Client } from 'pg';
import { type LocalFunction, startLocalFunction } from '../../harness/local-function';
import { type PostgresServer, postgresServer, startPostgres } from '../../setup/postgres';
import { describeWithServer } from '../../setup/servers';
import { crashLines, eventually, freeze, invokeToEnd, thaw } from './helpers';

// attachDatabasePool with a real pg Pool against a real PostgreSQL server, the function running
// under the real aws-lambda-ric on Node 24. The server's own pg_stat_activity is the witness.

const ENTRY = path.join(__dirname, 'fixtures', 'pg-function.ts');

describeWithServer('attachDatabasePool with a pg Pool', postgresServer, () => {
  let server: PostgresServer;
  let observer: Client;

  beforeAll(async () => {
    server = await startPostgres();
    observer = await server.client();
  });
  afterAll(async () => {
    await observer?.end();
    await server?.stop();
  });

  /** The function's connections as the server sees them. */
  async function connectionsOf(app: string): Promise<{ pid: number; state: string }[]> {
    const { rows } = await observer.query(
      'select pid, state from pg_stat_activity where application_name = $1 order by pid',
      [app],
    );
    return rows;
  }

  function start(
    app: string,
    env: Record<string, string> = {},
    maxConcurrency?: number,
  ): Promise<LocalFunction> {
    return startLocalFunction({
      entry: ENTRY,
      maxConcurrency,
      env: {
        DATABASE_URL: server.url,
        APP_NAME: app,
        VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS: '200',
        ...env,
      },
    });
  }

  describe('on classic Lambda', () => {
    const app = 'vfa-pg-classic';
    let fn: LocalFunction;
    beforeAll(async () => {
      fn = await start(app);
    });
    afterAll(async () => {
      await fn?.stop();
    });

    test('leaves no connection on the server after each of 5 invocations that used several', async () => {
      const seen = new Set<number>();
      for (let i = 0; i < 5; i++) {
        const { status, body } = await invokeToEnd(fn, '/parallel?count=3');
        expect(status).toBe(200);
        for (const pid of JSON.parse(body).pids as number[]) seen.add(pid);
        expect(await connectionsOf(app)).toEqual([]);
      }
      // Each invocation opened fresh connections: none was carried over a (potential) freeze.
      expect(seen.size).toBeGreaterThanOrEqual(5);
    });

    test('does not cut a query in flight when the invocation ends, and closes its connection once it is done', async () => {
      const started = await invokeToEnd(fn, '/straggler?seconds=1');
      expect(started.body).toBe('started');
      // Busy at the end (longer than the 200 ms grace): left open, still running on the server.
      expect(await connectionsOf(app)).toEqual([{ pid: expect.any(Number), state: 'active' }]);
      // It turns idle between invocations and is closed then, not kept until the next one.
      await eventually(
        () => connectionsOf(app),
        (rows) => rows.length === 0,
      );
      const result = await invokeToEnd(fn, '/straggler-result');
      expect(result.body).toBe('completed');
      expect(await connectionsOf(app)).toEqual([]);
    });

    test('hands the next invocation no connection the server closed during a freeze', async () => {
      await invokeToEnd(fn, '/straggler?seconds=0.5');
      const [busy] = await connectionsOf(app);
      expect(busy.state).toBe('active');
      freeze(fn);
      try {
        // The query finishes on the server while the function is frozen; then the server drops it.
        await eventually(
          () => connectionsOf(app),
          (rows) => rows[0]?.state === 'idle',
        );
        await observer.query('select pg_terminate_backend($1)', [busy.pid]);
        await eventually(
          () => connectionsOf(app),
          (rows) => rows.length === 0,
        );
      } finally {
        thaw(fn);
      }
      const next = await invokeToEnd(fn, '/query');
      expect(next.status).toBe(200);
      expect(JSON.parse(next.body).answer).toBe(42);
      expect((await invokeToEnd(fn, '/straggler-result')).body).toBe('completed');
      expect(crashLines(fn)).toEqual([]);
      expect(fn.runtime.output.join('\n')).toContain(
        'an idle pg client failed and was removed from the pool',
      );
    });

    test('is harmless when the pool is attached again during an invocation', async () => {
      expect((await invokeToEnd(fn, '/attach-again')).body).toBe('attached');
      const { status } = await invokeToEnd(fn, '/query');
      expect(status).toBe(200);
      expect(await connectionsOf(app)).toEqual([]);
    });
  });

  describe('without attachDatabasePool (control)', () => {
    const app = 'vfa-pg-unattached';
    let fn: LocalFunction;
    beforeAll(async () => {
      fn = await start(app, { ATTACH: 'false' });
    });
    afterAll(async () => {
      await fn?.stop();
    });

    test('keeps idle connections open on the server between invocations', async () => {
      await invokeToEnd(fn, '/parallel?count=3');
      const rows = await connectionsOf(app);
      expect(rows.length).toBe(3);
      expect(rows.every((row) => row.state === 'idle')).toBe(true);
    });

    test('fails when the server closed an idle connection during a freeze', async () => {
      await invokeToEnd(fn, '/query');
      const idle = await connectionsOf(app);
      expect(idle.length).toBeGreaterThan(0);
      freeze(fn);
      try {
        for (const { pid } of idle) await observer.query('select pg_terminate_backend($1)', [pid]);
        await eventually(
          () => connectionsOf(app),
          (rows) => rows.length === 0,
        );
      } finally {
        thaw(fn);
      }
      // pg-pool re-emits the dead idle client's error on the pool; nobody listens: the process dies.
      const next = await fetch(`${fn.url}/query`).then((response) => response.status);
      await fn.runtime.exited;
      expect(next).toBe(502);
      expect(fn.runtime.output.join('\n')).toContain('terminating connection due to administrator command');
    });
  });

  describe('on Lambda Managed Instances', () => {
    const app = 'vfa-pg-managed-instances';
    let fn: LocalFunction;
    beforeAll(async () => {
      fn = await start(app, {}, 2);
    });
    afterAll(async () => {
      await fn?.stop();
    });

    test('leaves the pool alone: its idle connections stay open for the next invocations', async () => {
      const first = await fetch(`${fn.url}/query`);
      expect(first.status).toBe(200);
      const { pid } = await first.json();
      await eventually(
        () => connectionsOf(app),
        (rows) => rows.length === 1 && rows[0].state === 'idle',
      );
      const second = await fetch(`${fn.url}/query`);
      expect((await second.json()).pid).toBe(pid);
    });
  });
});
