/**
 * CDN purge calls. Each delegates to the request context's purge API, as upstream does — inside a
 * request that is the CloudFront invalidation manager (runtime/cdn/purge-api.ts), and the real
 * `@vercel/functions` reaches the same API through the published context. Outside a request each
 * resolves without doing anything: upstream's behaviour outside Vercel.
 *
 * On AWS every call evicts (CloudFront cannot mark content stale): the next request for an evicted
 * object goes to the function. With `revalidationDeadlineSeconds`, CloudFront keeps serving the
 * cached object until the deadline and it is evicted by the first sweep after it. As on Vercel, the
 * tag calls also expire their tags in the Runtime Cache (`getCache()`), at once.
 */
import { provideCdnPurge } from '../cdn/purge-api';
import { getContext } from '../get-context';
import type { DangerouslyDeleteOptions } from './types';

/**
 * Registers the CloudFront purge API with the adapter when the export is created, i.e. when this
 * module is loaded: the request context then carries it, and the adapter sweeps due invalidations
 * after responses. The calls are marked pure so that a bundler drops them, and with them the
 * invalidation manager and its DynamoDB and CloudFront code, from functions that never import a
 * purge call (even through the `@vercel/functions` index); a function that imports one registers
 * at load.
 */
function withCdnPurge<T>(call: T): T {
  provideCdnPurge();
  return call;
}

/**
 * Marks every cached response carrying `tag` as stale; the next request revalidates it. On AWS:
 * evicts them from CloudFront (`CreateInvalidation` item `#<tag>`, plus the paths of responses
 * that carried the tag beyond CloudFront's 50 per object), and expires the Runtime Cache entries
 * set with the tag. Resolves once CloudFront accepted the invalidation or it was queued in the tag
 * table for a retry, and the Runtime Cache expiry is written; rejects with `RuntimeCacheExpiryError`
 * if that expiry failed (the invalidation is still sent).
 *
 * @param tag A tag or an array of tags.
 * @example
 * ```ts
 * import { invalidateByTag } from '@vercel/functions';
 *
 * export default {
 *   async fetch() {
 *     await invalidateByTag('products');
 *     return new Response('Invalidated');
 *   },
 * };
 * ```
 */
export const invalidateByTag = /* @__PURE__ */ withCdnPurge(
  (tag: string | string[]): Promise<void> => getContext().purge?.invalidateByTag(tag) ?? Promise.resolve(),
);

/**
 * Deletes every cached response carrying `tag`, after `revalidationDeadlineSeconds` (default 0:
 * at once), and expires the Runtime Cache entries set with the tag at once (a stale Runtime Cache
 * entry is a miss on Vercel too). Prefer {@link invalidateByTag}: deleting popular objects can
 * stampede the origin.
 *
 * @param tag A tag or an array of tags.
 * @param options `revalidationDeadlineSeconds`: how long stale content may still be served.
 * @example
 * ```ts
 * import { dangerouslyDeleteByTag } from '@vercel/functions';
 *
 * await dangerouslyDeleteByTag('products', { revalidationDeadlineSeconds: 10 });
 * ```
 */
export const dangerouslyDeleteByTag = /* @__PURE__ */ withCdnPurge(
  (tag: string | string[], options?: DangerouslyDeleteOptions): Promise<void> =>
    getContext().purge?.dangerouslyDeleteByTag(tag, options) ?? Promise.resolve(),
);

/**
 * Marks every cached transformation of a source image as stale.
 *
 * @param src A source image path or URL, or an array of them.
 * @example
 * ```ts
 * import { invalidateBySrcImage } from '@vercel/functions';
 *
 * await invalidateBySrcImage('/api/avatar/1');
 * ```
 */
export const invalidateBySrcImage = /* @__PURE__ */ withCdnPurge(
  (src: string | string[]): Promise<void> =>
    getContext().purge?.invalidateBySrcImage(src) ?? Promise.resolve(),
);

/**
 * Deletes every cached transformation of a source image, after `revalidationDeadlineSeconds`
 * (default 0: at once). Prefer {@link invalidateBySrcImage}.
 *
 * @param src A source image path or URL, or an array of them.
 * @param options `revalidationDeadlineSeconds`: how long stale content may still be served.
 * @example
 * ```ts
 * import { dangerouslyDeleteBySrcImage } from '@vercel/functions';
 *
 * await dangerouslyDeleteBySrcImage('/api/avatar/1', { revalidationDeadlineSeconds: 10 });
 * ```
 */
export const dangerouslyDeleteBySrcImage = /* @__PURE__ */ withCdnPurge(
  (src: string | string[], options?: DangerouslyDeleteOptions): Promise<void> =>
    getContext().purge?.dangerouslyDeleteBySrcImage(src, options) ?? Promise.resolve(),
);
