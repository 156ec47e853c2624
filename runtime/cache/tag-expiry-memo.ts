import { WeightedLru } from './weighted-lru';

/** The expiry of a tag that was never expired: older than every entry. */
// A literal, not `Number.NEGATIVE_INFINITY`: esbuild keeps a global's property read in every bundle
// that imports the runtime's index, used or not (it may have side effects).
export const NEVER_EXPIRED = -Infinity;

/**
 * Vercel documents that `expireTag` "is propagated globally across all Vercel regions within
 * 300ms" (https://vercel.com/docs/functions/functions-api-reference/vercel-functions-package#getcache),
 * so code written for Vercel already tolerates another instance serving an expired entry for that
 * long. Trusting a tag's expiry row for as long costs no guarantee a Vercel app relies on.
 */
export const DEFAULT_TAG_EXPIRY_MEMO_MS = 300;

/** Options of a {@link TagExpiryMemo}. */
export interface TagExpiryMemoOptions {
  /** How long a tag's expiry, once learnt, is trusted without reading it again; 0 disables the memo. */
  readonly maxAgeMs: number;
  /** @default 10_000 */
  readonly maxEntries?: number;
  /** Approximate memory budget in UTF-16 code units of tags. @default 1_000_000 (≈ 2 MB) */
  readonly maxWeight?: number;
}

interface Memo {
  /** Latest expiry known (epoch ms), or NEVER_EXPIRED. */
  readonly expiredAt: number;
  /** When that knowledge was current: the start of the read that learnt it, or of our own expireTag. */
  readonly asOf: number;
}

// Fixed cost charged per tag on top of its text (the Map entry and the record).
const ENTRY_OVERHEAD = 64;

/**
 * Per-process memory of each tag's latest `expireTag` (epoch ms), so a hit on an entry whose tags
 * were checked moments ago reads only the entry itself.
 *
 * An expiry is a fact that never goes stale — entries created before it stay expired — so what the
 * memo knows is always safe to apply; only *not reading* the row is bounded: a tag learnt at `asOf`
 * is trusted while `now - asOf < maxAgeMs`, after which the next read fetches its row again. Merging
 * keeps the latest expiry and the latest `asOf`, so a read that fetched a row before this process's
 * own `expireTag` cannot regress the memo when it completes after it.
 *
 * Least recently used tags are dropped beyond `maxEntries` or `maxWeight`. Holds no per-request
 * data: safe to share across concurrent invocations.
 */
export class TagExpiryMemo {
  private readonly maxAgeMs: number;
  private readonly memos: WeightedLru<Memo>;

  constructor(options: TagExpiryMemoOptions) {
    this.maxAgeMs = options.maxAgeMs;
    this.memos = new WeightedLru({
      maxEntries: options.maxEntries ?? 10_000,
      maxWeight: options.maxWeight ?? 1_000_000,
    });
  }

  /**
   * The expiry of `tag` (or {@link NEVER_EXPIRED}) when it was learnt less than `maxAgeMs` before
   * `at`, marking it recently used; `undefined` when its row must be read.
   */
  trusted(tag: string, at: number): number | undefined {
    const memo = this.memos.get(tag);
    return memo !== undefined && at - memo.asOf < this.maxAgeMs ? memo.expiredAt : undefined;
  }

  /** The latest expiry known for `tag`, however old the knowledge; `undefined` when none. */
  latest(tag: string): number | undefined {
    return this.memos.peek(tag)?.expiredAt;
  }

  /**
   * Records that `tag`'s expiry was `expiredAt` (or {@link NEVER_EXPIRED}) as of `asOf`, keeping the
   * later of this and what is already known. Returns the expiry to apply. A no-op with `maxAgeMs` 0.
   */
  record(tag: string, expiredAt: number, asOf: number): number {
    if (this.maxAgeMs === 0) return expiredAt;
    const known = this.memos.peek(tag);
    const merged: Memo = known
      ? { expiredAt: Math.max(known.expiredAt, expiredAt), asOf: Math.max(known.asOf, asOf) }
      : { expiredAt, asOf };
    this.memos.set(tag, merged, ENTRY_OVERHEAD + tag.length);
    return merged.expiredAt;
  }

  /** Number of tags remembered. */
  get size(): number {
    return this.memos.size;
  }
}
