/** Upstream's `RuntimeCache`: a key-value cache with TTLs and tags, shared across invocations. */
export interface RuntimeCache {
  /** Removes the entry stored under `key`; resolves whether or not it existed. */
  delete: (key: string) => Promise<void>;
  /** Resolves to the stored value, or `null` on a miss (absent, expired, or expired by tag). */
  get: (key: string) => Promise<unknown | null>;
  /** Stores `value` (JSON semantics) under `key`; `ttl` is in seconds, `name` defaults to `key`. */
  set: (
    key: string,
    value: unknown,
    options?: { name?: string; tags?: string[]; ttl?: number },
  ) => Promise<void>;
  /** Expires every entry carrying any of the tags, in every namespace. */
  expireTag: (tag: string | string[]) => Promise<void>;
}

/** Options of `getCache()`. */
export interface CacheOptions {
  /** Replaces the default key hash (upstream's djb2 variant). */
  keyHashFunction?: (key: string) => string;
  /** Prefixes every hashed key, e.g. `products` → `products$b876d32`. */
  namespace?: string;
  /** Separator between namespace and hashed key. @default '$' */
  namespaceSeparator?: string;
}
