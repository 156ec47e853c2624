/**
 * CDN helpers beyond the `@vercel/functions` surface. Export-only file.
 *
 * - `toCloudFrontTag` / `toSrcImageCloudFrontTag`: the one mapping from Vercel tags (and source
 *   images) to CloudFront cache tags, for code that tags responses itself (the image optimizer).
 * - `handler` of `./sweeper`: the scheduled sweeper of pending invalidations.
 */
export {
  CLOUDFRONT_MAX_TAGS_PER_OBJECT,
  isCloudFrontTag,
  toCloudFrontTag,
  toSrcImageCloudFrontTag,
} from './cloudfront-tag';
export { handler as sweepPendingInvalidations, type SweeperContext, type SweeperResult } from './sweeper';
