import { Pool } from 'pg';
import { detectPool } from '../../../runtime/db-connections/detect';
import { type PostgresServer, postgresServer, startPostgres } from '../../setup/postgres';
import { describeWithServer } from '../../setup/servers';

// The pg adapter's release of idle clients with a pg-pool whose `_remove(client, callback)` never
// calls the callback, as pg-pool before 3.10.1 (it only emits `remove`). Only 3.14 is installed, so
// a real pg Pool stands in for the old one with `_remove` dropping the callback; the rest of the pool,
// and the PostgreSQL server it talks to, are real.

/** A pg Pool whose `_remove` ignores its callback, like pg-pool before 3.10.1. */
class CallbackIgnoringPool extends Pool {
  _remove(client: unknown): void {
    // @ts-expect-error pg's typings do not declare the pool's internal `_remove`.
    super._remove(client);
  }
}

const sleepUntilImmediate = () => new Promise((resolve) => setImmediate(resolve));

describeWithServer('the pg adapter with a pg-pool that ignores _remove callbacks', postgresServer, () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('resolves its release of idle clients on the pool removing them, not after any grace', async () => {
    const pool = new CallbackIgnoringPool({
      connectionString: server.url,
      max: 3,
      idleTimeoutMillis: 120_000,
    });
    try {
      await Promise.all([pool.query('select 1'), pool.query('select 1')]);
      expect(pool.idleCount).toBe(2);
      const createAdapter = detectPool(pool, () => {});
      if (createAdapter === undefined) throw new Error('the pool was not recognised as a pg Pool');
      const adapter = createAdapter();

      let released = false;
      const removals = new Promise<void>((resolve) => {
        let left = 2;
        const counted = () => {
          if (--left > 0) return;
          pool.off('remove', counted);
          resolve();
        };
        pool.on('remove', counted);
      });
      const release = adapter.releaseIdle().then(() => {
        released = true;
      });
      await removals;
      await sleepUntilImmediate();
      expect(released).toBe(true);
      await release;
      expect(pool.totalCount).toBe(0);
      // Nothing of the adapter's is left listening for removals.
      expect(pool.listenerCount('remove')).toBe(0);
    } finally {
      await pool.end();
    }
  });

  test('resolves at once when there is no idle client', async () => {
    const pool = new CallbackIgnoringPool({ connectionString: server.url });
    try {
      const adapter = detectPool(pool, () => {})?.();
      let released = false;
      const release = adapter?.releaseIdle().then(() => {
        released = true;
      });
      await sleepUntilImmediate();
      expect(released).toBe(true);
      await release;
    } finally {
      await pool.end();
    }
  });
});
