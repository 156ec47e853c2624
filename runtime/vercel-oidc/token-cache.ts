import { getContext } from '../get-context';

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
  /**
   * After a refresh failed while the cached token was still valid, how long the cached token is
   * served before the next refresh is tried.
   *
   * @default 5_000
   */
  readonly refreshRetryDelayMs?: number;
  /**
   * Told about a refresh that failed while the cached token was still valid (and so was served
   * instead): the failure reaches no caller, so this is where it becomes visible.
   *
   * @default - a warning on the console
   */
  readonly onRefreshError?: (error: unknown, validForMs: number) => void;
  /**
   * Given each refresh that runs in the background (it never rejects), to keep the invocation
   * alive until it ends: Lambda freezes the process once the response is sent, and a refresh
   * frozen midway would hand its stale socket error to a later request.
   *
   * @default - the current request's `waitUntil` (none outside a request)
   */
  readonly waitUntil?: (refresh: Promise<unknown>) => void;
}

export interface GetTokenOptions {
  /** Replace the cached token when it has less than this left (upstream's `expirationBufferMs`). */
  readonly minValidityMs?: number;
  /** Fetch a new token even when a cached one is still good; the new one replaces it. */
  readonly skipCache?: boolean;
}

/** A fetch under way, and whether a caller awaits its result (else its failure reaches nobody). */
interface Pending {
  readonly promise: Promise<Entry>;
  awaited: boolean;
}

interface Entry extends ExpiringToken {
  readonly fetchedAt: number;
  /** Set when a refresh failed: no new refresh before this time while the token is still valid. */
  retryAt?: number;
}

/**
 * Tokens by key, each reused until shortly before it expires. Concurrent callers asking for the
 * same key while a fetch is under way share that fetch: under Lambda Managed Instances one process
 * serves many invocations at once, and a cold start would otherwise send one STS call per request.
 *
 * A token is refreshed early (see `maxRefreshMarginMs`), in the background: callers get the cached
 * token at once while it is still valid for them (`minValidityMs`), and never wait for a refresh
 * they do not need. When that refresh fails (STS throttling or an outage), `onRefreshError` is told,
 * callers keep getting the cached token, and the next refresh is tried only after
 * `refreshRetryDelayMs`, so a struggling STS is not sent one call per request. Only a caller the
 * cached token cannot serve — none cached, or too little time left — waits for a fetch and gets its
 * error; a background refresh that failed after the token expired, with nobody waiting, is logged.
 * A failure is never kept: with no usable token, the next caller tries again.
 */
export class ExpiringTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;
  private readonly maxRefreshMarginMs: number;
  private readonly maxEntries: number;
  private readonly refreshRetryDelayMs: number;
  private readonly onRefreshError: (error: unknown, validForMs: number) => void;
  private readonly waitUntil: (refresh: Promise<unknown>) => void;

  constructor(options: ExpiringTokenCacheOptions = {}) {
    // Looked up on each call rather than kept, so a clock replaced later (fake timers) is honoured.
    this.now = options.now ?? (() => Date.now());
    this.maxRefreshMarginMs = options.maxRefreshMarginMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 1000;
    this.refreshRetryDelayMs = options.refreshRetryDelayMs ?? 5_000;
    this.onRefreshError = options.onRefreshError ?? warnRefreshFailed;
    this.waitUntil = options.waitUntil ?? ((refresh) => getContext().waitUntil?.(refresh));
  }

  /**
   * The cached token for `key` while it is still valid for `minValidityMs` — refreshed in the
   * background once due — else the result of `fetch` (shared with concurrent callers).
   */
  async get(
    key: string,
    fetch: () => Promise<ExpiringToken>,
    options: GetTokenOptions = {},
  ): Promise<string> {
    if (options.skipCache) return (await this.fetchInto(key, fetch, false).promise).token;
    const minValidityMs = options.minValidityMs ?? 0;
    const cached = this.entries.get(key);
    if (cached && this.isValid(cached, minValidityMs)) {
      // Refresh its recency for the LRU order.
      this.entries.delete(key);
      this.entries.set(key, cached);
      if (!this.isFresh(cached, minValidityMs)) this.refreshInBackground(key, fetch, cached);
      return cached.token;
    }
    const pending = this.pending.get(key) ?? this.fetchInto(key, fetch, true);
    pending.awaited = true;
    return (await pending.promise).token;
  }

  /** Forgets every token (tests; or after the function's identity changed). */
  clear(): void {
    this.entries.clear();
    this.pending.clear();
  }

  private refreshInBackground(key: string, fetch: () => Promise<ExpiringToken>, cached: Entry): void {
    // One refresh at a time; and after a failure, none until the back-off is over.
    if (this.pending.has(key) || (cached.retryAt !== undefined && this.now() < cached.retryAt)) return;
    // Its failure is handled in fetchInto (reported, or kept for the next caller).
    this.waitUntil(this.fetchInto(key, fetch, true).promise.then(ignore, ignore));
  }

  private isFresh(entry: Entry, minValidityMs: number): boolean {
    const margin = Math.min(this.maxRefreshMarginMs, (entry.expiresAt - entry.fetchedAt) / 5);
    return entry.expiresAt - this.now() > Math.max(margin, minValidityMs);
  }

  /** Not expired, and with more than `minValidityMs` left: past the margin, yet still good to hand out. */
  private isValid(entry: Entry, minValidityMs: number): boolean {
    return entry.expiresAt - this.now() > minValidityMs;
  }

  /**
   * @param refresh whether a failure leaves the cached token served (a normal refresh: back-off and
   *   `onRefreshError`), rather than reaching the caller only (`skipCache`, awaited from the start).
   *   A refresh that fails with no valid token left and nobody awaiting it is logged.
   */
  private fetchInto(key: string, fetch: () => Promise<ExpiringToken>, refresh: boolean): Pending {
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
        if (this.pending.get(key) === pending) this.pending.delete(key);
        return entry;
      },
      (error: unknown) => {
        if (this.pending.get(key) === pending) this.pending.delete(key);
        // Once per failed fetch, however many callers shared it.
        const stale = this.entries.get(key);
        if (refresh && stale && this.isValid(stale, 0)) {
          stale.retryAt = this.now() + this.refreshRetryDelayMs;
          this.onRefreshError(error, stale.expiresAt - this.now());
        } else if (!pending.awaited) {
          // A background refresh that outlasted the token, and no caller to tell: logged, not
          // kept, so the next caller fetches afresh rather than get an error that may be old.
          warnExpiredRefreshFailed(error);
        }
        throw error;
      },
    );
    const pending: Pending = { promise, awaited: !refresh };
    this.pending.set(key, pending);
    return pending;
  }
}

function ignore(): void {}

function describeFailure(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function warnExpiredRefreshFailed(error: unknown): void {
  console.warn(
    `[vercel-functions-aws] refreshing a cached OIDC token failed after it expired; the next call fetches a new one: ${describeFailure(error)}`,
  );
}

function warnRefreshFailed(error: unknown, validForMs: number): void {
  console.warn(
    `[vercel-functions-aws] refreshing a cached OIDC token failed; the cached token (valid for ${Math.round(validForMs / 1000)} s more) is used until a refresh succeeds: ${describeFailure(error)}`,
  );
}
