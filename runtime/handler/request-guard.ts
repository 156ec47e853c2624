import { ORIGIN_SECRET_ARN_ENV, ORIGIN_SECRET_HEADER, ROUTE_ENV } from '../constructs-contract';
import { OriginSecretUnavailableError } from './errors';
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
 * Returns the request to hand to user code, or the response to send instead.
 */
export async function guardRequest(
  request: Request,
  requestId: string,
  env: GuardEnvironment = process.env,
): Promise<Request | Response> {
  const presented = request.headers.get(ORIGIN_SECRET_HEADER);
  if (presented !== null) request.headers.delete(ORIGIN_SECRET_HEADER);
  const secretId = env[ORIGIN_SECRET_ARN_ENV];
  if (secretId) {
    let valid: boolean;
    try {
      valid = await originSecretVerifier().verify(secretId, presented, requestId);
    } catch (error) {
      // The verifier logs why it could not read the secret; anything else is logged here.
      if (!(error instanceof OriginSecretUnavailableError)) {
        logError(requestId, 'The origin secret check failed; failing closed with 503', error);
      }
      return plainText(503, 'Service Unavailable', { 'retry-after': '5' });
    }
    if (!valid) return plainText(403, 'Forbidden');
  }

  const routePath = env[ROUTE_ENV];
  if (!routePath) return request;
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
