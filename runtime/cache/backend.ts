import { getContext } from '../get-context';
import { InMemoryCache } from './in-memory-cache';
import type { RuntimeCache } from './types';

/** Logged once per process when the in-memory fallback is first used (upstream's exact text). */
export const CACHE_UNAVAILABLE_WARNING =
  'Runtime Cache unavailable in this environment. Falling back to in-memory cache.';

interface FallbackState {
  readonly cache: InMemoryCache;
  warned: boolean;
}

// Process-wide, like upstream: the fallback must outlive a request to be a cache at all, and it
// holds no per-request state. Kept on globalThis rather than in module scope because the dev
// server loads one bundle per function into the same process, and each bundle carries its own
// copy of this module; they must share one cache, as functions of a project share the Runtime
// Cache. Worker threads have their own globalThis, so each thread has its own cache.
const FALLBACK_KEY = Symbol.for('vercel-functions-aws/in-memory-cache');

function fallbackState(): FallbackState {
  const slot = globalThis as Record<symbol, FallbackState | undefined>;
  slot[FALLBACK_KEY] ??= { cache: new InMemoryCache(), warned: false };
  return slot[FALLBACK_KEY];
}

function fallbackCache(): RuntimeCache {
  const state = fallbackState();
  // Upstream stays quiet when the in-memory cache was chosen on purpose.
  if (process.env.RUNTIME_CACHE_DISABLE_BUILD_CACHE !== 'true' && !state.warned) {
    state.warned = true;
    console.warn(CACHE_UNAVAILABLE_WARNING);
  }
  return state.cache;
}

/**
 * Picks the cache that backs `getCache()` for this call: the request context's cache when the
 * adapter provides one, else the process-wide in-memory fallback. This is the seam for the
 * DynamoDB-backed cache: it arrives through the context (or is chosen here from the table
 * settings before falling back to memory).
 *
 * Called on every cache operation, never once per `getCache()`, so a cache object kept across
 * requests always uses the current request's backend (upstream PR vercel/vercel#13454).
 */
export function resolveCacheBackend(): RuntimeCache {
  return getContext().cache ?? fallbackCache();
}
