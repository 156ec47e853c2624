import {
  ORIGIN_SECRET_ARN_ENV,
  ORIGIN_SECRET_HEADER,
  REWRITE_PATH_HEADER,
  ROUTE_HEADERS_HEADER,
} from '../constructs-contract';
import { type GuardEnvironment, guardRequest } from './request-guard';

/*
 * The adapter's request guard (request-guard.ts: origin secret, then route) for middy handlers.
 * middy handlers receive the raw Lambda event, not a Web Request, so the event is viewed as a
 * bodyless Request for the guard, and the guard's decision is mapped back onto the event: the
 * CDN's internal headers removed, the route's parameters added to the query. One guard for both
 * entry points, so a middy handler behind `OriginProtection.secretHeader()` or a route-scoped
 * behaviour is protected exactly like an adapter-wrapped module.
 */

/** What {@link guardMiddyEvent} decided. */
export type MiddyGuardOutcome =
  /**
   * Admitted: the event to hand to middy (a shallow copy when something changed), the raw
   * `x-vfa-route-headers` value (the response headers of the vercel.json `headers` rules), if any,
   * and whether the event was admitted for carrying CloudFront's origin secret
   * (`OriginProtection.secretHeader()`): then it came through CloudFront, whatever its shape.
   * `request` is the viewer's method and URL as the event has them, before the guard's changes:
   * what CloudFront keys the response on. Unset for an event that is not HTTP-shaped.
   */
  | {
      readonly event: unknown;
      readonly routeHeaders?: string;
      readonly originSecretChecked: boolean;
      readonly request?: { readonly method: string; readonly url: string };
      readonly response?: undefined;
    }
  /** Refused: the response to send instead; middy is not called. */
  | { readonly response: Response; readonly omitBody: boolean; readonly event?: undefined };

/** The parts of an HTTP event (Function URL / API Gateway v2, or API Gateway v1) the guard reads. */
interface HttpEvent {
  headers?: Record<string, unknown> | null;
  multiValueHeaders?: Record<string, unknown> | null;
  rawPath?: unknown;
  rawQueryString?: unknown;
  path?: unknown;
  httpMethod?: unknown;
  queryStringParameters?: unknown;
  multiValueQueryStringParameters?: Record<string, unknown> | null;
  requestContext?: { http?: { method?: unknown } };
}

/**
 * Runs the request guard on a middy event.
 *
 * Only HTTP-shaped events are guarded (they carry headers or a path). Any event a Function URL
 * delivers is one (payload 2.0 always has `headers` and `rawPath`), so a caller reaching the URL
 * cannot avoid the check; other events come from the Invoke API, which IAM already authorizes.
 */
export async function guardMiddyEvent(
  event: unknown,
  requestId: string,
  env: GuardEnvironment = process.env,
): Promise<MiddyGuardOutcome> {
  if (!isHttpEvent(event)) return { event, originSecretChecked: false };
  const method = methodOf(event) ?? '';
  const omitBody = method === 'HEAD';
  const url = rawUrl(event);
  let request: Request;
  try {
    request = new Request(url, { headers: guardHeaders(event) });
  } catch {
    // The adapter answers such events (an unparsable path or query) with 400 too.
    return { response: plainText(400, 'Bad Request'), omitBody };
  }
  const originalUrl = request.url;
  const routeHeaders = request.headers.get(ROUTE_HEADERS_HEADER) ?? undefined;
  const admitted = await guardRequest(request, requestId, env);
  if (admitted instanceof Response) return { response: admitted, omitBody };

  const copy: HttpEvent & Record<string, unknown> = { ...event };
  if (isRecord(event.headers)) copy.headers = withoutInternal(event.headers);
  if (isRecord(event.multiValueHeaders)) copy.multiValueHeaders = withoutInternal(event.multiValueHeaders);
  if (admitted.url !== originalUrl) setQuery(copy, new URL(admitted.url).search.slice(1));
  // Admitted with a secret set means the secret was right (a bundle without the check refused it).
  return {
    event: copy,
    routeHeaders,
    originSecretChecked: Boolean(env[ORIGIN_SECRET_ARN_ENV]),
    request: { method, url },
  };
}

/**
 * The event's path and query in a URL, as written (not re-parsed: CloudFront keys its cache on the
 * query as the viewer sent it). The guard views the event as a bodyless Request with this URL and
 * the event's headers: all it looks at. The host plays no part in the guard's decisions or in
 * CloudFront's invalidation paths; a fixed one keeps Host values out of the URL.
 */
function rawUrl(event: HttpEvent): string {
  const path =
    typeof event.rawPath === 'string' ? event.rawPath : typeof event.path === 'string' ? event.path : '/';
  const query = typeof event.rawQueryString === 'string' ? event.rawQueryString : v1Query(event);
  return `https://function.invalid${path.startsWith('/') ? '' : '/'}${path}${query ? `?${query}` : ''}`;
}

function guardHeaders(event: HttpEvent): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (typeof value !== 'string') continue;
    try {
      headers.append(name, value);
    } catch {
      // A header the Web Headers class refuses cannot be one the guard reads; leave it out.
    }
  }
  return headers;
}

function v1Query(event: HttpEvent): string {
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (!Array.isArray(values)) continue;
    for (const value of values) if (typeof value === 'string') params.append(name, value);
  }
  return params.toString();
}

// The CDN headers the guard consumes (the origin secret, a rewrite's path, the route headers) are
// the adapter's: none reaches the handler, whatever the header's casing. (Other `x-vfa-*` headers,
// such as the distribution id the purge calls read, stay.)
const GUARD_HEADERS: ReadonlySet<string> = new Set([
  ORIGIN_SECRET_HEADER,
  REWRITE_PATH_HEADER,
  ROUTE_HEADERS_HEADER,
]);

function withoutInternal<T>(headers: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !GUARD_HEADERS.has(name.toLowerCase())),
  );
}

/**
 * Puts the guarded query (route parameters added, as Vercel passes dynamic segments) into the
 * event's own query fields: `rawQueryString` and `queryStringParameters` (values of a repeated
 * name joined with commas, as Function URLs and API Gateway v2 do), or for API Gateway v1
 * `queryStringParameters` (last value) and `multiValueQueryStringParameters`.
 */
function setQuery(event: HttpEvent & Record<string, unknown>, rawQuery: string): void {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(rawQuery))
    grouped.set(name, [...(grouped.get(name) ?? []), value]);
  if (typeof event.httpMethod === 'string' && typeof event.rawQueryString !== 'string') {
    event.queryStringParameters = Object.fromEntries(
      [...grouped].map(([name, values]) => [name, values.at(-1)]),
    );
    event.multiValueQueryStringParameters = Object.fromEntries(grouped);
    return;
  }
  event.rawQueryString = rawQuery;
  event.queryStringParameters = Object.fromEntries(
    [...grouped].map(([name, values]) => [name, values.join(',')]),
  );
}

function methodOf(event: HttpEvent): string | undefined {
  const method = event.requestContext?.http?.method ?? event.httpMethod;
  return typeof method === 'string' ? method.toUpperCase() : undefined;
}

function isHttpEvent(event: unknown): event is HttpEvent {
  if (!isRecord(event)) return false;
  return isRecord(event.headers) || typeof event.rawPath === 'string' || typeof event.path === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function plainText(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}
