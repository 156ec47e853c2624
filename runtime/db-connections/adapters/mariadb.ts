import { isRecord, type PoolAdapter, settle } from '../adapter';

/*
 * `mariadb` pools (3.x), from `mariadb` (promise API) and `mariadb/callback`. Read from
 * node_modules/mariadb/lib/pool.js, pool-promise.js and pool-callback.js:
 * - The pool object only wraps the real pool, held in a private field: nothing internal is
 *   reachable. Public: `idleConnections()`, `activeConnections()`, `taskQueueSize()`,
 *   `getConnection()`, and events whose argument is the underlying connection (`acquire`,
 *   `release`) or a wrapper (`connection`).
 * - Closing an idle connection therefore goes through the public API: check it out (`getConnection`
 *   takes an idle one first), end it gracefully through the underlying connection the `acquire`
 *   event handed out (`forceEnd`, the connection's own COM_QUIT `end`, which the pool keeps
 *   because it replaces `end` with `release`), then `destroy()` the checked-out wrapper so the pool
 *   forgets it. `destroy()` alone would drop the socket without COM_QUIT.
 * - The pool validates idle connections itself on checkout: one idle longer than
 *   `minDelayValidation` (500 ms by default) is pinged first and discarded if dead. A freeze always
 *   lasts longer than that in practice, so this driver needs nothing at invocation start.
 * - By default the pool keeps `minimumIdle` = `connectionLimit` connections open and reopens any
 *   that close, so releasing them only churns. Such a pool is recognised by `connection` events
 *   while nothing is checked out or waiting (the pool opening connections for itself), twice with
 *   no request queued (`enqueue`) in between, and is then left alone, with one warning telling
 *   the user to set `minimumIdle: 0`. One such event alone is normal: the pool opens connections
 *   for queued requests one at a time, and the last one may finish after another connection
 *   served the request; it is idle, and released like any other.
 */

interface MariadbConnection {
  readonly threadId: number | null;
  destroy(): void;
}

interface MariadbBaseConnection {
  readonly threadId: number | null;
  forceEnd?: (cmdParam: unknown, resolve: () => void, reject: () => void) => void;
}

export interface MariadbPoolLike {
  idleConnections(): number;
  activeConnections(): number;
  taskQueueSize(): number;
  getConnection(callback?: (error: unknown, connection?: MariadbConnection) => void): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly closed?: boolean;
}

/** A mariadb pool (promise or callback API). */
export function isMariadbPool(pool: unknown): pool is MariadbPoolLike {
  return (
    isRecord(pool) &&
    typeof pool.idleConnections === 'function' &&
    typeof pool.activeConnections === 'function' &&
    typeof pool.taskQueueSize === 'function' &&
    typeof pool.getConnection === 'function' &&
    typeof pool.on === 'function' &&
    typeof pool.off === 'function'
  );
}

const MINIMUM_IDLE_REASON =
  'attachDatabasePool: this mariadb pool keeps idle connections open by itself (its `minimumIdle` ' +
  'option defaults to `connectionLimit`) and reopens any that are closed, so they cannot be released ' +
  'before Lambda freezes the environment. Create the pool with `minimumIdle: 0`. Until then its idle ' +
  'connections are left open; the driver pings them before reuse (`minDelayValidation`).';

export function mariadbAdapter(pool: MariadbPoolLike): PoolAdapter {
  let keepsIdleConnections = false;
  let unrequestedOpens = 0;
  const idleListeners: (() => void)[] = [];
  pool.on('connection', () => {
    if (pool.activeConnections() > 0 || pool.taskQueueSize() > 0) return;
    if (++unrequestedOpens >= 2) keepsIdleConnections = true;
    for (const listener of idleListeners) process.nextTick(listener);
  });
  // A request had to wait: the next connection the pool opens may be for it.
  pool.on('enqueue', () => {
    unrequestedOpens = 0;
  });

  const releaseIdle = async (): Promise<void> => {
    if (keepsIdleConnections || pool.closed) return;
    // Underlying connections handed out while we check out, by thread id.
    const underlying = new Map<number | null, MariadbBaseConnection>();
    const onAcquire = (connection: unknown) => {
      if (isRecord(connection)) {
        underlying.set(connection.threadId as number | null, connection as unknown as MariadbBaseConnection);
      }
    };
    pool.on('acquire', onAcquire);
    const closing: Promise<void>[] = [];
    try {
      // Only while a connection is idle: with none idle, getConnection would open a new one.
      for (let count = pool.idleConnections(); count > 0 && pool.idleConnections() > 0; count--) {
        const connection = await checkOut(pool);
        if (!connection) break;
        closing.push(close(connection, underlying.get(connection.threadId)));
      }
    } finally {
      pool.off('acquire', onAcquire);
    }
    await Promise.all(closing);
  };

  return {
    driver: 'mariadb',
    // Requests waiting for a connection count too: one is being opened for them.
    busyCount: () => pool.activeConnections() + pool.taskQueueSize(),
    releaseIdle,
    prepareForInvocation: () => {},
    onIdle: (listener) => {
      idleListeners.push(listener);
      // Emitted just before the connection is pushed back to the idle list.
      pool.on('release', () => process.nextTick(listener));
    },
    leftAloneReason: () => (keepsIdleConnections ? MINIMUM_IDLE_REASON : undefined),
    // `end()` is final: a closed pool refuses new connections.
    ended: () => pool.closed === true,
  };
}

function checkOut(pool: MariadbPoolLike): Promise<MariadbConnection | undefined> {
  return new Promise((resolve) => {
    const done = (error: unknown, connection?: MariadbConnection) => resolve(error ? undefined : connection);
    // The callback API calls `done`; the promise API ignores it and returns a promise.
    const result = pool.getConnection(done);
    if (isRecord(result) && typeof result.then === 'function') {
      (result as unknown as Promise<MariadbConnection>).then(
        (connection) => done(undefined, connection),
        (error: unknown) => done(error ?? new Error('getConnection failed')),
      );
    }
  });
}

function close(connection: MariadbConnection, underlying: MariadbBaseConnection | undefined): Promise<void> {
  let ended: Promise<void> = Promise.resolve();
  const forceEnd = underlying?.forceEnd;
  if (forceEnd) {
    // Sends COM_QUIT and marks the connection as terminating at once...
    ended = settle(new Promise<void>((resolve) => forceEnd.call(underlying, null, resolve, resolve)));
  }
  // ...so this only makes the pool forget it (a terminating connection's destroy() leaves the socket
  // alone); without the underlying connection it is the fallback that drops the socket.
  connection.destroy();
  return ended;
}
