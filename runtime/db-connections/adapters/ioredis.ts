import { isRecord, type PoolAdapter, settle } from '../adapter';

/*
 * `ioredis` `Redis` (5.x / 6.x): one connection per client, no pool. Read from
 * node_modules/ioredis/built/Redis.js and redis/event_handler.js:
 * - `status` is `'ready'` when usable, `'end'` after `quit()` / `disconnect()`; `connect()` opens
 *   it again (it refuses while connecting or connected).
 * - `commandQueue` (public) holds the commands written and awaiting a reply, the offline queue the
 *   ones not written yet: both empty = idle. Subscriber and monitor mode hold the connection open
 *   on purpose (`mode` is not `'normal'`): such a client is never closed here.
 * - `quit()` sends QUIT after the queued commands, so replies already on their way still arrive,
 *   and marks the close as intended (no automatic reconnect).
 * - Commands issued while `connect()` is in progress wait in the offline queue
 *   (`enableOfflineQueue`, on by default). With it off, a client closed here would fail the next
 *   invocation's first command, so such a client is left alone.
 * ioredis emits nothing per reply: a connection that turns idle between invocations is found by
 * the lifecycle's polling.
 */

export interface IoredisLike {
  readonly status: string;
  readonly mode?: string;
  readonly options: { readonly enableOfflineQueue?: boolean };
  readonly commandQueue: { readonly length: number };
  readonly offlineQueue?: { readonly length: number };
  connect(): Promise<unknown>;
  quit(): Promise<unknown>;
}

/** An ioredis client (not a Cluster: its connections live in per-node clients). */
export function isIoredis(client: unknown): client is IoredisLike {
  return (
    isRecord(client) &&
    typeof client.status === 'string' &&
    isRecord(client.options) &&
    isRecord(client.commandQueue) &&
    typeof client.quit === 'function' &&
    typeof client.connect === 'function' &&
    client.isCluster !== true
  );
}

export function ioredisAdapter(client: IoredisLike): PoolAdapter {
  let closedHere = false;
  let quitting: Promise<void> | undefined;

  // Still opening (e.g. reopened at the start of this invocation): wait for it, then close it.
  const opening = () => client.status === 'connecting' || client.status === 'connect';
  const busyCount = () =>
    client.commandQueue.length + (client.offlineQueue?.length ?? 0) + (opening() ? 1 : 0);
  const normalMode = () => client.mode === undefined || client.mode === 'normal';

  return {
    driver: 'ioredis',
    busyCount,
    releaseIdle: () => {
      if (quitting) return quitting;
      if (client.options.enableOfflineQueue === false || client.status !== 'ready' || !normalMode()) {
        return Promise.resolve();
      }
      if (busyCount() > 0) return Promise.resolve();
      closedHere = true;
      quitting = settle(client.quit()).finally(() => {
        quitting = undefined;
      });
      return quitting;
    },
    prepareForInvocation: () => {
      if (!closedHere) return;
      closedHere = false;
      // The user may have reopened it already; otherwise reconnect, queuing the handler's commands.
      // A failed connect is reported by ioredis itself (its `error` event and the commands' errors).
      if (client.status === 'end') void settle(client.connect());
    },
    onIdle: () => {},
    leftAloneReason: () =>
      client.options.enableOfflineQueue === false
        ? 'attachDatabasePool: this ioredis client has enableOfflineQueue: false, so a connection ' +
          'closed before the freeze could not take commands while it reconnects; it is left open.'
        : undefined,
  };
}
