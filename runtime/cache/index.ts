import { resolveCacheBackend } from './backend';
import { createKeyTransformer } from './hash';
import type { CacheOptions, RuntimeCache } from './types';
import { nonStringKeyError } from './validation';

/**
 * Returns the Runtime Cache: a key-value store with TTLs and tags, shared across invocations.
 *
 * Keys are hashed exactly like upstream (so stored keys match: `'key'` → `b876d32`), optionally
 * prefixed with `namespace` + `namespaceSeparator` (default `$`). Tags are global, never
 * namespaced. `set` records the original key as the entry's `name` unless you pass one (`''`
 * included). The returned object looks up its backend on every call, so it is safe to create
 * once at module scope. A key that is not a string rejects with `InvalidCacheKeyError` (upstream
 * hashes it like `''`, so `get(42)` would read the `''` entry).
 *
 * Outside a deployed function with a cache table (local dev, tests, scripts) it falls back to a
 * process-local in-memory cache with upstream's semantics and logs, once per process,
 * "Runtime Cache unavailable in this environment. Falling back to in-memory cache."
 *
 * @param cacheOptions Key hashing and namespacing.
 * @example
 * ```ts
 * import { getCache } from '@vercel/functions';
 *
 * const cache = getCache({ namespace: 'blog' });
 *
 * export default {
 *   async fetch() {
 *     const cached = await cache.get('posts');
 *     if (cached) return Response.json(cached);
 *     const posts = await fetch('https://api.example.com/posts').then((res) => res.json());
 *     await cache.set('posts', posts, { ttl: 3600, tags: ['blog'] });
 *     return Response.json(posts);
 *   },
 * };
 * ```
 */
export const getCache = (cacheOptions?: CacheOptions): RuntimeCache => {
  const makeKey = createKeyTransformer(cacheOptions);
  // Checked before hashing: the hash (upstream's or the caller's) must only ever see strings.
  return {
    get: (key) =>
      typeof key === 'string'
        ? resolveCacheBackend().get(makeKey(key))
        : Promise.reject(nonStringKeyError(key)),
    set: (key, value, options) =>
      typeof key === 'string'
        ? resolveCacheBackend().set(makeKey(key), value, { ...options, name: options?.name ?? key })
        : Promise.reject(nonStringKeyError(key)),
    delete: (key) =>
      typeof key === 'string'
        ? resolveCacheBackend().delete(makeKey(key))
        : Promise.reject(nonStringKeyError(key)),
    expireTag: (tag) => resolveCacheBackend().expireTag(tag),
  };
};
