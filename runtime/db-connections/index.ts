/**
 * `@vercel/functions/db-connections`: `attachDatabasePool`.
 */
import { UnsupportedDatabasePoolError } from '../errors';
import { detectPoolKind } from './detect';
import type { DbPool } from './types';

export type { DbPool } from './types';

/**
 * Registers a database pool right after you create it, so that its idle connections can be
 * released before the function instance is frozen.
 *
 * **Not active yet on AWS.** This version only validates the pool: it accepts the objects
 * upstream's duck typing accepts (`pg` pools, `mysql2` callback pools, pools whose `config` has
 * `idleTimeout`, `MongoClient`, clients whose `options` has `socket`) and throws
 * `Unsupported database pool type` for anything else, as upstream does at startup. Releasing idle
 * connections before Lambda freezes the environment is not implemented yet; the pool is left
 * untouched.
 *
 * @param dbPool The pool or client object.
 * @throws {UnsupportedDatabasePoolError} `Unsupported database pool type`.
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
  if (detectPoolKind(dbPool) === undefined) throw new UnsupportedDatabasePoolError();
}

/**
 * @deprecated Use {@link attachDatabasePool}; this is the same function under its old name.
 * @example
 * ```ts
 * import { experimental_attachDatabasePool } from '@vercel/functions';
 * ```
 */
export const experimental_attachDatabasePool: typeof attachDatabasePool = attachDatabasePool;
