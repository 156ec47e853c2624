// CloudFront Function (runtime cloudfront-js-2.0), viewer-response event, on every behaviour that
// serves a function. Runs on cache hits and misses alike, after the cache, so it shapes what the
// browser sees without changing what CloudFront caches.
//
// CloudFront honours neither Vercel-CDN-Cache-Control nor CDN-Cache-Control. When a function sets
// one, the runtime moves that directive into Cache-Control (CloudFront caches by it: s-maxage,
// max-age, stale-while-revalidate) and the function's own Cache-Control into
// x-vfa-browser-cache-control. This function moves the latter back, so the browser sees the
// function's Cache-Control, as on Vercel.
//
// Like Vercel's CDN, it also drops s-maxage from the browser-facing Cache-Control: the CDN consumed
// it. What remains empty becomes Vercel's default, `public, max-age=0, must-revalidate`.
//
// CloudFront runs no viewer-response function for status >= 400, which is why the runtime only uses
// the companion header below 400 (runtime/constructs-contract.ts). Header names must stay equal to
// lib/private/constructs-contract.ts (checked by the tests).

const BROWSER_CACHE_CONTROL = 'x-vfa-browser-cache-control';
const INTERNAL_PREFIX = 'x-vfa-';
const DEFAULT_CACHE_CONTROL = 'public, max-age=0, must-revalidate';

function withoutSharedMaxAge(value) {
  const kept = [];
  const directives = value.split(',');
  for (let i = 0; i < directives.length; i++) {
    const directive = directives[i].trim();
    const name = directive.split('=')[0].trim().toLowerCase();
    if (directive !== '' && name !== 's-maxage') kept.push(directive);
  }
  return kept.length > 0 ? kept.join(', ') : DEFAULT_CACHE_CONTROL;
}

// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls the function named handler.
function handler(event) {
  const response = event.response;
  const headers = response.headers;
  const browser = headers[BROWSER_CACHE_CONTROL];
  const cacheControl = browser
    ? browser.value
    : headers['cache-control']
      ? headers['cache-control'].value
      : undefined;
  const names = Object.keys(headers);
  for (let i = 0; i < names.length; i++) {
    if (names[i].indexOf(INTERNAL_PREFIX) === 0) delete headers[names[i]];
  }
  if (cacheControl !== undefined) headers['cache-control'] = { value: withoutSharedMaxAge(cacheControl) };
  return response;
}
