import { ROUTE_HEADERS_HEADER } from '../constructs-contract';
import { logError } from './log';
import type { ResponsePrelude } from './response-stream';

/*
 * The response headers vercel.json `headers` rules give a request, which the CDN's viewer-request
 * function sends in `x-vfa-route-headers` (a JSON object, lower-case name → value).
 *
 * Precedence: a header the function's response sets wins over a rule's header of the same name.
 * Vercel documents it ("if you return headers in a Vercel Function, it will override the headers
 * defined for the same route in vercel.json or next.config.js",
 * https://vercel.com/docs/concepts/functions/serverless-functions/edge-caching; "Setting the cache in
 * functions takes priority over config files", https://vercel.com/docs/recipes/set-cache-control-headers),
 * and `vercel dev` behaves so: it sets the matched route's headers on the response first, then each
 * header of the function's response replaces the one of its name (packages/cli/src/util/dev/server.ts)
 * — `set-cookie` included: a function that sets any cookie replaces a rule's `Set-Cookie`.
 *
 * The value can only be wrong through a broken CDN configuration (the CDN strips `x-vfa-*` from
 * viewer requests), so a value that is not such an object is logged and ignored: never worth a
 * failed response. One header with a name or value a response cannot carry is left out on its own
 * (logged once per request, naming it), not the whole object: a rule value that substitutes part
 * of the viewer's path could be such a header, and the request's other headers (a
 * Content-Security-Policy, a Strict-Transport-Security) must not go with it.
 *
 * The adapter's own responses (plain-text.ts) keep their own caching: {@link withRouteHeaders} and
 * {@link applyRouteHeaders} for such a response leave out a rule's `CDN-Cache-Control` and
 * `Vercel-CDN-Cache-Control`, which the CDN step would otherwise turn into the CloudFront lifetime
 * of a refusal or an error (a rule's `CDN-Cache-Control: max-age=3600` caching the adapter's 404).
 */

/** A name a response header may have (an RFC 9110 token), lower case. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
/** A response header value: no CR, LF or NUL (they would split or end the header), no other controls. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** The CDN lifetime headers (runtime/cdn/cache-control.ts), which an adapter's own response does not take. */
const CDN_CACHE_HEADERS: ReadonlySet<string> = new Set(['cdn-cache-control', 'vercel-cdn-cache-control']);

/**
 * The route headers of a request's `x-vfa-route-headers` value, or `undefined` (logged) when the
 * value is not a JSON object. An entry whose name is not a header name or whose value is not a
 * string a header value can be is left out, and the entries left out are logged together.
 */
export function parseRouteHeaders(raw: string, requestId: string): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return invalid(requestId, 'is not valid JSON', error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalid(
      requestId,
      `is not a JSON object (got ${Array.isArray(parsed) ? 'an array' : typeof parsed})`,
    );
  }
  const headers: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    const name = key.toLowerCase();
    if (!HEADER_NAME.test(name)) {
      dropped.push(`the invalid header name ${JSON.stringify(key)}`);
    } else if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      dropped.push(`${JSON.stringify(key)}, whose value is invalid (${JSON.stringify(value)})`);
    } else {
      headers[name] = value;
    }
  }
  if (dropped.length > 0) {
    logError(
      requestId,
      `The request header "${ROUTE_HEADERS_HEADER}" has headers a response cannot carry; left out of this response: ${dropped.join('; ')}. The other vercel.json headers rules' headers are applied`,
    );
  }
  return headers;
}

/**
 * Adds the route headers to a response prelude, before the CDN step rewrites it (so a rule's
 * `Cache-Control` / `CDN-Cache-Control` is what CloudFront caches by): each header the response
 * does not set itself; a rule's `set-cookie` goes to `cookies`, unless the response sets cookies.
 * `raw` is the request's `x-vfa-route-headers` value; `undefined` costs nothing. `adapterResponse`:
 * the response is one the adapter built (plain-text.ts), which keeps its own caching.
 */
export function applyRouteHeaders(
  prelude: ResponsePrelude,
  raw: string | undefined,
  requestId: string,
  adapterResponse = false,
): void {
  if (raw === undefined) return;
  const headers = parseRouteHeaders(raw, requestId);
  if (headers === undefined) return;
  mergeRouteHeaders(headers, {
    has: (name) => Object.hasOwn(prelude.headers, name),
    set: (name, value) => {
      prelude.headers[name] = value;
    },
    hasCookies: prelude.cookies.length > 0,
    addCookie: (value) => prelude.cookies.push(value),
    adapterResponse,
  });
}

/**
 * {@link applyRouteHeaders} for a `Response` the adapter built itself (a refusal or an error), whose
 * headers are mutable, so without the rules' CDN cache headers. Returns the same response.
 */
export function withRouteHeaders(response: Response, raw: string | undefined, requestId: string): Response {
  if (raw === undefined) return response;
  const headers = parseRouteHeaders(raw, requestId);
  if (headers === undefined) return response;
  mergeRouteHeaders(headers, {
    has: (name) => response.headers.has(name),
    set: (name, value) => response.headers.set(name, value),
    hasCookies: response.headers.has('set-cookie'),
    addCookie: (value) => response.headers.append('set-cookie', value),
    adapterResponse: true,
  });
  return response;
}

/** Where {@link mergeRouteHeaders} writes: a response in whichever shape its writer holds it. */
export interface RouteHeaderTarget {
  /** Whether the response sets the (lower-case) header itself. */
  has(name: string): boolean;
  set(name: string, value: string): void;
  /** Whether the response sets any cookie itself. */
  readonly hasCookies: boolean;
  addCookie(value: string): void;
  /** The response is one the adapter built (plain-text.ts), which keeps its own caching. */
  readonly adapterResponse?: boolean;
}

/**
 * The precedence of the rules' headers, in one place for every response writer (the adapter's
 * prelude, its own `Response`s, middy's response object): each header the response does not set
 * itself; a rule's `set-cookie` only when the response sets no cookie; never the CDN cache headers
 * on the adapter's own responses.
 */
export function mergeRouteHeaders(
  headers: Readonly<Record<string, string>>,
  target: RouteHeaderTarget,
): void {
  for (const name of Object.keys(headers)) {
    if (target.adapterResponse && CDN_CACHE_HEADERS.has(name)) continue;
    if (name === 'set-cookie') {
      if (!target.hasCookies) target.addCookie(headers[name]);
    } else if (!target.has(name)) {
      target.set(name, headers[name]);
    }
  }
}

function invalid(requestId: string, problem: string, cause?: unknown): undefined {
  logError(
    requestId,
    `The request header "${ROUTE_HEADERS_HEADER}" ${problem}; the vercel.json headers rules are not applied to this response. The CDN sets this header: check the distribution's viewer-request function`,
    cause,
  );
  return undefined;
}
