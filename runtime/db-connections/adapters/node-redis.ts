import { guardErrorEvent, isRecord, type PoolAdapter, settle } from '../adapter';

/*
 * node-redis (`redis` 4.x to 6.x) `createClient()`: one connection per client. Read from
 * node_modules/@redis/client/dist/lib/client/index.js:
 * - `isOpen` is true from `connect()` until the client is closed; `connect()` may be called again
 *   after a close (it throws while open).
 * - `close()` (5.x+; `quit()` in 4.x) refuses new commands at once and closes the socket after
 *   the commands already sent have their replies — it never cuts one in flight.
 * - node-redis exposes no count of commands in flight (its queue is a private field), so an open,
 *   ready client counts as idle and `close()` does the waiting. A command issued after the invocation
 *   ended and before the next one starts (code nobody awaited) fails with ClientClosedError.
 * - A socket error is emitted as the client's `error` event, which crashes the process when nobody
 *   listens (node-redis asks users to listen); the adapter listens.
 * - Commands issued while `connect()` is in progress are queued (unless `disableOfflineQueue`,
 *   in which case the client is left alone); a client in pub/sub mode is never closed here.
 */

export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  readonly isReady?: boolean;
  readonly isPubSubActive?: boolean;
  readonly options?: { readonly disableOfflineQueue?: boolean };
  connect(): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  listenerCount(event: 'error'): number;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
}

/** A node-redis client (not a pool, cluster or sentinel). */
export function isNodeRedisClient(client: unknown): client is NodeRedisClientLike {
  return (
    isRecord(client) &&
    typeof client.isOpen === 'boolean' &&
    typeof client.isReady === 'boolean' &&
    typeof client.connect === 'function' &&
    (typeof client.close === 'function' || typeof client.quit === 'function') &&
    typeof client.on === 'function' &&
    typeof client.listenerCount === 'function' &&
    // Pools (`clientsInUse`) and clusters (`masters`) hold several connections; not this adapter's.
    !('clientsInUse' in client) &&
    !('masters' in client)
  );
}

export function nodeRedisAdapter(client: NodeRedisClientLike, warn: (message: string) => void): PoolAdapter {
  guardErrorEvent(client, warn, 'the node-redis client reported an error (it reconnects by itself)');
  let closedHere = false;
  let closing: Promise<void> | undefined;
  const offlineQueueDisabled = () => client.options?.disableOfflineQueue === true;

  return {
    driver: 'node-redis',
    // Still opening (e.g. reopened at the start of this invocation): wait for it, then close it.
    busyCount: () => (client.isOpen && client.isReady === false ? 1 : 0),
    releaseIdle: () => {
      if (closing) return closing;
      // Not while still opening: node-redis leaves a socket that is closed mid-handshake open.
      const usable = client.isOpen && client.isReady !== false && client.isPubSubActive !== true;
      if (offlineQueueDisabled() || !usable) return Promise.resolve();
      closedHere = true;
      closing = settle(client.close ? client.close() : client.quit?.()).finally(() => {
        closing = undefined;
      });
      return closing;
    },
    prepareForInvocation: () => {
      if (!closedHere) return;
      closedHere = false;
      // The user may have reopened it already. A failed connect surfaces as the client's `error`
      // event and as the errors of the handler's commands.
      if (!client.isOpen) void settle(client.connect());
    },
    onIdle: () => {},
    leftAloneReason: () =>
      offlineQueueDisabled()
        ? 'attachDatabasePool: this node-redis client has disableOfflineQueue: true, so a connection ' +
          'closed before the freeze could not take commands while it reconnects; it is left open.'
        : undefined,
  };
}
