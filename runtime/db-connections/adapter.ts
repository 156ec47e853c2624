/**
 * What the invocation lifecycle (lifecycle.ts) needs from one attached pool or client. One small
 * adapter per driver (adapters/*.ts) maps it to that driver's own notion of idle connections.
 */
export interface PoolAdapter {
  /** The driver, for log lines: `'pg'`, `'mysql2'`, `'mariadb'`, ... */
  readonly driver: string;

  /**
   * Connections checked out (or, for a single-connection client, commands awaiting a reply) right
   * now. The end of an invocation waits, within the grace, for this to reach 0 so that those
   * connections can be released too; it never closes a busy one.
   */
  busyCount(): number;

  /**
   * Closes every idle connection, gracefully where the driver can (the server sees a normal
   * disconnect), and resolves once they are closed. Never touches a busy connection. Must not throw
   * or reject: failures are the driver's to report.
   */
  releaseIdle(): Promise<void>;

  /**
   * Called when an invocation starts, before the user's handler, after a possible freeze: reopens
   * what `releaseIdle` closed when the driver will not reconnect by itself, and drops connections
   * that sat idle across the freeze (the server may have closed them meanwhile). It only starts
   * that work; when it reopened a client, it returns a promise that resolves once the client is
   * usable (or has given up), which the invocation start awaits, bounded, so that the handler's own
   * guards (`if (!client.isReady) await client.connect()`) do not see a client half-way through
   * connecting. Never rejects.
   */
  prepareForInvocation(): Promise<void> | undefined;

  /**
   * True for single clients that `releaseIdle` closes and `prepareForInvocation` opens again
   * (Redis): once such clients are seen created per request, the lifecycle stops reopening those
   * attached during an invocation after it has ended (lifecycle.ts). Pools that reconnect by
   * themselves leave it unset.
   */
  readonly reopens?: boolean;

  /**
   * For clients that `reopens`: whether the application sent the client a command since the last
   * call (handshake commands excluded), even one that failed because the client was closed. A
   * client used in a later invocation than the one that attached it is cached, never taken for a
   * per-request client (lifecycle.ts). Absent when the driver does not show it.
   */
  used?(): boolean;

  /** Calls `listener` whenever a connection may have turned idle. Drivers without such events ignore it. */
  onIdle(listener: () => void): void;

  /**
   * Why this pool's connections are left alone, when they are (e.g. the pool reopens whatever is
   * closed); logged once. `undefined` while the adapter releases connections.
   */
  leftAloneReason(): string | undefined;

  /**
   * True once the application has shut the pool down for good (e.g. pg's `end()`), so the lifecycle
   * can forget it. Absent for clients that may be reopened (Redis, MongoDB): those are forgotten once
   * garbage-collected.
   */
  ended?(): boolean;
}

/** Resolves after `promise` settles; never rejects. For closing calls whose errors the driver reports itself. */
export function settle(promise: PromiseLike<unknown> | undefined): Promise<void> {
  return Promise.resolve(promise).then(
    () => undefined,
    () => undefined,
  );
}

interface ErrorEmitter {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  listenerCount(event: 'error'): number;
}

/**
 * Listens to `emitter`'s `error` event, so that a connection failing while idle — typically one the
 * server closed during a freeze, noticed right after the thaw — does not crash the process (an
 * `error` event nobody listens to is thrown). The driver has already dropped that connection. The
 * failure is logged only while this is the sole listener: a user's own handler keeps control.
 */
export function guardErrorEvent(emitter: ErrorEmitter, warn: (message: string) => void, what: string): void {
  emitter.on('error', (error) => {
    if (emitter.listenerCount('error') === 1) warn(`attachDatabasePool: ${what}: ${String(error)}`);
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The close/reopen bookkeeping of a client (or pool) that an adapter closes at an invocation's end
 * and reopens at the next start. A close under way counts as busy ({@link inProgress}), and an
 * invocation that starts during it reopens only once the close has finished: a connection opened
 * earlier would share the closing one's command queue, and replies would reach the wrong commands.
 */
export class ReopenableClose {
  // Closed (or being closed) here, and not reopened since.
  private closedHere = false;
  // Resolves once the close started here has finished.
  private closing: Promise<void> | undefined;
  // An invocation started during `closing`: reopen once it is done.
  private reopenAfterClose = false;
  // Resolves once the last reopen has made the client usable (or it gave up).
  private reopened: Promise<void> | undefined;

  /**
   * @param reopen opens the client again (only called for what was closed here); returns a promise
   *   that resolves, never rejects, once the client is usable or has given up, or `undefined` when
   *   there is nothing to wait for (e.g. the user reopened it already).
   */
  constructor(private readonly reopen: () => Promise<void> | undefined) {}

  /** Whether a close started here is still under way. */
  get inProgress(): boolean {
    return this.closing !== undefined;
  }

  /** The close under way, if any: resolves once it has finished. */
  get pending(): Promise<void> | undefined {
    return this.closing;
  }

  /** Closes with `close` unless a close is under way already; resolves once it has finished. */
  close(close: () => PromiseLike<unknown> | undefined): Promise<void> {
    if (this.closing) return this.closing;
    this.closedHere = true;
    const closed = settle(close()).then(() => {
      this.closing = undefined;
      if (this.reopenAfterClose) {
        this.reopenAfterClose = false;
        this.reopenNow();
      }
    });
    this.closing = closed;
    return closed;
  }

  /**
   * At an invocation's start: reopens what was closed here, now or once its close has finished.
   * Returns what to wait for before the handler runs (see PoolAdapter.prepareForInvocation), or
   * `undefined` when nothing was closed here.
   */
  prepareForInvocation(): Promise<void> | undefined {
    if (!this.closedHere) return undefined;
    if (this.closing) {
      this.reopenAfterClose = true;
      // Chained after the close's own continuation, which has reopened by then.
      return this.closing.then(() => this.reopened);
    }
    return this.reopenNow();
  }

  private reopenNow(): Promise<void> | undefined {
    this.closedHere = false;
    this.reopened = this.reopen();
    return this.reopened;
  }
}
