import { getContext } from '../get-context';

/**
 * Adds one or more cache tags to the response being produced, so a later `invalidateByTag()`
 * evicts it from the CDN.
 *
 * On AWS the tags end up, with those of a `Vercel-Cache-Tag` response header, in the header
 * CloudFront's cache-tag configuration reads, mapped to CloudFront's tag alphabet (ASCII letters
 * lower-cased: CloudFront compares tags case-insensitively). Tags beyond CloudFront's 50 per
 * object are recorded in the tag table so invalidating them still evicts the response. Rejects
 * with `InvalidCacheTagError` / `TooManyCacheTagsError` on bad input and with
 * `CacheTagsAlreadySentError` once the response headers are out. Outside a request it resolves
 * without doing anything, like upstream outside Vercel.
 *
 * @param tag A tag or an array of tags (Vercel's limits: at most 128 per response, each at most
 * 256 bytes of UTF-8, no commas).
 * @example
 * ```ts
 * import { addCacheTag } from '@vercel/functions';
 *
 * export default {
 *   async fetch(request: Request) {
 *     const id = new URL(request.url).searchParams.get('id');
 *     await addCacheTag([`product-${id}`, 'products']);
 *     return Response.json({ id }, { headers: { 'Vercel-CDN-Cache-Control': 'max-age=86400' } });
 *   },
 * };
 * ```
 */
export const addCacheTag = (tag: string | string[]): Promise<void> =>
  getContext().addCacheTag?.(tag) ?? Promise.resolve();
