import { DISTRIBUTION_ID_HEADER } from '../constructs-contract';
import { InvalidPurgeOptionError, InvalidSrcImageError } from '../errors';
import { type AfterResponseContext, provideContextServices } from '../handler/service-registry';
import { expireRuntimeCacheTags } from '../purge/expire-runtime-cache';
import type { DangerouslyDeleteOptions, PurgeApi } from '../purge/types';
import { MAX_TTL_SECONDS } from './cache-control';
import { toCloudFrontTag, toSrcImageCloudFrontTag } from './cloudfront-tag';
import { logCdnWarning } from './log';
import { provideTagOverflowRecording } from './overflow';
import { invalidationManager } from './shared-manager';
import { tagsToPurge } from './vercel-tags';

/** What the purge API needs from the request it serves. */
export interface PurgeContext {
  /** Request headers, lower-case names: the CDN's viewer-request function sets the distribution id. */
  readonly headers: Readonly<Record<string, string>>;
  /** Epoch milliseconds at which the invocation ends. */
  readonly deadline: number;
  /** Keeps the invocation alive until the invalidation is sent or persisted. */
  readonly awaiter: { readonly waitUntil: (promise: Promise<unknown>) => void };
}

let warnedNoDistribution = false;

/**
 * The longest `revalidationDeadlineSeconds` that schedules an eviction, 365 days: the `Cdn`
 * construct's cache policy caps every TTL there (`maxTtl`; the overflow rows' lifetime assumes the
 * same cap), so an eviction later than that would find nothing left of what was cached when the
 * call was made. A larger deadline, which Vercel accepts, resolves without scheduling anything and
 * logs a warning — not clamped: it would evict objects cached after the call, which the deadline
 * was meant to spare — and no Date is built from it (past ~8.6e12 s none can hold the time).
 */
export const MAX_REVALIDATION_DEADLINE_SECONDS = MAX_TTL_SECONDS;

/** What one purge call purges. */
interface PurgeTargets {
  /** `CreateInvalidation` tags, in CloudFront's canonical form. */
  readonly cloudFront: string[];
  /** Runtime Cache tags, as the caller gave them; none for source images. */
  readonly runtimeCache: readonly string[];
}

/**
 * The request context's `purge` API: upstream's four calls, on CloudFront and the Runtime Cache.
 *
 * On AWS every call evicts — CloudFront cannot mark objects stale:
 * - `invalidateByTag(tag)` / `invalidateBySrcImage(src)`: evicted at once; the next request
 *   for each object goes to the function.
 * - `dangerouslyDeleteByTag(tag, { revalidationDeadlineSeconds })` /
 *   `dangerouslyDeleteBySrcImage(...)`: evicted at once when the deadline is 0 (the default);
 *   otherwise CloudFront keeps serving the cached objects until the deadline and they are
 *   evicted by the first sweep after it. A deadline above {@link MAX_REVALIDATION_DEADLINE_SECONDS}
 *   evicts nothing: the call resolves and logs a warning.
 *
 * The tag calls also expire their tags in the Runtime Cache at once, deadline or not, as on Vercel
 * (purge/expire-runtime-cache.ts): the call rejects with `RuntimeCacheExpiryError` if that failed,
 * after its CloudFront invalidation was sent or queued all the same.
 *
 * Each call's work is registered with the request's `waitUntil` drain, so it is done before the
 * invocation ends even when the promise is not awaited. Bad input rejects with a typed error.
 * Without a distribution in front of the function (`x-vfa-distribution-id` missing: local runs,
 * direct Function URL calls) there is no CDN cache to purge: only the Runtime Cache is, and a
 * warning is logged once per process.
 */
export function createPurgeApi(context: PurgeContext): PurgeApi {
  return {
    invalidateByTag: (tag) =>
      purge(context, 'invalidateByTag', () => tagsOf(tag, 'invalidateByTag'), undefined),
    dangerouslyDeleteByTag: (tag, options) =>
      purge(context, 'dangerouslyDeleteByTag', () => tagsOf(tag, 'dangerouslyDeleteByTag'), options),
    invalidateBySrcImage: (src) =>
      purge(context, 'invalidateBySrcImage', () => srcImageTags(src, 'invalidateBySrcImage'), undefined),
    dangerouslyDeleteBySrcImage: (src, options) =>
      purge(
        context,
        'dangerouslyDeleteBySrcImage',
        () => srcImageTags(src, 'dangerouslyDeleteBySrcImage'),
        options,
      ),
  };
}

/**
 * Registers the CloudFront purge API with the adapter (handler/service-registry.ts): the request
 * context then carries each request's `purge`; after each response the adapter lets the process's
 * invalidation manager send the pending invalidations that are due (batches CloudFront refused
 * earlier, evictions scheduled by `revalidationDeadlineSeconds`), and records the response's tags
 * beyond CloudFront's 50 in the tag table. Idempotent.
 */
export function provideCdnPurge(): void {
  provideContextServices({ purge: createPurgeApi, afterResponse: sweepDueInvalidations });
  provideTagOverflowRecording();
}

/**
 * Starts a sweep of due pending invalidations in the request's `waitUntil` drain, when one is due:
 * only of the distribution the request came through. A tag table may serve several distributions
 * while a function may invalidate only its own (`Cdn.grantCreateInvalidation`); the other rows are
 * their own functions' and the scheduled sweeper's. A request that did not come through CloudFront
 * sweeps nothing.
 * The distribution id is the one the viewer-request function set in the request's headers.
 */
export function sweepDueInvalidations(context: AfterResponseContext): void {
  const distributionId = context.headers[DISTRIBUTION_ID_HEADER];
  if (!distributionId) return;
  const manager = invalidationManager();
  if (manager.sweepDue()) {
    context.awaiter.waitUntil(manager.sweep({ deadline: context.deadline, distributionId }));
  }
}

function purge(
  context: PurgeContext,
  api: string,
  targetsOf: () => PurgeTargets,
  options: DangerouslyDeleteOptions | undefined,
): Promise<void> {
  let targets: PurgeTargets;
  let revalidationSeconds: number;
  try {
    targets = targetsOf();
    revalidationSeconds = deadlineSeconds(options, api);
  } catch (error) {
    return Promise.reject(error);
  }
  const cdn = purgeCdn(context, api, targets.cloudFront, revalidationSeconds);
  const done = targets.runtimeCache.length === 0 ? cdn : withRuntimeCache(cdn, targets.runtimeCache, api);
  // The same promise goes to the drain and to the caller: the drain's handler also keeps a
  // rejection the caller ignores from becoming an unhandled rejection.
  context.awaiter.waitUntil(done);
  return done;
}

/**
 * `cdn` and the Runtime Cache expiry of `tags`, run at once and both to the end, so a failed expiry
 * never keeps the invalidation from being sent or queued; rejects with what failed.
 */
async function withRuntimeCache(cdn: Promise<void>, tags: readonly string[], api: string): Promise<void> {
  const results = await Promise.allSettled([cdn, expireRuntimeCacheTags(tags, api)]);
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (failures.length === 1) throw failures[0];
  if (failures.length === 2) {
    throw new AggregateError(
      failures,
      `${api}(): both the CloudFront invalidation and the Runtime Cache expiry failed`,
    );
  }
}

/** The CloudFront half of a purge call: sends or queues the invalidation of `tags`. */
function purgeCdn(
  context: PurgeContext,
  api: string,
  tags: string[],
  revalidationSeconds: number,
): Promise<void> {
  if (revalidationSeconds > MAX_REVALIDATION_DEADLINE_SECONDS) {
    logCdnWarning(
      `${api}(): revalidationDeadlineSeconds ${revalidationSeconds} is more than ${MAX_REVALIDATION_DEADLINE_SECONDS} (365 days, the longest CloudFront keeps an object: the Cdn cache policy's maxTtl), so nothing cached now is still cached then; no eviction was scheduled`,
    );
    return Promise.resolve();
  }
  const distributionId = context.headers[DISTRIBUTION_ID_HEADER];
  if (!distributionId) {
    if (!warnedNoDistribution) {
      warnedNoDistribution = true;
      logCdnWarning(
        `${api}(): this request did not come through a CloudFront distribution (no ${DISTRIBUTION_ID_HEADER} header), so there is no CDN cache to invalidate`,
      );
    }
    return Promise.resolve();
  }
  return invalidationManager().invalidate({
    distributionId,
    tags,
    notBefore: revalidationSeconds > 0 ? Date.now() + revalidationSeconds * 1000 : undefined,
    deadline: context.deadline,
    // Deleting the tag table rows of invalidated overflow paths happens after the call resolves.
    waitUntil: (promise) => context.awaiter.waitUntil(promise),
  });
}

function tagsOf(tag: string | string[], api: string): PurgeTargets {
  const tags = tagsToPurge(tag, api);
  return { cloudFront: tags.map(toCloudFrontTag), runtimeCache: tags };
}

function srcImageTags(src: string | string[], api: string): PurgeTargets {
  const list: unknown[] = Array.isArray(src) ? src : [src];
  if (list.length === 0) throw new InvalidSrcImageError(`${api}(): no source image given`);
  const cloudFront = list.map((value) => {
    if (typeof value !== 'string') {
      throw new InvalidSrcImageError(`${api}(): a source image must be a string, got ${typeof value}`);
    }
    return toSrcImageCloudFrontTag(value);
  });
  return { cloudFront, runtimeCache: [] };
}

/** `revalidationDeadlineSeconds`, 0 when not given; rejects what is not a finite number >= 0. */
function deadlineSeconds(options: DangerouslyDeleteOptions | undefined, api: string): number {
  if (options === undefined || options === null) return 0;
  if (typeof options !== 'object') {
    throw new InvalidPurgeOptionError(`${api}(): options must be an object, got ${typeof options}`);
  }
  const seconds = options.revalidationDeadlineSeconds ?? 0;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidPurgeOptionError(
      `${api}(): revalidationDeadlineSeconds must be a finite number of seconds >= 0, got ${JSON.stringify(seconds)}`,
    );
  }
  return seconds;
}
