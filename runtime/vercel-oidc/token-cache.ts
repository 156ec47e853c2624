/** A token and when it stops being valid. */
export interface ExpiringToken {
  readonly token: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

export interface ExpiringTokenCacheOptions {
  /**
   * The clock.
   *
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * The longest time before expiry at which a cached token is replaced. Shorter-lived tokens are
   * replaced once a fifth of their lifetime is left, so a 60 s token is still reused for 48 s.
   *
   * @default 60_000
   */
  readonly maxRefreshMarginMs?: number;
  /**
   * Entries kept; the least recently used one goes first (as upstream's exchange cache).
   *
   * @default 1000
   */
  readonly maxEntries?: number;
}

export interface GetTokenOptions {
  /** Replace the cached token when it has less than this left (upstream's `expirationBufferMs`). */
  readonly minValidityMs?: number;
  /** Fetch a new token even when a cached one is still good; the new one replaces it. */
  readonly skipCache?: boolean;
}

interface Entry extends ExpiringToken {
  readonly fetchedAt: number;
}

/**
 * Tokens by key, each reused until shortly before it expires. Concurrent callers asking for the
 * same key while a fetch is under way share that fetch: under Lambda Managed Instances one process
 * serves many invocations at once, and a cold start would otherwise send one STS call per request.
 * A failed fetch is not cached; the next caller tries again.
 */
export class ExpiringTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Entry>>();
  private readonly now: () => number;
  private readonly maxRefreshMarginMs: number;
  private readonly maxEntries: number;

  constructor(options: ExpiringTokenCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxRefreshMarginMs = options.maxRefreshMarginMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 1000;
  }

  /** The cached token for `key` while it is fresh enough, else the result of `fetch` (shared). */
  async get(
    key: string,
    fetch: () => Promise<ExpiringToken>,
    options: GetTokenOptions = {},
  ): Promise<string> {
    if (!options.skipCache) {
      const cached = this.entries.get(key);
      if (cached && this.isFresh(cached, options.minValidityMs ?? 0)) {
        // Refresh its recency for the LRU order.
        this.entries.delete(key);
        this.entries.set(key, cached);
        return cached.token;
      }
      const inFlight = this.pending.get(key);
      if (inFlight) return (await inFlight).token;
    }
    return (await this.fetchInto(key, fetch)).token;
  }

  /** Forgets every token (tests; or after the function's identity changed). */
  clear(): void {
    this.entries.clear();
    this.pending.clear();
  }

  private isFresh(entry: Entry, minValidityMs: number): boolean {
    const margin = Math.min(this.maxRefreshMarginMs, (entry.expiresAt - entry.fetchedAt) / 5);
    return entry.expiresAt - this.now() > Math.max(margin, minValidityMs);
  }

  private fetchInto(key: string, fetch: () => Promise<ExpiringToken>): Promise<Entry> {
    const fetchedAt = this.now();
    const promise = fetch().then(
      ({ token, expiresAt }) => {
        const entry = { token, expiresAt, fetchedAt };
        this.entries.delete(key);
        this.entries.set(key, entry);
        while (this.entries.size > this.maxEntries) {
          const oldest = this.entries.keys().next().value as string;
          this.entries.delete(oldest);
        }
        if (this.pending.get(key) === promise) this.pending.delete(key);
        return entry;
      },
      (error: unknown) => {
        if (this.pending.get(key) === promise) this.pending.delete(key);
        throw error;
      },
    );
    this.pending.set(key, promise);
    return promise;
  }
}
