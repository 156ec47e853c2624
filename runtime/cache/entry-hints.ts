import { WeightedLru } from './weighted-lru';

/** What a read needs to know in advance to fetch an entry in one round trip. */
export interface EntryHint {
  /** Items the entry is stored in (head included). */
  readonly chunks: number;
  /** The entry's tags, whose expiry rows are fetched alongside it. */
  readonly tags: readonly string[];
}

/** Bounds of an {@link EntryHints}. */
export interface EntryHintsOptions {
  /** @default 10_000 */
  readonly maxEntries?: number;
  /** Approximate memory budget in UTF-16 code units of keys and tags. @default 2_000_000 (≈ 4 MB) */
  readonly maxWeight?: number;
}

// Fixed cost charged per remembered key on top of its text, so many tagless keys stay bounded too.
const ENTRY_OVERHEAD = 64;

/**
 * Per-process memory of each key's chunk count and tags, learnt from earlier reads and writes, so
 * the next read fetches the entry's items and its tags' expiry rows in one round trip. A hint is
 * only a guess: the read checks it against the head item and fetches whatever it missed.
 *
 * Least recently used keys are dropped beyond `maxEntries` or `maxWeight` — a key with 128 long
 * tags weighs 500 times a tagless one, so a count alone would not bound memory.
 *
 * Holds no per-request data: safe to share across concurrent invocations.
 */
export class EntryHints {
  private readonly hints: WeightedLru<EntryHint>;

  constructor(options: EntryHintsOptions = {}) {
    this.hints = new WeightedLru({
      maxEntries: options.maxEntries ?? 10_000,
      maxWeight: options.maxWeight ?? 2_000_000,
    });
  }

  /** The hint for `key`, marking it recently used. */
  get(key: string): EntryHint | undefined {
    return this.hints.get(key);
  }

  remember(key: string, hint: EntryHint): void {
    const weight = ENTRY_OVERHEAD + key.length + hint.tags.reduce((sum, tag) => sum + tag.length, 0);
    this.hints.set(key, { chunks: hint.chunks, tags: [...hint.tags] }, weight);
  }

  forget(key: string): void {
    this.hints.delete(key);
  }

  /** Number of remembered keys. */
  get size(): number {
    return this.hints.size;
  }
}
