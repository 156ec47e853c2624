import { guardErrorEvent, isRecord, type PoolAdapter, ReopenableClose, settle } from '../adapter';

/*
 * node-redis `createClientPool()` (`RedisClientPool`, 5.x / 6.x). Read from
 * node_modules/@redis/client/dist/lib/client/pool.js:
 * - public counters `idleClients`, `clientsInUse`, `tasksQueueLength`; the idle list itself is a
 *   private field, and the pool keeps `minimum` (default 1) clients, so single idle clients cannot
 *   be closed from outside.
 * - `close()` waits for the tasks in flight, closes every client and marks the pool closed;
 *   `connect()` opens it again (`isOpen` turns true at once and tasks queue until a client is up).
 * - Its clients' socket errors are re-emitted as the pool's `error` event, which crashes the
 *   process when nobody listens; the adapter listens.
 * So the adapter closes the whole pool when nothing is in use, and reopens it at the next
 * invocation — the same outcome as releasing every idle client. The pool emits nothing when a task
 * ends: one still running at the end is found by the lifecycle's polling.
 */

export interface NodeRedisPoolLike {
  readonly isOpen: boolean;
  readonly isClosing: boolean;
  readonly clientsInUse: number;
  readonly tasksQueueLength: number;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  listenerCount(event: 'error'): number;
}

export function isNodeRedisPool(pool: unknown): pool is NodeRedisPoolLike {
  return (
    isRecord(pool) &&
    typeof pool.clientsInUse === 'number' &&
    typeof pool.tasksQueueLength === 'number' &&
    typeof pool.idleClients === 'number' &&
    typeof pool.execute === 'function' &&
    typeof pool.connect === 'function' &&
    typeof pool.close === 'function' &&
    typeof pool.on === 'function' &&
    typeof pool.listenerCount === 'function'
  );
}

export function nodeRedisPoolAdapter(pool: NodeRedisPoolLike, warn: (message: string) => void): PoolAdapter {
  guardErrorEvent(pool, warn, 'a node-redis pool client reported an error (it reconnects by itself)');
  // Reopened only once a close has finished: `connect()` before that is a no-op (the pool is still
  // open), and the pool would then stay closed. `connect()` resolves once the pool's clients are up.
  const lifecycle = new ReopenableClose(() => (pool.isOpen ? undefined : settle(pool.connect())));
  const busyCount = () => pool.clientsInUse + pool.tasksQueueLength + (lifecycle.inProgress ? 1 : 0);

  return {
    driver: 'node-redis pool',
    busyCount,
    releaseIdle: () => {
      const pending = lifecycle.pending;
      if (pending) return pending;
      if (!pool.isOpen || pool.isClosing || busyCount() > 0) return Promise.resolve();
      return lifecycle.close(() => pool.close());
    },
    prepareForInvocation: () => lifecycle.prepareForInvocation(),
    reopens: true,
    onIdle: () => {},
    leftAloneReason: () => undefined,
  };
}
