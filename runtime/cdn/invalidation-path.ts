/** CloudFront's maximum length of an invalidation path. */
export const MAX_INVALIDATION_PATH_LENGTH = 4000;

/**
 * The invalidation path that evicts the cached response for `pathAndQuery` (a request's
 * `pathname + search`, percent-encoded as a URL parser leaves it, which is how CloudFront expects
 * paths: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html).
 *
 * CloudFront reads `*` as a wildcard and accepts it only as the last character, so a path with a
 * literal `*` (or one too long for an invalidation) is cut there and ends in `*`: that evicts
 * the response together with its neighbours — an extra miss, never a stale hit, and never a
 * batch CloudFront rejects.
 */
export function toInvalidationPath(pathAndQuery: string): string {
  let path = pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
  const star = path.indexOf('*');
  if (star !== -1) path = path.slice(0, star + 1);
  if (path.length > MAX_INVALIDATION_PATH_LENGTH)
    path = `${path.slice(0, MAX_INVALIDATION_PATH_LENGTH - 1)}*`;
  return path;
}
