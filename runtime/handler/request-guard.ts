import {
  ORIGIN_SECRET_ARN_ENV,
  ORIGIN_SECRET_HEADER,
  REWRITE_PATH_HEADER,
  ROUTE_ENV,
  ROUTE_HEADERS_HEADER,
} from '../constructs-contract';
import './bundle-switches';
import { InvalidEventError, OriginSecretUnavailableError } from '../errors';
import { bundledRouteHeaders } from './bundled-route-headers';
import { logError } from './log';
import { originSecretVerifier } from './origin-secret';
import { plainText, serverError } from './plain-text';
import { matchRoute, parseRoute, type RoutePattern, withRouteParams } from './route';

/** The environment variables the guard reads (`process.env` in production). */
export type GuardEnvironment = Readonly<Record<string, string | undefined>>;

/** The CDN's internal request headers the guard decides on, already taken off the request. */
export interface GuardHeaders {
  /** `x-vfa-origin-secret`: the secret CloudFront presented, if any. */
  readonly originSecret: string | undefined;
  /** `x-vfa-rewrite-path`: the path a vercel.json rewrite sent the request to, if it did. */
  readonly rewritePath: string | undefined;
  /** `x-vfa-route-headers`: the response headers of the request's vercel.json `headers` rules, if any. */
  readonly routeHeaders: string | undefined;
}

/**
 * What the adapter checks before user code runs, in this order:
 *
 * 1. **Origin secret** (`VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN` set, i.e.
 *    `OriginProtection.secretHeader()`): the request must carry the secret CloudFront adds in
 *    `x-vfa-origin-secret`, else 403. When the secret cannot be read the request gets 503 (fail
 *    closed). The header is removed before the handler sees the request, whatever the mode.
 * 2. **Route** (`VERCEL_FUNCTIONS_AWS_ROUTE` set, e.g. `/api/users/[id]`): a CloudFront behaviour
 *    serves the route through a wildcard (`/api/users/*`), which also lets `/api/users/1/2` through;
 *    a path the route does not match gets Vercel's 404. Dynamic segments are added to the query as
 *    Vercel does (`?id=1`), replacing client-sent parameters of the same name. For a request a
 *    vercel.json rewrite sent here, the route is matched against the rewrite's destination
 *    (`x-vfa-rewrite-path`) while the URL keeps the viewer's path, as on Vercel. A destination that
 *    is not a URL path (no leading `/`, a query, a fragment, a space or control) gets 400; one with
 *    a malformed percent-escape is matched as it is, as the same path requested directly would be
 *    (the viewer wrote it, not the configuration).
 *
 * The CDN's internal headers (`x-vfa-origin-secret`, `x-vfa-rewrite-path`, `x-vfa-route-headers`)
 * are removed before the handler sees the request, whatever the mode. A refusal carries the
 * response headers of the request's vercel.json `headers` rules (route-headers.ts) only once the
 * origin secret check passed or when there is none: a caller that failed it learns nothing of them.
 *
 * A bundle built without one of the checks (bundle-switches.ts) answers 500 to every request when its
 * variable is set, and logs why; so does a bundle built without the `headers` rules to a request that
 * carries their headers.
 *
 * Returns the request to hand to user code, or the response to send instead.
 */
export async function guardRequest(
  request: Request,
  requestId: string,
  env: GuardEnvironment = process.env,
): Promise<Request | Response> {
  const guard: GuardHeaders = {
    originSecret: takeHeader(request.headers, ORIGIN_SECRET_HEADER),
    rewritePath: takeHeader(request.headers, REWRITE_PATH_HEADER),
    routeHeaders: takeHeader(request.headers, ROUTE_HEADERS_HEADER),
  };
  return admitRequest(request, guard, requestId, env);
}

function takeHeader(headers: Headers, name: string): string | undefined {
  const value = headers.get(name);
  if (value === null) return undefined;
  headers.delete(name);
  return value;
}

/**
 * The variables the guard reads, copied out of `env` once. Lambda fixes a function's environment
 * before the runtime loads it, so the adapter reads it at handler creation rather than per request
 * (every `process.env` read is a call into the host).
 */
export function guardEnvironment(env: GuardEnvironment = process.env): GuardEnvironment {
  return { [ORIGIN_SECRET_ARN_ENV]: env[ORIGIN_SECRET_ARN_ENV], [ROUTE_ENV]: env[ROUTE_ENV] };
}

/**
 * {@link guardRequest} for a request whose internal headers were already taken off (the adapter's
 * event processor keeps them out of the `Request`): `guard` holds their values. Synchronous unless
 * the origin secret is checked, so a function behind neither check pays no promise per request.
 * A refusal after the origin secret check carries the route headers; one from it does not.
 */
export function admitRequest(
  request: Request,
  guard: GuardHeaders,
  requestId: string,
  env: GuardEnvironment = process.env,
): Request | Response | Promise<Request | Response> {
  const secretId = env[ORIGIN_SECRET_ARN_ENV];
  if (secretId) {
    // if/else, not an early return: bundle-switches.ts says why.
    if (typeof __VFA_ORIGIN_SECRET_CHECK__ === 'boolean' && !__VFA_ORIGIN_SECRET_CHECK__) {
      return leftOut(requestId, ORIGIN_SECRET_ARN_ENV, 'the origin secret check', 'secretHeader()');
    } else {
      return checkOriginSecret(secretId, guard.originSecret, requestId).then(
        (refusal) => refusal ?? withRuleHeaders(routeGuard(request, guard, requestId, env), guard, requestId),
      );
    }
  }
  return withRuleHeaders(routeGuard(request, guard, requestId, env), guard, requestId);
}

/** A refusal with the response headers of the request's vercel.json `headers` rules; a request as it is. */
function withRuleHeaders(
  admitted: Request | Response,
  guard: GuardHeaders,
  requestId: string,
): Request | Response {
  // The switch tested here too, so minifying drops the call from a bundle without the rules.
  if (
    (typeof __VFA_ROUTE_HEADERS__ === 'boolean' && !__VFA_ROUTE_HEADERS__) ||
    !(admitted instanceof Response)
  ) {
    return admitted;
  }
  return bundledRouteHeaders()?.withRouteHeaders(admitted, guard.routeHeaders, requestId) ?? admitted;
}

/** The checks after the origin secret's: the route headers' switch, then the route. */
function routeGuard(
  request: Request,
  guard: GuardHeaders,
  requestId: string,
  env: GuardEnvironment,
): Request | Response {
  // The CDN sent the response headers of vercel.json `headers` rules to a function bundled without
  // them: a Cdn with rules in front of a VercelFunction not told about them. Refused like a left-out
  // check, not served without them: the rules may carry security headers (Content-Security-Policy,
  // Strict-Transport-Security), and a response without them would look right while silently
  // dropping that protection. After the secret check, so a caller past CloudFront still gets 403.
  if (
    guard.routeHeaders !== undefined &&
    typeof __VFA_ROUTE_HEADERS__ === 'boolean' &&
    !__VFA_ROUTE_HEADERS__
  ) {
    return serverError(
      requestId,
      `The CDN sent vercel.json headers rules' response headers (${ROUTE_HEADERS_HEADER}), but this function was bundled with routeHeaders: false; set routeHeaders: true on its VercelFunction (VercelProject sets it from vercel.json). Refusing the request rather than serving it without them`,
    );
  }
  const routePath = env[ROUTE_ENV];
  if (!routePath) return request;
  if (typeof __VFA_ROUTE_CHECK__ === 'boolean' && !__VFA_ROUTE_CHECK__) {
    return leftOut(requestId, ROUTE_ENV, 'the route check', 'a route');
  } else {
    return routeRequest(request, routePath, guard.rewritePath, requestId);
  }
}

/** 403 without the right secret, 503 when the secret cannot be read (fail closed), else nothing. */
async function checkOriginSecret(
  secretId: string,
  presented: string | undefined,
  requestId: string,
): Promise<Response | undefined> {
  let valid: boolean;
  try {
    valid = await originSecretVerifier().verify(secretId, presented ?? null, requestId);
  } catch (error) {
    // The verifier logs why it could not read the secret; anything else is logged here.
    if (!(error instanceof OriginSecretUnavailableError)) {
      logError(requestId, 'The origin secret check failed; failing closed with 503', error);
    }
    return plainText(503, 'Service Unavailable', { 'retry-after': '5' });
  }
  return valid ? undefined : plainText(403, 'Forbidden');
}

/**
 * The environment asks for a check this bundle was built without (bundle-switches.ts): every such
 * request is refused, because serving it unchecked could let a caller past CloudFront.
 */
function leftOut(requestId: string, variable: string, check: string, needs: string): Response {
  return serverError(
    requestId,
    `${variable} is set, but this function was bundled without ${check} (its VercelFunction was not given ${needs}); refusing the request instead of serving it unchecked`,
  );
}

/**
 * Vercel's 404 for a path the route does not serve, else the request with the route's parameters.
 * The path is the rewrite's destination when a vercel.json rewrite sent the request here.
 */
function routeRequest(
  request: Request,
  routePath: string,
  rewritePath: string | undefined,
  requestId: string,
): Request | Response {
  let known: KnownRoute;
  try {
    known = routeOf(routePath);
  } catch (error) {
    return serverError(requestId, `${ROUTE_ENV} is not a route, so no request can be served`, error);
  }
  const { route } = known;
  if (rewritePath !== undefined) {
    const problem = rewritePathProblem(rewritePath);
    if (problem !== undefined) {
      const error = new InvalidEventError(
        `Invalid request: header "${REWRITE_PATH_HEADER}" ${problem}, got ${JSON.stringify(rewritePath)}`,
      );
      logError(
        requestId,
        `Rejected the request with 400: the CDN sets ${REWRITE_PATH_HEADER} for vercel.json rewrites, so its router function or the rewrite's destination is misconfigured`,
        error,
      );
      // The body names no internal header: the viewer only needs to know the request was refused.
      return plainText(error.statusCode, 'Bad Request');
    }
  }
  // What the match depends on: the rewrite's path, else the URL up to its query (its path, and the
  // host, which never changes either). `>>> 0` turns "no `?`" (-1) into "to the end".
  const href = request.url;
  const served = rewritePath ?? href.slice(0, href.indexOf('?') >>> 0);
  if (served === known.served) return request;
  const url = new URL(href);
  const match = matchRoute([route], rewritePath ?? url.pathname);
  // Vercel's 404 body, as the CDN sends it for paths no function serves.
  if (!match) return plainText(404, 'The page could not be found.\n\nNOT_FOUND\n');
  if (route.params.length === 0) {
    known.served = served;
    return request;
  }
  const query = withRouteParams(url.search.slice(1), match.params);
  const routed = `${url.origin}${url.pathname}${query === '' ? '' : `?${query}`}`;
  // `duplex: 'half'` lets the stream body pass on unread (undici requires it; the DOM typings lack it).
  const init: RequestInit & { duplex: 'half' } = {
    method: request.method,
    headers: request.headers,
    body: request.body,
    duplex: 'half',
  };
  return new Request(routed, init);
}

// A URL path as the CDN passes it on: printable ASCII except `?` and `#` (no query, no fragment).
const URL_PATH = /^\/[\x21\x22\x24-\x3e\x40-\x7e]*$/;

/**
 * What is wrong with a rewrite destination path, or `undefined` when it is a URL path. A malformed
 * percent-escape is not wrong here: it comes from the viewer's path, and matchRoute keeps it raw
 * as it does for `url.pathname`.
 */
function rewritePathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must be a URL path starting with "/"';
  if (!URL_PATH.test(path)) return 'must be a percent-encoded URL path without query or fragment';
  return undefined;
}

/**
 * The route, parsed once: it never changes within a process (derived from the environment, not
 * per-request state). `served` is the last request a route without parameters let through, by what
 * the match depends on: a parameterless route serves one path (give or take a trailing slash), so
 * nearly every request is that one again and skips parsing its URL and matching it (measured: about
 * 0.6 µs per request in-process, 3–4 µs under the runtime client). Matching is a pure function of
 * route and path, so the answer is the same; the worst a stale value can do is cost a match.
 */
interface KnownRoute {
  readonly source: string;
  readonly route: RoutePattern;
  served?: string;
}

let parsed: KnownRoute | undefined;

function routeOf(source: string): KnownRoute {
  if (parsed?.source !== source) parsed = { source, route: parseRoute(source) };
  return parsed;
}
