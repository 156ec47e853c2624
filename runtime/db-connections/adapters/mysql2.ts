import { isRecord, type PoolAdapter } from '../adapter';

/*
 * `mysql2` pools: `createPool()` (callback API) and `mysql2/promise` `createPool()`, whose object
 * wraps the callback pool as `.pool`. Read from node_modules/mysql2/lib/base/pool.js and
 * pool_connection.js (3.x):
 * - `pool._freeConnections` (a queue with `length` and `get(i)`) holds the idle connections,
 *   `pool._allConnections` every connection including checked-out and connecting ones.
 * - `connection._removeFromPool()` takes a connection out of both; `connection._realEnd()` is the
 *   plain `Connection#end` (COM_QUIT, then the server closes the socket). `pool.end()` closes its
 *   connections the same way. The pool's own idle reaper destroys the socket instead, unless
 *   `gracefulEnd` is set; a graceful QUIT keeps the server's `Aborted_clients` counter and error
 *   log quiet, which matters when it happens on every invocation.
 * - the pool emits `release` after a connection went back to the free list.
 * mysql2 never validates a free connection on checkout, so nothing may stay free across a freeze.
 */

interface Mysql2Connection {
  _closing?: boolean;
  _removeFromPool(): void;
  _realEnd(callback?: (error?: unknown) => void): unknown;
  destroy(): void;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
}

interface Queue<T> {
  readonly length: number;
  get(index: number): T;
}

export interface Mysql2PoolLike {
  readonly _freeConnections: Queue<Mysql2Connection>;
  readonly _allConnections: Queue<Mysql2Connection>;
  readonly _closed?: boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** A mysql2 callback pool with the internals the adapter relies on. */
export function isMysql2Pool(pool: unknown): pool is Mysql2PoolLike {
  return (
    isRecord(pool) &&
    isQueue(pool._freeConnections) &&
    isQueue(pool._allConnections) &&
    typeof pool.on === 'function'
  );
}

/** A `mysql2/promise` pool: the callback pool is its `.pool`. */
export function isMysql2PromisePool(pool: unknown): pool is { readonly pool: Mysql2PoolLike } {
  return isRecord(pool) && isMysql2Pool(pool.pool) && typeof pool.getConnection === 'function';
}

function isQueue(value: unknown): boolean {
  return isRecord(value) && typeof value.length === 'number' && typeof value.get === 'function';
}

export function mysql2Adapter(pool: Mysql2PoolLike): PoolAdapter {
  const releaseIdle = (): Promise<void> => {
    if (pool._closed) return Promise.resolve();
    const free: Mysql2Connection[] = [];
    for (let i = 0; i < pool._freeConnections.length; i++) free.push(pool._freeConnections.get(i));
    return Promise.all(free.map(close)).then(() => undefined);
  };

  return {
    driver: 'mysql2',
    busyCount: () => pool._allConnections.length - pool._freeConnections.length,
    releaseIdle,
    // Taken out of the free list synchronously: the handler's first query opens a fresh connection.
    prepareForInvocation: () => void releaseIdle(),
    onIdle: (listener) => {
      pool.on('release', () => process.nextTick(listener));
    },
    leftAloneReason: () => undefined,
    // `end()` is final: a closed pool answers every query with "Pool is closed".
    ended: () => pool._closed === true,
  };
}

function close(connection: Mysql2Connection): Promise<void> {
  return new Promise<void>((resolve) => {
    connection._removeFromPool();
    if (connection._closing) {
      connection.destroy();
      resolve();
      return;
    }
    // Resolved when the server has closed the socket after COM_QUIT (or the socket failed).
    connection.once('end', () => resolve());
    connection.once('error', () => resolve());
    connection._realEnd();
  });
}
