import { BROWSER_CACHE_CONTROL_HEADER } from '../constructs-contract';

/*
 * Vercel reads three cache headers, in this order of precedence: `Vercel-CDN-Cache-Control`
 * (Vercel's CDN only; never passed on), `CDN-Cache-Control` (CDNs; passed on) and `Cache-Control`
 * (everyone; `s-maxage` is for the CDN). CloudFront honours only `Cache-Control` (and `Expires`),
 * so when a targeted header is present the runtime rewrites the response for CloudFront:
 *
 * - status < 400: `Cache-Control` becomes the targeted directive — what CloudFront caches by —
 *   and the function's own `Cache-Control` (or Vercel's default when it set none) moves to
 *   `x-vfa-browser-cache-control`. The distribution's viewer-response function moves it back,
 *   on hits and misses alike, so browsers see what they would on Vercel.
 * - status >= 400: CloudFront runs no viewer-response function for these, so nothing may depend
 *   on one. The function's `Cache-Control` stays, with the CDN's lifetime expressed as
 *   `s-maxage` (which browsers ignore), or `private` when the targeted directive forbids shared
 *   caching. Its `stale-while-revalidate` / `stale-if-error` are dropped: they would reach browsers.
 */

/** Vercel's `Cache-Control` when a function sets none. */
export const VERCEL_DEFAULT_CACHE_CONTROL = 'public, max-age=0, must-revalidate';

const VERCEL_CDN_CACHE_CONTROL = 'vercel-cdn-cache-control';
const CDN_CACHE_CONTROL = 'cdn-cache-control';
const BROWSER_HEADER = BROWSER_CACHE_CONTROL_HEADER.toLowerCase();

/** CloudFront's cache policy caps every TTL at this (the `Cdn` construct's `maxTtl`: 365 days). */
// A literal, not `365 * 24 * 60 * 60`: esbuild keeps computed constants in bundles that do not use them.
export const MAX_TTL_SECONDS = 31_536_000;

/**
 * Rewrites `headers` (lower-case names, as in the response prelude) in place so CloudFront caches
 * as `Vercel-CDN-Cache-Control` / `CDN-Cache-Control` say. No-op when neither is set.
 */
export function applyCdnCacheControl(headers: Record<string, string>, statusCode: number): void {
  const targeted = headers[VERCEL_CDN_CACHE_CONTROL] ?? headers[CDN_CACHE_CONTROL];
  if (targeted === undefined) return;
  // Vercel consumes its own header; CDN-Cache-Control is meant for every CDN and stays.
  delete headers[VERCEL_CDN_CACHE_CONTROL];
  const own = headers['cache-control'] ?? VERCEL_DEFAULT_CACHE_CONTROL;
  if (statusCode < 400) {
    headers['cache-control'] = targeted;
    headers[BROWSER_HEADER] = own;
    return;
  }
  headers['cache-control'] = sharedOnly(own, parseDirectives(targeted));
}

/**
 * How long CloudFront may keep (and serve, stale included) the response described by `headers`,
 * in seconds: 0 when it does not cache it at all. Follows CloudFront's reading of the origin's
 * headers under a cache policy with minimum and default TTL 0: `no-store`, `no-cache` and
 * `private` → 0; else `s-maxage`, `max-age`, or `Expires`; plus `stale-while-revalidate` and
 * `stale-if-error`; capped at the policy's maximum.
 */
export function sharedCacheLifetimeSeconds(
  headers: Readonly<Record<string, string>>,
  now = Date.now(),
): number {
  const cacheControl = headers['cache-control'];
  const directives = parseDirectives(cacheControl ?? '');
  if (directives.has('no-store') || directives.has('no-cache') || directives.has('private')) return 0;
  let fresh = seconds(directives.get('s-maxage')) ?? seconds(directives.get('max-age'));
  if (fresh === undefined && headers.expires !== undefined) {
    const expires = Date.parse(headers.expires);
    fresh = Number.isNaN(expires) ? 0 : Math.max(0, Math.floor((expires - now) / 1000));
  }
  if (!fresh) return 0;
  const stale =
    (seconds(directives.get('stale-while-revalidate')) ?? 0) +
    (seconds(directives.get('stale-if-error')) ?? 0);
  return Math.min(MAX_TTL_SECONDS, fresh + stale);
}

function sharedOnly(own: string, targeted: Map<string, string | undefined>): string {
  const kept = splitDirectives(own).filter((directive) => directiveName(directive) !== 's-maxage');
  if (targeted.has('no-store') || targeted.has('no-cache') || targeted.has('private')) {
    const withoutPublic = kept.filter((directive) => directiveName(directive) !== 'public');
    if (!withoutPublic.some((directive) => directiveName(directive) === 'private'))
      withoutPublic.push('private');
    return withoutPublic.join(', ');
  }
  const lifetime = seconds(targeted.get('s-maxage')) ?? seconds(targeted.get('max-age'));
  if (lifetime !== undefined) kept.push(`s-maxage=${lifetime}`);
  return kept.join(', ');
}

function parseDirectives(value: string): Map<string, string | undefined> {
  const directives = new Map<string, string | undefined>();
  for (const directive of splitDirectives(value)) {
    const equals = directive.indexOf('=');
    const name = directiveName(directive);
    if (directives.has(name)) continue;
    directives.set(
      name,
      equals === -1
        ? undefined
        : directive
            .slice(equals + 1)
            .trim()
            .replace(/^"|"$/g, ''),
    );
  }
  return directives;
}

function splitDirectives(value: string): string[] {
  return value
    .split(',')
    .map((directive) => directive.trim())
    .filter((directive) => directive !== '');
}

function directiveName(directive: string): string {
  const equals = directive.indexOf('=');
  return (equals === -1 ? directive : directive.slice(0, equals)).trim().toLowerCase();
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
