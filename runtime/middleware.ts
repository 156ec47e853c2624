/**
 * Routing-middleware helpers: `next()` and `rewrite()` build the response headers
 * (`x-middleware-*`) that Vercel's routing layer interprets. They are pure functions and behave
 * exactly as upstream; the headers only take effect where a routing layer reads them.
 */
import { InvalidMiddlewareRequestError } from './errors';

/** Changes to the request that continues to the origin. */
export interface ModifiedRequest {
  /**
   * Replaces the headers of the request sent on to the origin, e.g. to pass a user id from
   * middleware to a function. Must be a `Headers` instance.
   */
  headers?: Headers;
}

/** `ResponseInit` plus the middleware-only `request` field. */
export interface ExtraResponseInit extends Omit<ResponseInit, 'headers'> {
  /** Headers added to the response sent to the client. */
  headers?: HeadersInit;
  /** Changes to the request that continues to the origin. */
  request?: ModifiedRequest;
}

function applyRequestOverrides(init: ExtraResponseInit | undefined, headers: Headers): void {
  const requestHeaders = init?.request?.headers;
  if (!requestHeaders) return;
  // A plain object would silently lose entries in the loop below; upstream rejects it.
  if (!(requestHeaders instanceof Headers)) throw new InvalidMiddlewareRequestError();
  const names: string[] = [];
  for (const [name, value] of requestHeaders) {
    headers.set(`x-middleware-request-${name}`, value);
    names.push(name);
  }
  headers.set('x-middleware-override-headers', names.join(','));
}

function middlewareResponse(marker: [string, string], init: ExtraResponseInit | undefined): Response {
  const headers = new Headers(init?.headers ?? {});
  headers.set(...marker);
  applyRequestOverrides(init, headers);
  return new Response(null, { ...init, headers });
}

/**
 * Returns a response that rewrites the request to `destination` (header `x-middleware-rewrite`).
 *
 * @param destination The URL to rewrite to.
 * @param init Response options; `init.request.headers` (a `Headers`) overrides the request headers.
 * @throws {InvalidMiddlewareRequestError} `request.headers must be an instance of Headers`.
 * @example
 * ```ts
 * import { rewrite } from '@vercel/functions';
 *
 * export default function middleware(request: Request) {
 *   const url = new URL(request.url);
 *   url.pathname = `/experimental${url.pathname}`;
 *   return rewrite(url);
 * }
 * ```
 */
export function rewrite(destination: string | URL, init?: ExtraResponseInit): Response {
  return middlewareResponse(['x-middleware-rewrite', String(destination)], init);
}

/**
 * Returns a response that lets the request continue (header `x-middleware-next: 1`).
 *
 * @param init Response options; `init.request.headers` (a `Headers`) overrides the request headers.
 * @throws {InvalidMiddlewareRequestError} `request.headers must be an instance of Headers`.
 * @example
 * ```ts
 * import { next } from '@vercel/functions';
 *
 * export default function middleware() {
 *   return next({ headers: { 'x-from-middleware': 'true' } });
 * }
 * ```
 */
export function next(init?: ExtraResponseInit): Response {
  return middlewareResponse(['x-middleware-next', '1'], init);
}
