/**
 * Collects the promises handed to `waitUntil()` during one invocation and waits for them after the
 * response has been sent.
 *
 * Node 24 Lambda no longer keeps the invocation alive for promises nobody awaits, so the adapter
 * must await them itself before the handler's promise resolves
 * (https://docs.aws.amazon.com/lambda/latest/dg/config-rs-write-functions.html).
 */
export class Awaiter {
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  /**
   * @param onRejection told of every registered promise that rejects
   * @param onLate told of each `waitUntil()` call after the drain finished (see {@link close})
   */
  constructor(
    private readonly onRejection: (reason: unknown) => void,
    private readonly onLate: () => void = () => {},
  ) {}

  /**
   * Registers a promise. A rejection is reported to `onRejection` and never rethrown.
   *
   * After the drain finished, the promise is not awaited — upstream's `waitUntil()` is a no-op
   * outside a request too — but `onLate` is told, so code that kept the old request context (a
   * timer set during the request) does not lose its work silently; its rejection is still reported.
   */
  readonly waitUntil = (promise: PromiseLike<unknown>): void => {
    if (this.closed) {
      this.onLate();
      Promise.resolve(promise).catch((reason: unknown) => this.onRejection(reason));
      return;
    }
    const tracked: Promise<unknown> = Promise.resolve(promise)
      .catch((reason: unknown) => this.onRejection(reason))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  };

  /** Number of registered promises that have not settled yet. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Marks the invocation's drain as finished: nothing awaits promises registered from now on, so
   * `waitUntil()` reports them to `onLate`. {@link drain} calls it when it returns; call it
   * directly when there was nothing to drain.
   */
  close(): void {
    this.closed = true;
  }

  /**
   * Waits until every registered promise has settled — including promises registered while
   * draining — or until `budgetMs` has elapsed, whichever comes first; then {@link close}s.
   * Resolves with the number of promises still pending, abandoned rather than awaited (0 when
   * every one settled).
   */
  async drain(budgetMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    // Set before `budget` resolves, so the loop sees it as soon as the race gives way.
    let outOfTime = false;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(
        () => {
          outOfTime = true;
          resolve();
        },
        Math.max(0, budgetMs),
      );
    });
    try {
      while (this.pending.size > 0 && !outOfTime) {
        await Promise.race([Promise.allSettled([...this.pending]), budget]);
      }
    } finally {
      clearTimeout(timer);
      this.close();
    }
    return this.pending.size;
  }
}
