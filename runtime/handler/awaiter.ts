/** How a drain ended: every promise settled, or the time budget ran out with work still running. */
export interface DrainResult {
  /** Promises that settled (fulfilled or rejected) during the drain. */
  readonly settled: number;
  /** Promises still pending when the budget ran out; they are abandoned, not awaited. */
  readonly abandoned: number;
}

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
  private settledCount = 0;
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
      .finally(() => {
        this.pending.delete(tracked);
        this.settledCount++;
      });
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
   */
  async drain(budgetMs: number): Promise<DrainResult> {
    const before = this.settledCount;
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, budgetMs));
    });
    try {
      while (this.pending.size > 0) {
        const batch = Promise.allSettled([...this.pending]).then(() => 'settled' as const);
        if ((await Promise.race([batch, outOfTime])) === 'timeout') break;
      }
    } finally {
      clearTimeout(timer);
      this.close();
    }
    return { settled: this.settledCount - before, abandoned: this.pending.size };
  }
}
