import * as path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { type LocalFunction, startLocalFunction } from '../../harness/local-function';
import { type MariadbServer, mariadbServer, startMariadb } from '../../setup/mariadb';
import { describeWithServer } from '../../setup/servers';
import { crashLines, eventually, freeze, invokeToEnd, thaw } from './helpers';

// attachDatabasePool with real mariadb pools (promise and callback API) against a real MariaDB
// server, the function running under the real aws-lambda-ric on Node 24. The server's own
// information_schema.processlist is the witness.

const ENTRY = path.join(__dirname, 'fixtures', 'mariadb-function.ts');

describeWithServer('attachDatabasePool with mariadb pools', mariadbServer, () => {
  let server: MariadbServer;
  let observer: Connection;

  beforeAll(async () => {
    server = await startMariadb();
    observer = await server.connect();
  });
  afterAll(async () => {
    await observer?.end();
    await server?.stop();
  });

  /** The function's connections as the server sees them (`Sleep` = idle). */
  async function connectionsOf(user: string): Promise<{ id: number; command: string }[]> {
    const [rows] = await observer.query(
      'select id, command from information_schema.processlist where user = ? order by id',
      [user],
    );
    return (rows as { id: number; command: string }[]).map(({ id, command }) => ({
      id: Number(id),
      command,
    }));
  }

  async function abortedClients(): Promise<string> {
    const [rows] = await observer.query("show global status like 'Aborted_clients'");
    return (rows as { Value: string }[])[0].Value;
  }

  async function start(user: string, env: Record<string, string>): Promise<LocalFunction> {
    await observer.query(`create user '${user}'@'%' identified by 'secret'`);
    await observer.query(`grant all on *.* to '${user}'@'%'`);
    return startLocalFunction({
      entry: ENTRY,
      env: {
        DB_PORT: String(server.port),
        DB_USER: user,
        VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS: '200',
        ...env,
      },
    });
  }

  describe.each(['promise', 'callback'])(
    'a mariadb %s pool with minimumIdle: 0 on classic Lambda',
    (kind) => {
      const user = `vfa_mariadb_${kind}`;
      let fn: LocalFunction;
      beforeAll(async () => {
        fn = await start(user, { POOL: kind, MINIMUM_IDLE: '0' });
      });
      afterAll(async () => {
        await fn?.stop();
      });

      test('leaves no connection on the server after each of 5 invocations that used several', async () => {
        const seen = new Set<number>();
        for (let i = 0; i < 5; i++) {
          const { status, body } = await invokeToEnd(fn, '/parallel?count=3');
          expect(status).toBe(200);
          for (const id of JSON.parse(body).ids as number[]) seen.add(id);
          // mariadb opens connections for waiting requests one at a time and does not count one being
          // opened; when another connection served the request meanwhile, it appears just after the
          // end and is closed as soon as it is open. The pool's own idle timeout (120 s) never fires here.
          await eventually(
            () => connectionsOf(user),
            (rows) => rows.length === 0,
            5_000,
          );
        }
        expect(seen.size).toBeGreaterThanOrEqual(5);
      });

      test('closes connections gracefully: the server counts no aborted client', async () => {
        const before = await abortedClients();
        await invokeToEnd(fn, '/parallel?count=3');
        expect(await abortedClients()).toBe(before);
      });

      test('does not cut a query in flight when the invocation ends, and closes its connection once it is done', async () => {
        expect((await invokeToEnd(fn, '/straggler?seconds=1')).body).toBe('started');
        expect(await connectionsOf(user)).toEqual([{ id: expect.any(Number), command: 'Query' }]);
        await eventually(
          () => connectionsOf(user),
          (rows) => rows.length === 0,
        );
        expect((await invokeToEnd(fn, '/straggler-result')).body).toBe('completed');
      });

      test('hands the next invocation no connection the server closed during a freeze', async () => {
        await invokeToEnd(fn, '/straggler?seconds=0.5');
        const [busy] = await connectionsOf(user);
        expect(busy.command).toBe('Query');
        freeze(fn);
        try {
          await eventually(
            () => connectionsOf(user),
            (rows) => rows[0]?.command === 'Sleep',
          );
          await observer.query(`kill ${busy.id}`);
          await eventually(
            () => connectionsOf(user),
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
      });
    },
  );

  describe('a mariadb pool with the default minimumIdle on classic Lambda', () => {
    const user = 'vfa_mariadb_default';
    let fn: LocalFunction;
    beforeAll(async () => {
      fn = await start(user, {});
    });
    afterAll(async () => {
      await fn?.stop();
    });

    test('is left alone with one warning naming minimumIdle, since the pool reopens what is closed', async () => {
      const warnings = () => fn.runtime.output.filter((line) => line.includes('minimumIdle: 0'));
      // The pool opens its connections in the background; once it is seen reopening them by itself,
      // the next invocation end says so, once.
      for (let i = 0; i < 10 && warnings().length === 0; i++) {
        expect((await invokeToEnd(fn, '/query')).status).toBe(200);
      }
      for (let i = 0; i < 3; i++) expect((await invokeToEnd(fn, '/query')).status).toBe(200);
      expect(warnings()).toHaveLength(1);
      // The pool keeps its connectionLimit (5) connections open, idle.
      const rows = await eventually(
        () => connectionsOf(user),
        (found) => found.length === 5,
      );
      expect(rows.every((row) => row.command === 'Sleep')).toBe(true);
    });

    test('hands the next invocation no connection the server closed during a freeze (the driver pings it first)', async () => {
      await invokeToEnd(fn, '/query');
      const idle = await connectionsOf(user);
      expect(idle.length).toBeGreaterThan(0);
      freeze(fn);
      try {
        for (const { id } of idle) await observer.query(`kill ${id}`);
        await eventually(
          () => connectionsOf(user),
          (rows) => rows.length === 0,
        );
        // Longer than minDelayValidation (500 ms), as any real freeze is.
        await new Promise((resolve) => setTimeout(resolve, 600));
      } finally {
        thaw(fn);
      }
      const next = await invokeToEnd(fn, '/query');
      expect(next.status).toBe(200);
      expect(JSON.parse(next.body).answer).toBe(42);
      expect(crashLines(fn)).toEqual([]);
    });
  });
});
