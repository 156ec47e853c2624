import { type FunctionRequest, type FunctionValue, fromFunctionValues } from './function-event';
import type { CachePolicyModel, ParameterSet } from './policies';

// The cache key CloudFront computes from a cache policy, after the viewer-request function ran: the
// URI, then the query strings, headers and cookies the policy names, and the normalized
// Accept-Encoding when the policy enables compression support
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-the-cache-key.html).

/** The cache key of `request` under `policy`. Requests with equal keys share a cached object. */
export function cacheKeyOf(policy: CachePolicyModel, request: FunctionRequest): string {
  const query = select(request.querystring, policy.queryStrings, false);
  const headers = select(request.headers, policy.headers, true).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const cookies = select(request.cookies, policy.cookies, false);
  return JSON.stringify([
    request.uri,
    query,
    headers,
    cookies,
    normalizedAcceptEncoding(policy, request.headers['accept-encoding']?.value) ?? '',
  ]);
}

/**
 * The `Accept-Encoding` CloudFront keys on and forwards when the policy enables Gzip and/or Brotli:
 * `br,gzip`, `br` or `gzip` (what the viewer accepts of them), or `undefined` for neither.
 */
export function normalizedAcceptEncoding(
  policy: CachePolicyModel,
  value: string | undefined,
): string | undefined {
  if (!policy.acceptEncodingGzip && !policy.acceptEncodingBrotli) return undefined;
  const accepted = new Set(
    (value ?? '')
      .split(',')
      .map((token) => token.split(';')[0].trim().toLowerCase())
      .filter((token) => token !== ''),
  );
  const encodings: string[] = [];
  if (policy.acceptEncodingBrotli && accepted.has('br')) encodings.push('br');
  if (policy.acceptEncodingGzip && accepted.has('gzip')) encodings.push('gzip');
  return encodings.length > 0 ? encodings.join(',') : undefined;
}

/** Whether `name` is selected by `set` (lower-case comparison for headers). */
export function isSelected(set: ParameterSet, name: string, lowerCase: boolean): boolean {
  const candidate = lowerCase ? name.toLowerCase() : name;
  switch (set.behavior) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'whitelist':
      return set.names.includes(candidate);
    case 'allExcept':
      return !set.names.includes(candidate);
  }
}

function select(
  values: Record<string, FunctionValue>,
  set: ParameterSet,
  lowerCase: boolean,
): [string, string][] {
  return fromFunctionValues(values).filter(([name]) => isSelected(set, name, lowerCase));
}
