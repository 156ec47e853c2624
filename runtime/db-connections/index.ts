/**
 * `@vercel/functions/db-connections`: `attachDatabasePool`.
 */
import { UnsupportedDatabasePoolError } from '../errors';
import { detectPool } from './detect';
import { attachPool, warn } from './lifecycle';
import { poolReleaseGraceMs } from './release-grace';
import type { DbPool } from './types';

export type { DbPool } from './types';

/**
 * Registers a database pool or client right after you create it, so that Lambda's freezes do not
 * leave it with dead connections or hold connection slots on your database server.
 *
 * On classic Lambda, when each invocation ends (after the `waitUntil()` drain) the pool's idle
 * connections are closed — gracefully, busy ones never — within a short grace
 * (`VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS`, default 100 ms, during which connections that turn
 * idle are closed too); the next invocation opens fresh ones. On Lambda Managed Instances (which
 * never freeze) and outside Lambda the pool is left alone. Attaching the same pool twice is harmless.
 *
 * Accepts `pg` pools, `mysql2` pools (callback and `mysql2/promise`), `mariadb` pools (create them
 * with `minimumIdle: 0`), `mongodb` `MongoClient`, `ioredis` clients, node-redis clients and pools,
 * `cassandra-driver` `Client` (never closed: the driver cannot reopen connections on demand; only
 * requests in flight are waited for) and every other object upstream `@vercel/functions` accepts
 * (left alone). Anything else throws `Unsupported database pool type`, as upstream does.
 *
 * @param dbPool The pool or client object.
 * @throws {UnsupportedDatabasePoolError} `Unsupported database pool type`.
 * @throws {InvalidPoolReleaseGraceError} when `VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS` is not a
 *   whole number of milliseconds.
 * @example
 * ```ts
 * import { Pool } from 'pg';
 * import { attachDatabasePool } from '@vercel/functions';
 *
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL });
 * attachDatabasePool(pool);
 * ```
 */
export function attachDatabasePool(dbPool: DbPool): void {
  const createAdapter = detectPool(dbPool, warn);
  if (createAdapter === undefined) throw new UnsupportedDatabasePoolError();
  attachPool(dbPool as object, createAdapter, poolReleaseGraceMs());
}

/**
 * @deprecated Use {@link attachDatabasePool}; this is the same function under its old name.
 * @example
 * ```ts
 * import { experimental_attachDatabasePool } from '@vercel/functions';
 * ```
 */
export const experimental_attachDatabasePool: typeof attachDatabasePool = attachDatabasePool;
