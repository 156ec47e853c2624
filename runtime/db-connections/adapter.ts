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
   * that sat idle across the freeze (the server may have closed them meanwhile). Synchronous: it
   * only starts work, the driver queues the handler's commands until it is done.
   */
  prepareForInvocation(): void;

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
