import { ORIGIN_SECRET_ARN_ENV, ORIGIN_SECRET_HEADER, ROUTE_ENV } from '../constructs-contract';
import './bundle-switches';
import { OriginSecretUnavailableError } from '../errors';
import { logError } from './log';
import { originSecretVerifier } from './origin-secret';
import { plainText } from './plain-text';
import { matchRoute, parseRoute, type RoutePattern, withRouteParams } from './route';

/** The environment variables the guard reads (`process.env` in production). */
export type GuardEnvironment = Readonly<Record<string, string | undefined>>;

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
 *    Vercel does (`?id=1`), replacing client-sent parameters of the same name.
 *
 * A bundle built without one of the checks (bundle-switches.ts) answers 500 to every request when its
 * variable is set, and logs why.
 *
 * Returns the request to hand to user code, or the response to send instead.
 */
export async function guardRequest(
  request: Request,
  requestId: string,
  env: GuardEnvironment = process.env,
): Promise<Request | Response> {
  const presented = request.headers.get(ORIGIN_SECRET_HEADER);
  if (presented !== null) request.headers.delete(ORIGIN_SECRET_HEADER);
  return admitRequest(request, presented ?? undefined, requestId, env);
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
 * {@link guardRequest} for a request whose origin secret header was already taken off (the adapter's
 * event processor keeps it out of the `Request`): `presented` is its value. Synchronous unless the
 * origin secret is checked, so a function behind neither check pays no promise per request.
 */
export function admitRequest(
  request: Request,
  presented: string | undefined,
  requestId: string,
  env: GuardEnvironment = process.env,
): Request | Response | Promise<Request | Response> {
  const secretId = env[ORIGIN_SECRET_ARN_ENV];
  if (secretId) {
    // if/else, not an early return: bundle-switches.ts says why.
    if (typeof __VFA_ORIGIN_SECRET_CHECK__ === 'boolean' && !__VFA_ORIGIN_SECRET_CHECK__) {
      return leftOut(requestId, ORIGIN_SECRET_ARN_ENV, 'the origin secret check', 'secretHeader()');
    } else {
      return checkOriginSecret(secretId, presented, requestId).then(
        (refusal) => refusal ?? routeGuard(request, requestId, env),
      );
    }
  }
  return routeGuard(request, requestId, env);
}

function routeGuard(request: Request, requestId: string, env: GuardEnvironment): Request | Response {
  const routePath = env[ROUTE_ENV];
  if (!routePath) return request;
  if (typeof __VFA_ROUTE_CHECK__ === 'boolean' && !__VFA_ROUTE_CHECK__) {
    return leftOut(requestId, ROUTE_ENV, 'the route check', 'a route');
  } else {
    return routeRequest(request, routePath, requestId);
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
 * The environment asks for a check this bundle was built without (bundle-switches.ts): every
 * request is refused, because serving it unchecked could let a caller past CloudFront.
 */
function leftOut(requestId: string, variable: string, check: string, needs: string): Response {
  logError(
    requestId,
    `${variable} is set, but this function was bundled without ${check} (its VercelFunction was not given ${needs}); refusing the request instead of serving it unchecked`,
  );
  return plainText(500, 'Internal Server Error');
}

/** Vercel's 404 for a path the route does not serve, else the request with the route's parameters. */
function routeRequest(request: Request, routePath: string, requestId: string): Request | Response {
  let route: RoutePattern;
  try {
    route = routeOf(routePath);
  } catch (error) {
    logError(requestId, `${ROUTE_ENV} is not a route, so no request can be served`, error);
    return plainText(500, 'Internal Server Error');
  }
  const url = new URL(request.url);
  const match = matchRoute([route], url.pathname);
  // Vercel's 404 body, as the CDN sends it for paths no function serves.
  if (!match) return plainText(404, 'The page could not be found.\n\nNOT_FOUND\n');
  if (route.params.length === 0) return request;
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

// The route never changes within a process: parse it once. (Derived from the environment, not
// per-request state.)
let parsed: { source: string; route: RoutePattern } | undefined;

function routeOf(source: string): RoutePattern {
  if (parsed?.source !== source) parsed = { source, route: parseRoute(source) };
  return parsed.route;
}
