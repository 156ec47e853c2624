import type { CachePolicyModel } from './policies';

// How long CloudFront keeps a response, from the origin's headers and the cache policy
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html):
// - `Cache-Control: no-cache`, `no-store` or `private` → the policy's minimum TTL (0: not cached);
// - else `s-maxage`, then `max-age`, then `Expires`, clamped to [minimum, maximum];
// - none of them → the policy's default TTL;
// - `stale-while-revalidate` / `stale-if-error` extend the object's life for those cases.
// Error responses (400, 403, 404, 405, 414, 500–504) are cached for the error caching minimum TTL
// (10 s by default), or longer when their headers ask for more; other 4xx/5xx are never cached.

/** How long a response stays in the cache, in seconds. */
export interface CacheLifetime {
  readonly ttlSeconds: number;
  readonly staleWhileRevalidateSeconds: number;
  readonly staleIfErrorSeconds: number;
}

/**
 * The lifetime of a response, or `undefined` when CloudFront would not cache it.
 *
 * @param headers the origin's response headers, lower-case names, first value of each
 * @param errorCachingMinTtl the distribution's error caching minimum TTL by status code
 */
export function cacheLifetime(
  statusCode: number,
  headers: Readonly<Record<string, string>>,
  policy: CachePolicyModel,
  errorCachingMinTtl: ReadonlyMap<number, number>,
  now = Date.now(),
): CacheLifetime | undefined {
  const directives = parseCacheControl(headers['cache-control']);
  const fromHeaders = headerTtl(directives, headers.expires, now);
  if (statusCode >= 400) {
    const minimum = errorCachingMinTtl.get(statusCode);
    if (minimum === undefined) return undefined;
    const ttl = Math.max(minimum, fromHeaders ?? 0);
    return ttl > 0 ? { ttlSeconds: ttl, staleWhileRevalidateSeconds: 0, staleIfErrorSeconds: 0 } : undefined;
  }
  let ttl: number;
  if (directives.has('no-cache') || directives.has('no-store') || directives.has('private')) {
    ttl = policy.minTtl;
  } else if (fromHeaders !== undefined) {
    ttl = Math.min(policy.maxTtl, Math.max(policy.minTtl, fromHeaders));
  } else {
    ttl = policy.defaultTtl;
  }
  if (ttl <= 0) return undefined;
  return {
    ttlSeconds: ttl,
    staleWhileRevalidateSeconds: seconds(directives.get('stale-while-revalidate')) ?? 0,
    staleIfErrorSeconds: seconds(directives.get('stale-if-error')) ?? 0,
  };
}

/** `Cache-Control` directives: lower-case names → value (`''` for a directive without one). */
export function parseCacheControl(value: string | undefined): Map<string, string> {
  const directives = new Map<string, string>();
  for (const part of (value ?? '').split(',')) {
    const directive = part.trim();
    if (directive === '') continue;
    const at = directive.indexOf('=');
    const name = (at === -1 ? directive : directive.slice(0, at)).trim().toLowerCase();
    const raw = at === -1 ? '' : directive.slice(at + 1).trim();
    if (!directives.has(name)) directives.set(name, raw.replace(/^"(.*)"$/, '$1'));
  }
  return directives;
}

// s-maxage, then max-age, then Expires (relative to now); `undefined` when none is usable.
function headerTtl(
  directives: ReadonlyMap<string, string>,
  expires: string | undefined,
  now: number,
): number | undefined {
  const shared = seconds(directives.get('s-maxage'));
  if (shared !== undefined) return shared;
  const maxAge = seconds(directives.get('max-age'));
  if (maxAge !== undefined) return maxAge;
  if (expires !== undefined) {
    const at = Date.parse(expires);
    // An invalid date (often `0`) means "already expired".
    return Number.isNaN(at) ? 0 : Math.max(0, Math.floor((at - now) / 1000));
  }
  return undefined;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
