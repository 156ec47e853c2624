/** Bounds of a {@link WeightedLru}. */
export interface WeightedLruOptions {
  /** Most values kept. */
  readonly maxEntries: number;
  /** Most total weight kept, in whatever unit the caller weighs values in. */
  readonly maxWeight: number;
}

/**
 * A least-recently-used map bounded both by count and by a caller-given weight per value, for the
 * per-process memories of the Runtime Cache (entry layouts, tag expiries): a count alone would not
 * bound memory when values differ 500-fold in size. A `Map` keeps insertion order, which is all an
 * LRU needs. (`lru-cache` is in node_modules only as a dependency of dev tooling; the runtime does not
 * declare it, so it cannot rely on it.)
 *
 * Holds whatever its owner puts in it; the cache's owners keep no per-request data here.
 */
export class WeightedLru<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly weight: number }>();
  private readonly maxEntries: number;
  private readonly maxWeight: number;
  private weight = 0;

  constructor(options: WeightedLruOptions) {
    this.maxEntries = options.maxEntries;
    this.maxWeight = options.maxWeight;
  }

  /** The value of `key`, marking it recently used. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** The value of `key`, leaving its recency alone. */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /**
   * Stores `value` as the most recently used, dropping the least recently used values beyond the
   * bounds. A value heavier than `maxWeight` on its own is not kept (and the old one is dropped).
   */
  set(key: string, value: V, weight: number): void {
    this.delete(key);
    if (weight > this.maxWeight) return;
    this.entries.set(key, { value, weight });
    this.weight += weight;
    for (const [oldest, old] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.weight <= this.maxWeight) break;
      this.entries.delete(oldest);
      this.weight -= old.weight;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.weight -= entry.weight;
  }

  /** Number of values kept. */
  get size(): number {
    return this.entries.size;
  }
}
