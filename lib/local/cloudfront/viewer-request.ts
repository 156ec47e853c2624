import type { IncomingMessage } from 'node:http';
import type { BehaviorModel } from './distribution-model';
import { type FunctionRequest, parseCookies, parseQueryString, toFunctionHeaders } from './function-event';
import { isCloudFrontHeader } from './policies';
import type { Viewer } from './viewer';

/**
 * The viewer request as CloudFront Functions and the cache see it: the viewer's headers (cookies
 * apart, and without any `CloudFront-*` header the viewer sent), plus the CloudFront headers the
 * behaviour's policies name — CloudFront adds those before the viewer-request function runs
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html).
 */
export function viewerRequest(
  req: IncomingMessage,
  behavior: BehaviorModel,
  target: { readonly method: string; readonly uri: string; readonly query: string },
  viewer: Viewer,
): FunctionRequest {
  const pairs: [string, string][] = [];
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (isCloudFrontHeader(name)) continue;
    if (name === 'cookie') cookies.push(req.rawHeaders[i + 1]);
    else pairs.push([name, req.rawHeaders[i + 1]]);
  }
  const wanted = new Set([
    ...(behavior.originRequestPolicy?.cloudFrontHeaders ?? []),
    ...behavior.cachePolicy.headers.names.filter(isCloudFrontHeader),
  ]);
  for (const name of wanted) {
    const header = viewer.cloudFrontHeaders.get(name);
    if (header) pairs.push([name, header[1]]);
  }
  return {
    method: target.method,
    uri: target.uri,
    querystring: parseQueryString(target.query),
    headers: toFunctionHeaders(pairs),
    cookies: parseCookies(cookies),
  };
}

/**
 * CloudFront path pattern matching: `*` is any run of characters (`/` included), `?` exactly one;
 * case-sensitive; a pattern without a leading `/` is read as if it had one.
 */
export function pathPatternMatches(pattern: string, uri: string): boolean {
  const normalized = pattern.startsWith('/') || pattern === '*' ? pattern : `/${pattern}`;
  const source = normalized
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(uri);
}
