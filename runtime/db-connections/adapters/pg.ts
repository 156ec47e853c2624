import { guardErrorEvent, isRecord, type PoolAdapter } from '../adapter';

/*
 * `pg` Pool (pg-pool 3.x, also the pools of @neondatabase/serverless and @vercel/postgres, which
 * extend it). Read from node_modules/pg-pool/index.js:
 * - idle clients sit in `pool._idle` (IdleItem `{ client, timeoutId }`); `pool._remove(client, cb)`
 *   takes one out of the pool, clears its idle timer and ends it gracefully (a Terminate message,
 *   `cb` once the socket has closed; before 3.10.1 there is no `cb`) and emits `remove`. That is
 *   exactly what the pool's own idle timeout does; the public API has no "close idle clients now"
 *   (`idleTimeoutMillis` only applies to later releases).
 * - `totalCount` / `idleCount` are public; `totalCount - idleCount` are checked out or connecting.
 * - the pool emits `release` when a client comes back (it is pushed to `_idle` in the same tick).
 * - an idle client whose socket dies is removed and re-emitted as the pool's `error` event, which
 *   crashes the process when nobody listens — the classic way a connection the server closed during
 *   a freeze surfaces after the thaw. The adapter listens, so that stays harmless.
 */

type PgClient = object;

interface PgIdleItem {
  readonly client: PgClient;
}

export interface PgPoolLike {
  readonly _idle: PgIdleItem[];
  readonly totalCount: number;
  readonly idleCount: number;
  readonly ending?: boolean;
  readonly ended?: boolean;
  _remove(client: PgClient, callback?: () => void): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  listenerCount(event: string): number;
}

/** A pg-pool 3.x `Pool`: the internals the adapter relies on are there. */
export function isPgPool(pool: unknown): pool is PgPoolLike {
  return (
    isRecord(pool) &&
    Array.isArray(pool._idle) &&
    typeof pool._remove === 'function' &&
    typeof pool.on === 'function' &&
    typeof pool.removeListener === 'function' &&
    typeof pool.listenerCount === 'function' &&
    'totalCount' in pool &&
    'idleCount' in pool
  );
}

export function pgAdapter(pool: PgPoolLike, warn: (message: string) => void): PoolAdapter {
  guardErrorEvent(pool, warn, 'an idle pg client failed and was removed from the pool');

  // Resolves once every idle client has been removed: on `_remove`'s callback or the pool's `remove`
  // event for it, whichever comes first. pg-pool before 3.10.1 ignores the callback and emits
  // `remove` synchronously, right after starting the client's graceful end; later versions emit it
  // together with the callback, once the socket has closed.
  const releaseIdle = (): Promise<void> => {
    if (pool.ending || pool.ended) return Promise.resolve();
    const idle = new Set(pool._idle.map((item) => item.client));
    if (idle.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const removed = (client: unknown) => {
        if (!idle.delete(client as PgClient) || idle.size > 0) return;
        pool.removeListener('remove', removed);
        resolve();
      };
      pool.on('remove', removed);
      for (const client of [...idle]) pool._remove(client, () => removed(client));
    });
  };

  return {
    driver: 'pg',
    busyCount: () => pool.totalCount - pool.idleCount,
    releaseIdle,
    // Removal from `_idle` is synchronous, so the handler's first query opens a fresh client
    // instead of one that may have been idle across the freeze.
    prepareForInvocation: () => void releaseIdle(),
    onIdle: (listener) => {
      pool.on('release', () => process.nextTick(listener));
    },
    leftAloneReason: () => undefined,
    // `end()` is final: "Cannot use a pool after calling end on the pool".
    ended: () => pool.ending === true || pool.ended === true,
  };
}
