import { WeightedLru } from './weighted-lru';

/**
 * How long after this process wrote or deleted a key its reads of that key are strongly consistent.
 * An eventually consistent read may miss a write that has just completed; AWS documents only that a
 * read repeated "after a short time" sees it, and its older wording was that copies are "usually"
 * consistent "within a second"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html).
 * One second gives a process its own writes back (`await set(k, v); await get(k)` returns `v`) while
 * paying the doubled read cost only for the few keys it has just written, not for every hit.
 */
export const READ_YOUR_WRITES_WINDOW_MS = 1_000;

/** Options of a {@link RecentWrites}. */
export interface RecentWritesOptions {
  /** @default READ_YOUR_WRITES_WINDOW_MS */
  readonly windowMs?: number;
  /** @default 10_000 */
  readonly maxEntries?: number;
  /** Approximate memory budget in UTF-16 code units of keys. @default 1_000_000 (≈ 2 MB) */
  readonly maxWeight?: number;
}

// Fixed cost charged per key on top of its text (the Map entry and the timestamp).
const ENTRY_OVERHEAD = 64;

/**
 * Per-process memory of the keys this process wrote or deleted within the last `windowMs`, so their
 * reads can ask the store for strong consistency (read-your-own-writes).
 *
 * Bounded by count and weight: the oldest writes are dropped first (a write moves its key to the
 * newest end), and those are the ones whose window has most likely passed. A key dropped while still
 * inside its window is read eventually consistent, as any other process reads it.
 *
 * Holds no per-request data: safe to share across concurrent invocations.
 */
export class RecentWrites {
  private readonly windowMs: number;
  private readonly writes: WeightedLru<number>;

  constructor(options: RecentWritesOptions = {}) {
    this.windowMs = options.windowMs ?? READ_YOUR_WRITES_WINDOW_MS;
    this.writes = new WeightedLru({
      maxEntries: options.maxEntries ?? 10_000,
      maxWeight: options.maxWeight ?? 1_000_000,
    });
  }

  /** Records that this process finished writing or deleting `key` at `at` (epoch ms). */
  record(key: string, at: number): void {
    this.writes.set(key, at, ENTRY_OVERHEAD + key.length);
  }

  /** Whether `key` was written or deleted by this process less than `windowMs` before `at`. */
  isRecent(key: string, at: number): boolean {
    // peek: a read must not make an old write look recent to the eviction order.
    const writtenAt = this.writes.peek(key);
    if (writtenAt === undefined) return false;
    if (at - writtenAt < this.windowMs) return true;
    this.writes.delete(key);
    return false;
  }

  /** Number of keys remembered (some may be past their window until next looked up). */
  get size(): number {
    return this.writes.size;
  }
}
