/** The pool families upstream's duck typing recognises, in the order it tests them. */
export type PoolKind = 'pg' | 'mysql' | 'mysql2' | 'mongodb' | 'redis';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Classifies a pool exactly as upstream `attachDatabasePool` does (first match wins), or returns
 * `undefined` for anything it would reject with "Unsupported database pool type".
 *
 * Unlike upstream it never throws itself: upstream evaluates `'idleTimeoutMillis' in pool.options`
 * without checking `options`, so `{ on, options: null }` (or a `null` pool) crashes with a
 * TypeError instead of the documented error.
 */
export function detectPoolKind(pool: unknown): PoolKind | undefined {
  if (!isObject(pool) || !pool.on) return undefined;
  const { options, config } = pool;
  // pg.Pool: options.idleTimeoutMillis, emits 'release'.
  if (isObject(options) && 'idleTimeoutMillis' in options) return 'pg';
  // mysql2 callback pool: config.connectionConfig, emits 'release'.
  if (isObject(config) && 'connectionConfig' in config) return 'mysql';
  // mysql2 / mariadb pools with config.idleTimeout, emit 'release'.
  if (isObject(config) && 'idleTimeout' in config) return 'mysql2';
  // MongoClient: options.maxIdleTimeMS, emits 'connectionCheckedOut'.
  if (isObject(options) && 'maxIdleTimeMS' in options) return 'mongodb';
  // node-redis style client: options.socket, emits 'end'.
  if (isObject(options) && 'socket' in options) return 'redis';
  return undefined;
}
