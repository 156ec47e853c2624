import { guardErrorEvent, isRecord, type PoolAdapter, ReopenableClose, settle } from '../adapter';
import { nodeRedisCommandsInFlight, nodeRedisUsed, trackNodeRedisCommands } from './node-redis-commands';

/*
 * node-redis (`redis` 4.x to 6.x) `createClient()`: one connection per client. Read from
 * node_modules/@redis/client/dist/lib/client/index.js and socket.js:
 * - `isOpen` is true from `connect()` until the client is closed; `connect()` may be called again
 *   after a close (it throws while open).
 * - `close()` (5.x+; `quit()` in 4.x) refuses new commands at once (`isOpen` turns false) but keeps
 *   the socket until the commands already sent have their replies — it never cuts one in flight.
 *   With nothing in flight it destroys the socket at once.
 * - While such a close is under way, `connect()` would open a second socket fed into the same
 *   command queue: replies would go to the wrong commands. So a close under way counts as busy,
 *   and the client is reopened only once it has finished; commands of an invocation that starts
 *   meanwhile fail with node-redis's ClientClosedError rather than getting someone else's reply.
 * - The command queue is private; node-redis 6.3+ publishes its commands on diagnostics channels
 *   (node-redis-commands.ts), which is how the adapter knows a command is in flight and leaves the
 *   client open until it has its reply. It needs the client's id, which only the `_clientId`
 *   getter gives (marked internal); without it (node-redis before 6.3) a ready client counts as
 *   idle and `close()` does the waiting, so the next invocation may have to wait for that close
 *   (a warning says so once). The same channels tell whether the application used the client in an
 *   invocation (PoolAdapter.used); before 6.3 that is not known.
 * - A socket error is emitted as the client's `error` event, which crashes the process when nobody
 *   listens (node-redis asks users to listen); the adapter listens.
 * - Commands issued while `connect()` is in progress are queued (unless `disableOfflineQueue`,
 *   in which case the client is left alone); a client in pub/sub mode is never closed here.
 */

export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  readonly isReady?: boolean;
  readonly isPubSubActive?: boolean;
  readonly _clientId?: unknown;
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

// Process state: the missing `_clientId` is reported once, not per client.
let warnedUntracked = false;

export function nodeRedisAdapter(client: NodeRedisClientLike, warn: (message: string) => void): PoolAdapter {
  guardErrorEvent(client, warn, 'the node-redis client reported an error (it reconnects by itself)');
  const clientId = typeof client._clientId === 'string' ? client._clientId : undefined;
  if (clientId !== undefined) trackNodeRedisCommands(client, clientId);
  else if (!warnedUntracked) {
    warnedUntracked = true;
    warn(
      'attachDatabasePool: this node-redis client publishes no client id (node-redis before 6.3), so ' +
        'commands awaiting a reply when an invocation ends are not seen: the client is closed behind them, ' +
        'and an invocation that starts before that close has finished waits for it (up to 1 s), then ' +
        'its commands fail with "The client is closed". node-redis 6.3+ lets the client stay open instead.',
    );
  }

  // The user may have reopened it already. `connect()` resolves once the client is ready; a failed
  // connect surfaces as the client's `error` event and as the errors of the handler's commands.
  const lifecycle = new ReopenableClose(() => (client.isOpen ? undefined : settle(client.connect())));
  const offlineQueueDisabled = () => client.options?.disableOfflineQueue === true;

  const busyCount = () =>
    (clientId === undefined ? 0 : nodeRedisCommandsInFlight(clientId)) +
    // Still opening (e.g. reopened at the start of this invocation): wait for it, then close it.
    (client.isOpen && client.isReady === false ? 1 : 0) +
    (lifecycle.inProgress ? 1 : 0);

  return {
    driver: 'node-redis',
    busyCount,
    releaseIdle: () => {
      const pending = lifecycle.pending;
      if (pending) return pending;
      // Not while still opening: node-redis leaves a socket that is closed mid-handshake open.
      const usable = client.isOpen && client.isReady !== false && client.isPubSubActive !== true;
      if (offlineQueueDisabled() || !usable || busyCount() > 0) return Promise.resolve();
      return lifecycle.close(() => (client.close ? client.close() : client.quit?.()));
    },
    prepareForInvocation: () => lifecycle.prepareForInvocation(),
    reopens: true,
    used: clientId === undefined ? undefined : () => nodeRedisUsed(clientId),
    onIdle: () => {},
    leftAloneReason: () =>
      offlineQueueDisabled()
        ? 'attachDatabasePool: this node-redis client has disableOfflineQueue: true, so a connection ' +
          'closed before the freeze could not take commands while it reconnects; it is left open.'
        : undefined,
  };
}
