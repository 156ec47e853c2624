import { isRecord, type PoolAdapter, ReopenableClose, settle } from '../adapter';

/*
 * `ioredis` `Redis` (5.x / 6.x): one connection per client, no pool. Read from
 * node_modules/ioredis/built/Redis.js and redis/event_handler.js:
 * - `status` is `'ready'` when usable and turns `'close'`, then `'end'` (or `'reconnecting'`), only
 *   once the socket has closed; `connect()` opens it again (it refuses while connecting or connected).
 * - `commandQueue` (public) holds the commands written and awaiting a reply, the offline queue the
 *   ones not written yet: both empty = idle. Subscriber and monitor mode hold the connection open
 *   on purpose (`mode` is not `'normal'`): such a client is never closed here.
 * - The adapter closes with `disconnect()` (the socket's `end()`), not `quit()`: Redis prefers a
 *   client-side close to QUIT (deprecated since Redis 7.2, https://redis.io/commands/quit), and it
 *   matters here. After QUIT the status stays `'ready'` until the server's reply, so a command
 *   issued meanwhile is written onto a connection the server is closing and fails. After `end()`
 *   the socket takes no more writes: a command issued meanwhile waits in the offline queue.
 * - When the socket closes, ioredis fails what the offline queue holds if the close was requested
 *   (`manuallyClosing`, a private field), and otherwise reconnects (per `retryStrategy`) and then
 *   sends it. So when an invocation starts while the adapter's close is still under way, the
 *   adapter clears that flag: the close turns into an ordinary reconnect, and the handler's commands
 *   are sent on the new connection. With a `retryStrategy` that gives up, or an ioredis without that
 *   field, they fail with "Connection is closed" and the client is reopened after the close.
 * - Commands issued while `connect()` is in progress wait in the offline queue
 *   (`enableOfflineQueue`, on by default). With it off, a client closed here would fail the next
 *   invocation's first command, so such a client is left alone.
 * ioredis emits nothing per reply: a connection that turns idle between invocations is found by
 * the lifecycle's polling. Nor does it name the client in its per-command tracing, so whether the
 * application used the client (PoolAdapter.used) is seen by wrapping the client's own
 * `sendCommand`, which every command and pipeline goes through; the handshake's commands (AUTH,
 * HELLO, SELECT, the ready check) are sent while the status is `'connect'` and do not count.
 */

export interface IoredisLike {
  readonly status: string;
  readonly mode?: string;
  readonly options: { readonly enableOfflineQueue?: boolean };
  readonly commandQueue: { readonly length: number };
  readonly offlineQueue?: { readonly length: number };
  manuallyClosing?: boolean;
  sendCommand?(...args: unknown[]): unknown;
  connect(): Promise<unknown>;
  disconnect(): void;
  once(event: 'close' | 'end' | 'ready', listener: () => void): unknown;
  off(event: 'close' | 'end' | 'ready', listener: () => void): unknown;
}

/** An ioredis client (not a Cluster: its connections live in per-node clients). */
export function isIoredis(client: unknown): client is IoredisLike {
  return (
    isRecord(client) &&
    typeof client.status === 'string' &&
    isRecord(client.options) &&
    isRecord(client.commandQueue) &&
    typeof client.quit === 'function' &&
    typeof client.disconnect === 'function' &&
    typeof client.connect === 'function' &&
    typeof client.once === 'function' &&
    typeof client.off === 'function' &&
    client.isCluster !== true
  );
}

export function ioredisAdapter(client: IoredisLike): PoolAdapter {
  // The user may have reopened it already, or ioredis is reconnecting by itself. A failed connect
  // is reported by ioredis (its `error` event and the commands' errors).
  const lifecycle = new ReopenableClose(() => {
    if (client.status === 'end') void settle(client.connect());
    return ready();
  });

  // Resolves once the client is `'ready'`, or has given up (`'end'`). `connect()` resolves earlier,
  // on the socket's connect, before ioredis's own handshake: a handler guard reading `status` then
  // would still call `connect()`, which refuses ("Redis is already connecting/connected").
  const ready = (): Promise<void> | undefined => {
    if (client.status === 'ready' || client.status === 'end' || client.status === 'wait') return undefined;
    return new Promise((resolve) => {
      const done = () => {
        client.off('ready', done);
        client.off('end', done);
        resolve();
      };
      client.once('ready', done);
      client.once('end', done);
    });
  };

  // Still opening (e.g. reopened at the start of this invocation): wait for it, then close it.
  const opening = () => ['connecting', 'connect', 'reconnecting'].includes(client.status);
  // A close under way counts as busy: the end of the invocation waits for it within the grace.
  const busyCount = () =>
    client.commandQueue.length +
    (client.offlineQueue?.length ?? 0) +
    (opening() ? 1 : 0) +
    (lifecycle.inProgress ? 1 : 0);
  const normalMode = () => client.mode === undefined || client.mode === 'normal';

  // Resolves once the socket has closed (ioredis's `close`, or `end` when it does not reconnect).
  const disconnect = (): Promise<void> => {
    const closed = new Promise<void>((resolve) => {
      const done = () => {
        client.off('close', done);
        client.off('end', done);
        resolve();
      };
      client.once('close', done);
      client.once('end', done);
    });
    client.disconnect();
    return closed;
  };

  let used = false;
  const send = client.sendCommand;
  if (typeof send === 'function') {
    client.sendCommand = function (this: unknown, ...args: unknown[]) {
      if (client.status !== 'connect') used = true;
      return send.apply(this, args);
    };
  }

  return {
    driver: 'ioredis',
    busyCount,
    releaseIdle: () => {
      const pending = lifecycle.pending;
      if (pending) return pending;
      if (client.options.enableOfflineQueue === false || client.status !== 'ready' || !normalMode()) {
        return Promise.resolve();
      }
      if (busyCount() > 0) return Promise.resolve();
      return lifecycle.close(disconnect);
    },
    prepareForInvocation: () => {
      // Turns the close under way into an ordinary reconnect (see the comment at the top).
      if (lifecycle.inProgress && typeof client.manuallyClosing === 'boolean') client.manuallyClosing = false;
      return lifecycle.prepareForInvocation();
    },
    reopens: true,
    used:
      typeof send === 'function'
        ? () => {
            const sent = used;
            used = false;
            return sent;
          }
        : undefined,
    onIdle: () => {},
    leftAloneReason: () =>
      client.options.enableOfflineQueue === false
        ? 'attachDatabasePool: this ioredis client has enableOfflineQueue: false, so a connection ' +
          'closed before the freeze could not take commands while it reconnects; it is left open.'
        : undefined,
  };
}
