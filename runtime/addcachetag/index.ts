import { provideCacheTags } from '../cdn/response-tags';
import { getContext } from '../get-context';
import type { AddCacheTagApi } from './types';

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
 * @param tag A tag or an array of tags; a comma separates tags within a string, as on Vercel
 * (`'product-1,products'` adds two). Vercel's limits: at most 128 per response, each at most 256
 * bytes of UTF-8.
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
export const addCacheTag: AddCacheTagApi = /* @__PURE__ */ withCacheTags(
  (tag) => getContext().addCacheTag?.(tag) ?? Promise.resolve(),
);

/**
 * Registers the tag collection with the adapter when `addCacheTag` is created, i.e. when this
 * module is loaded. The call is marked pure so that a bundler drops it, and with it the tag
 * validation code, from functions that never import `addCacheTag` (even through the
 * `@vercel/functions` index); a function that imports it registers at load.
 */
function withCacheTags(api: AddCacheTagApi): AddCacheTagApi {
  provideCacheTags();
  return api;
}
