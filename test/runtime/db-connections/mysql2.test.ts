import * as path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { type LocalFunction, startLocalFunction } from '../../harness/local-function';
import { type MariadbServer, mariadbServer, startMariadb } from '../../setup/mariadb';
import { describeWithServer } from '../../setup/servers';
import { crashLines, eventually, freeze, invokeToEnd, thaw } from './helpers';

// attachDatabasePool with real mysql2 pools (mysql2/promise and callback) against a real MariaDB
// server, the function running under the real aws-lambda-ric on Node 24. The server's own
// information_schema.processlist is the witness.

const ENTRY = path.join(__dirname, 'fixtures', 'mysql2-function.ts');

describeWithServer('attachDatabasePool with mysql2 pools', mariadbServer, () => {
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

  describe.each(['promise', 'callback'])('a mysql2 %s pool on classic Lambda', (kind) => {
    const user = `vfa_mysql2_${kind}`;
    let fn: LocalFunction;

    beforeAll(async () => {
      await observer.query(`create user '${user}'@'%' identified by 'secret'`);
      await observer.query(`grant all on *.* to '${user}'@'%'`);
      fn = await startLocalFunction({
        entry: ENTRY,
        env: {
          DATABASE_URL: `mysql://${user}:secret@127.0.0.1:${server.port}/mysql`,
          POOL: kind,
          VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS: '200',
        },
      });
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
        expect(await connectionsOf(user)).toEqual([]);
      }
      expect(seen.size).toBeGreaterThanOrEqual(5);
    });

    test('closes connections gracefully: the server counts no aborted client', async () => {
      const [[before]] = (await observer.query("show global status like 'Aborted_clients'")) as unknown as [
        { Value: string }[],
      ];
      await invokeToEnd(fn, '/parallel?count=3');
      const [[after]] = (await observer.query("show global status like 'Aborted_clients'")) as unknown as [
        { Value: string }[],
      ];
      expect(after.Value).toBe(before.Value);
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
  });
});
