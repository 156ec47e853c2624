import { BROWSER_CACHE_CONTROL_HEADER } from '../constructs-contract';
// The same comma-separated list as a tag header's: one copy of the split in every bundle.
import { splitTagList as splitDirectives } from './vercel-tags';

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
 *
 * CloudFront keys its cache on the cache policy alone: `Vary` only decides which of its values reach
 * viewers (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html#ResponseCustomRemovedHeaders).
 * A cacheable response that varies on a request header outside the key — `Cookie`,
 * `Accept-Language`, `Origin`, `*` — would be cached once and served to every viewer, personalised
 * or not. Vercel's CDN keys on `Vary` instead, and no longer caches responses that vary on `Cookie`
 * (https://vercel.com/changelog/vary-cookie-responses-no-longer-cached). Here such a response is kept
 * out of CloudFront's cache as `private` keeps it (browsers still get the function's
 * `Cache-Control`, below 400 through the viewer-response function, and its `Vary`).
 *
 * So is a cacheable response that sets cookies: CloudFront caches `Set-Cookie` with the object
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Cookies.html) and would hand
 * one viewer's session cookie to every viewer of the URL. A miss costs an invocation; a replayed
 * cookie, an account.
 *
 * And so is a cacheable response to a request that carried `Authorization`: the `Cdn` forwards it
 * to the function (under `secretHeader()` and `none()`), but it is not in the cache key, so one
 * viewer's authenticated response would be served to everyone. Vercel's CDN does not cache such
 * responses; CloudFront caches them only when `Authorization` is keyed
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html#add-origin-custom-headers-forward-authorization).
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
 * The request headers a `Vary` may name and CloudFront still serve the right variant: those in the
 * `Cdn` construct's cache policy key. `Accept-Encoding` is keyed (normalised to gzip / br) because
 * the policy enables compression support; the public `Host` is keyed as `x-forwarded-host`.
 */
const KEYED_REQUEST_HEADER = /^(accept-encoding|host|x-forwarded-host)$/i;

/**
 * Rewrites `headers` (lower-case names, as in the response prelude) in place so CloudFront caches
 * as `Vercel-CDN-Cache-Control` / `CDN-Cache-Control` say, and not at all when the response would
 * be cached but is for one viewer (`perViewer`: it sets cookies, or answers a request that carried
 * `Authorization`) or its `Vary` names a request header CloudFront does not key on (or `*`).
 *
 * @returns whether `perViewer` or `Vary` kept the response out of CloudFront's cache
 */
export function applyCdnCacheControl(
  headers: Record<string, string>,
  statusCode: number,
  perViewer?: boolean,
): boolean {
  const targeted = headers[VERCEL_CDN_CACHE_CONTROL] ?? headers[CDN_CACHE_CONTROL];
  if (targeted !== undefined) {
    // Vercel consumes its own header; CDN-Cache-Control is meant for every CDN and stays.
    delete headers[VERCEL_CDN_CACHE_CONTROL];
    const own = headers['cache-control'] ?? VERCEL_DEFAULT_CACHE_CONTROL;
    if (statusCode < 400) {
      headers['cache-control'] = targeted;
      headers[BROWSER_HEADER] = own;
    } else {
      headers['cache-control'] = sharedOnly(own, parseDirectives(targeted));
    }
  }
  const personal =
    perViewer || splitDirectives(headers.vary ?? '').some((name) => !KEYED_REQUEST_HEADER.test(name));
  if (!personal || sharedFreshSeconds(headers) === 0) return false;
  const cacheControl = headers['cache-control'];
  // Below 400 the viewer-response function gives browsers the function's own, on hits and misses.
  if (statusCode < 400) headers[BROWSER_HEADER] ??= cacheControl ?? 'private';
  headers['cache-control'] = sharedOnly(cacheControl ?? '', parseDirectives('private'));
  return true;
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
  const fresh = sharedFreshSeconds(headers, now);
  if (fresh === 0) return 0;
  const directives = parseDirectives(headers['cache-control'] ?? '');
  const stale =
    (seconds(directives.get('stale-while-revalidate')) ?? 0) +
    (seconds(directives.get('stale-if-error')) ?? 0);
  return Math.min(MAX_TTL_SECONDS, fresh + stale);
}

// How long CloudFront keeps the response fresh, uncapped; 0 when it does not cache it. Apart from
// the lifetime above because every function bundles the Vary check, and only some the lifetime.
function sharedFreshSeconds(headers: Readonly<Record<string, string>>, now = Date.now()): number {
  const directives = parseDirectives(headers['cache-control'] ?? '');
  if (forbidsSharedCaching(directives)) return 0;
  const fresh = sharedMaxAge(directives);
  if (fresh !== undefined) return fresh;
  const expires = Date.parse(headers.expires ?? '');
  return expires > now ? Math.floor((expires - now) / 1000) : 0;
}

function sharedOnly(own: string, targeted: Map<string, string | undefined>): string {
  const kept = splitDirectives(own).filter((directive) => directiveName(directive) !== 's-maxage');
  if (forbidsSharedCaching(targeted)) {
    const withoutPublic = kept.filter((directive) => directiveName(directive) !== 'public');
    if (!withoutPublic.some((directive) => directiveName(directive) === 'private'))
      withoutPublic.push('private');
    return withoutPublic.join(', ');
  }
  const lifetime = sharedMaxAge(targeted);
  if (lifetime !== undefined) kept.push(`s-maxage=${lifetime}`);
  return kept.join(', ');
}

function forbidsSharedCaching(directives: Map<string, string | undefined>): boolean {
  return directives.has('no-store') || directives.has('no-cache') || directives.has('private');
}

// What a shared cache reads first: `s-maxage`, else `max-age`.
function sharedMaxAge(directives: Map<string, string | undefined>): number | undefined {
  return seconds(directives.get('s-maxage')) ?? seconds(directives.get('max-age'));
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

function directiveName(directive: string): string {
  const equals = directive.indexOf('=');
  return (equals === -1 ? directive : directive.slice(0, equals)).trim().toLowerCase();
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
