import { CACHE_TABLE_ENV, TAG_TABLE_ENV } from '../constructs-contract';
import { getContext } from '../get-context';
import { provideContextServices } from '../handler/service-registry';
import { DynamoDBRuntimeCache } from './dynamodb-cache';
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
 * The process's in-memory fallback if something already used it, else `undefined`: for callers that
 * only act on what is cached (a purge call expiring tags) and must neither create it nor log its
 * warning in a function that never calls `getCache()`.
 */
export function existingFallbackCache(): RuntimeCache | undefined {
  return (globalThis as Record<symbol, FallbackState | undefined>)[FALLBACK_KEY]?.cache;
}

interface TableCacheState {
  readonly cacheTable: string;
  readonly tagTable?: string;
  readonly cache: DynamoDBRuntimeCache;
}

// One DynamoDB-backed cache per process (per bundle copy), rebuilt only if the table settings change.
// It holds no per-request state, only the process's DynamoDB client and its memory of entry layouts.
let tableCache: TableCacheState | undefined;

/**
 * The DynamoDB-backed cache when the function has a cache table (`VERCEL_FUNCTIONS_AWS_CACHE_TABLE`,
 * plus `VERCEL_FUNCTIONS_AWS_TAG_TABLE` for tags, both set by the constructs), else `undefined`.
 * Read at call time, so the dev server and tests can point a process at DynamoDB Local.
 */
export function tableBackedCache(): RuntimeCache | undefined {
  const cacheTable = process.env[CACHE_TABLE_ENV];
  if (!cacheTable) return undefined;
  const tagTable = process.env[TAG_TABLE_ENV] || undefined;
  if (tableCache?.cacheTable !== cacheTable || tableCache.tagTable !== tagTable) {
    if (!tagTable) {
      console.error(
        `[vercel-functions-aws] Runtime Cache: ${CACHE_TABLE_ENV} is set but ${TAG_TABLE_ENV} is not: expireTag() cannot expire entries and reads ignore tags`,
      );
    }
    tableCache = {
      cacheTable,
      tagTable,
      cache: new DynamoDBRuntimeCache({ cacheTableName: cacheTable, tagTableName: tagTable }),
    };
  }
  return tableCache.cache;
}

/**
 * The cache the request context carries for the real `@vercel/functions` package: the table-backed
 * cache, else, outside Lambda, the process-wide in-memory fallback. The dev server loads every
 * function's bundle into one process, each with its own copy of the real package and so of its
 * in-memory fallback: without this, what one function set another would never find (with the
 * runtime aliased in they share the fallback on globalThis). In a Lambda execution environment
 * (`AWS_LAMBDA_FUNCTION_NAME`, a reserved variable Lambda sets) a process holds one function, so the
 * field stays unset and upstream's getCache() uses its own fallback, as it would anywhere.
 */
function contextCache(): RuntimeCache | undefined {
  return tableBackedCache() ?? (process.env.AWS_LAMBDA_FUNCTION_NAME ? undefined : fallbackCache());
}

/**
 * Registers the Runtime Cache with the adapter (handler/service-registry.ts), so the request context
 * carries it as `cache` for the real `@vercel/functions` package: the table-backed cache, or outside
 * Lambda (the dev server) the in-memory fallback this runtime shares across the process's functions.
 * The runtime's own `getCache()` does not need this: it finds the table itself. Idempotent.
 */
export function provideRuntimeCache(): void {
  provideContextServices({ cache: contextCache });
}

/**
 * Picks the cache that backs `getCache()` for this call: the request context's cache when a host
 * provides one (our adapter publishes the table-backed cache there, for the real
 * `@vercel/functions` package too), else the table-backed cache when the function has a cache
 * table, else the process-wide in-memory fallback.
 *
 * Called on every cache operation, never once per `getCache()`, so a cache object kept across
 * requests always uses the current request's backend (upstream PR vercel/vercel#13454).
 */
export function resolveCacheBackend(): RuntimeCache {
  return getContext().cache ?? tableBackedCache() ?? fallbackCache();
}
