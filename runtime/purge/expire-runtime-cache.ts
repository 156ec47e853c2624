import { existingFallbackCache, tableBackedCache } from '../cache/backend';
import { type ExpireTagFailure, PersistentRuntimeCache, previewTags } from '../cache/persistent-cache';
import { isRuntimeCacheTag } from '../cache/validation';
import { RuntimeCacheExpiryError } from '../errors';
import { getContext } from '../get-context';

/*
 * On Vercel a cache tag names content in every cache layer: "When you purge by cache tag, Vercel
 * purges all three types of cache: CDN cache, Runtime Cache, and Data Cache"
 * (https://vercel.com/docs/caching/cdn-cache/purge). So `invalidateByTag` and
 * `dangerouslyDeleteByTag` also expire the tags in the Runtime Cache, through the same `expireTag`
 * as `getCache().expireTag()`.
 *
 * At once, whatever `revalidationDeadlineSeconds` says: upstream's Runtime Cache client returns an
 * entry only while Vercel reports it fresh (`x-vercel-cache-state: fresh`), so an entry marked stale
 * until a deadline is already a miss to `getCache().get()`.
 */

/**
 * Expires `tags` in the Runtime Cache this request's `getCache()` uses: the cache table's (shared by
 * the project's functions), or without one the process's in-memory fallback if anything used it, so
 * `npm start` behaves as a deployment does. Tags as the caller gave them (split and trimmed, not
 * CloudFront's lower-case form): Runtime Cache tags are case-sensitive. Tags no entry can carry
 * (over 256 bytes) are skipped. The calls of one turn of the event loop share one `expireTag`.
 *
 * @throws RuntimeCacheExpiryError when the store did not confirm every tag's expiry.
 */
export async function expireRuntimeCacheTags(tags: readonly string[], api: string): Promise<void> {
  const storable = tags.filter(isRuntimeCacheTag);
  if (storable.length === 0) return;
  // The backend getCache() would use, except that an in-memory fallback nothing has used yet holds
  // nothing to expire: not created here, so a function that only purges logs no "Runtime Cache
  // unavailable" warning.
  const cache = getContext().cache ?? tableBackedCache() ?? existingFallbackCache();
  if (cache === undefined) return;
  // Only a store can fail; the in-memory fallback's expireTag cannot.
  if (!(cache instanceof PersistentRuntimeCache)) return cache.expireTag(storable);
  const failure = await expireCoalesced(cache, storable);
  const unwritten = failure ? storable.filter((tag) => failure.unwritten.includes(tag)) : [];
  if (failure && unwritten.length > 0) {
    throw new RuntimeCacheExpiryError(
      `${api}(): the Runtime Cache did not expire ${unwritten.length} of ${storable.length} tag(s) (${previewTags(unwritten)}); entries carrying them may still be served: ${String(failure.reason)}`,
      unwritten,
      { cause: failure.cause },
    );
  }
}

interface Batch {
  readonly cache: PersistentRuntimeCache;
  readonly tags: Set<string>;
  readonly result: Promise<ExpireTagFailure | undefined>;
}

// The purge calls of one turn of the event loop, as one expireTag: 1,000 concurrent invalidateByTag
// calls are one CreateInvalidation (the invalidation manager groups them) and, here, writes of 25
// tags at a time within expireTag's budget and parallelism, not 1,000 concurrent DynamoDB requests
// (against DynamoDB Local on 2 cores, half of them timed out connecting).
let batch: Batch | undefined;

function expireCoalesced(
  cache: PersistentRuntimeCache,
  tags: readonly string[],
): Promise<ExpireTagFailure | undefined> {
  if (batch?.cache !== cache) {
    const tagsOfBatch = new Set<string>();
    const result = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      if (batch?.tags === tagsOfBatch) batch = undefined;
      return cache.expireTagReporting([...tagsOfBatch]);
    });
    batch = { cache, tags: tagsOfBatch, result };
  }
  for (const tag of tags) batch.tags.add(tag);
  return batch.result;
}
