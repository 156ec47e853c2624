import {
  CRON_SCHEDULE_CONTEXT_FIELD,
  ORIGIN_SECRET_ARN_ENV,
  ORIGIN_SECRET_HEADER,
  REWRITE_PATH_HEADER,
  ROUTE_HEADERS_HEADER,
} from '../constructs-contract';
import { InvalidEventError } from '../errors';
import { describeValue } from './dispatch';
import { addDerivedHeaders, isTrustedHeaderName, isViewerHeaderName, viaCloudFront } from './viewer-headers';

/** What the event processor needs besides the event itself. */
export interface EventProcessorOptions {
  /** The Lambda request id, for `x-vercel-id`. */
  readonly requestId: string;
  /** The AWS region the function runs in (`AWS_REGION`). */
  readonly awsRegion?: string;
}

/** A Function URL event as the adapter hands it on. */
export interface FunctionUrlRequest {
  /** The Web `Request` for the handler. */
  readonly request: Request;
  /**
   * The same headers as a record (lower-case names): the request context's view, built in the
   * same pass. Neither it nor the `Request` holds the CDN's internal headers (the three below).
   */
  readonly headers: Record<string, string>;
  /**
   * The origin secret header's value (`x-vfa-origin-secret`), taken out of the headers before the
   * `Request` was built: it is CloudFront's, for the request guard only, and never reaches user code.
   */
  readonly originSecret: string | undefined;
  /**
   * The path a vercel.json rewrite sent the request to (`x-vfa-rewrite-path`, still
   * percent-encoded), taken out like the origin secret: the route guard matches it instead of the
   * URL's path, which stays the viewer's.
   */
  readonly rewritePath: string | undefined;
  /**
   * The raw `x-vfa-route-headers` value (JSON: the response headers vercel.json `headers` rules
   * give this request), taken out like the origin secret; parsed only when the response is sent.
   */
  readonly routeHeaders: string | undefined;
}

/** The fields of a Function URL (payload v2) event the adapter reads, once validated. */
interface FunctionUrlRequestFields {
  method: string;
  rawPath: string;
  rawQueryString: string;
  /**
   * The event's headers, copied: lower-case names, trusted names (and `CloudFront-Viewer-*` ones
   * unless `viaCloudFront`) dropped, values trimmed.
   */
  headers: Record<string, string>;
  cookies: string[];
  body: string | undefined;
  isBase64Encoded: boolean;
  domainName: string | undefined;
  sourceIp: string | undefined;
  /** Whether the event's `CloudFront-Viewer-*` headers are CloudFront's (viewer-headers.ts). */
  viaCloudFront: boolean;
  /** A vercel.json cron's schedule, for `x-vercel-cron-schedule` (`CRON_SCHEDULE_CONTEXT_FIELD`). */
  cronSchedule: string | undefined;
}

/**
 * Turns a Lambda Function URL event (payload format 2.0,
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads) into the Web
 * `Request` a Vercel handler expects, with trusted headers (see `applyTrustedHeaders`).
 *
 * Throws `InvalidEventError` naming the problem for anything that is not such an event, or whose
 * body or URL cannot be decoded; the adapter turns it into a 400 without calling user code.
 */
export function toWebRequest(event: unknown, options: EventProcessorOptions): Request {
  const { request, originSecret, rewritePath, routeHeaders } = readFunctionUrlRequest(event, options);
  // Kept on this Request: its caller hands it to `guardRequest`, which reads and removes them.
  restoreHeader(request, ORIGIN_SECRET_HEADER, originSecret);
  restoreHeader(request, REWRITE_PATH_HEADER, rewritePath);
  restoreHeader(request, ROUTE_HEADERS_HEADER, routeHeaders);
  return request;
}

function restoreHeader(request: Request, name: string, value: string | undefined): void {
  if (value === undefined) return;
  try {
    request.headers.set(name, value);
  } catch (cause) {
    throw invalidEvent(`header "${name}" has an invalid value`, { cause });
  }
}

/**
 * {@link toWebRequest}, plus the request's headers as a record for the request context.
 *
 * The headers are worked on as a plain record and handed to `Request` once: building a `Headers`
 * first and copying it into the `Request` validated every header twice, and reading it back into
 * a record a third time — about a third of the adapter's own time per request (measured).
 */
export function readFunctionUrlRequest(event: unknown, options: EventProcessorOptions): FunctionUrlRequest {
  const fields = readEvent(event);
  const headers = fields.headers;
  // Function URLs move the Cookie header into `cookies[]`; Web handlers read it from the header.
  if (fields.cookies.length > 0) headers.cookie = fields.cookies.join('; ');
  addDerivedHeaders(headers, { sourceIp: fields.sourceIp, viaCloudFront: fields.viaCloudFront, ...options });
  // Trusted like the derived headers: it comes from requestContext, which no client can write.
  if (fields.cronSchedule !== undefined) headers[CRON_SCHEDULE_HEADER] = fields.cronSchedule;
  // The CDN's internal headers, for the adapter only: one lookup each, nothing more when absent.
  const originSecret = takeOut(headers, ORIGIN_SECRET_HEADER);
  const rewritePath = takeOut(headers, REWRITE_PATH_HEADER);
  const routeHeaders = takeOut(headers, ROUTE_HEADERS_HEADER);

  const host = publicHost(fields, headers);
  // Behind CloudFront the Host header names the Function URL (CloudFront must send the origin its
  // own host); on Vercel a function sees the host the viewer asked for, as in `request.url`.
  if (headers['x-forwarded-host'] !== undefined) headers.host = host;
  const url = requestUrl(fields, headers, host);
  // `Request` upper-cases these two itself, and refuses a body for them.
  const bodyless = BODYLESS_METHOD.test(fields.method);
  const body = bodyless ? undefined : decodeBody(fields);
  let request: Request;
  try {
    // A plain GET needs no init: the default, and one conversion less.
    request = fields.method === 'GET' ? new Request(url) : new Request(url, { method: fields.method, body });
  } catch (cause) {
    throw rejectedRequest(cause, fields, url);
  }
  appendHeaders(request.headers, headers);
  return { request, headers, originSecret, rewritePath, routeHeaders };
}

/**
 * The raw `x-vfa-route-headers` value of an event {@link readFunctionUrlRequest} refused, so the
 * adapter's 400 still carries the vercel.json `headers` rules' headers; `undefined` if there is none.
 */
export function routeHeadersOf(event: unknown): string | undefined {
  const value = (event as UncheckedEvent)?.headers?.[ROUTE_HEADERS_HEADER];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Whether an event {@link readFunctionUrlRequest} refused asked for HEAD, so the adapter's 400
 * goes without a body as every other answer to HEAD does.
 */
export function isHeadEvent(event: unknown): boolean {
  const method = (event as UncheckedEvent)?.requestContext?.http?.method;
  return typeof method === 'string' && method.toUpperCase() === 'HEAD';
}

/**
 * The parts of an event read through optional chaining rather than an object check per level: a
 * Lambda event is parsed JSON, where a value that is not an object (a string, a number, an array)
 * has none of these properties, so the `typeof` test on the value read checks as much — in fewer
 * bytes of every function bundle.
 */
type UncheckedEvent =
  | {
      readonly requestContext?: UncheckedRequestContext | null;
      readonly headers?: Readonly<Record<string, unknown>> | null;
    }
  | null
  | undefined;

interface UncheckedRequestContext {
  readonly http?: { readonly method?: unknown; readonly sourceIp?: unknown } | null;
  readonly domainName?: unknown;
  readonly [CRON_SCHEDULE_CONTEXT_FIELD]?: unknown;
}

/** Removes a header from the record and returns its value (`undefined`, and no work, when absent). */
function takeOut(headers: Record<string, string>, name: string): string | undefined {
  const value = headers[name];
  if (value !== undefined) delete headers[name];
  return value;
}

const BODYLESS_METHOD = /^(?:GET|HEAD)$/i;

// The header Vercel's cron requests carry their schedule in (`0 5 * * *`).
const CRON_SCHEDULE_HEADER = 'x-vercel-cron-schedule';

/**
 * Adds the headers to the new `Request`'s (empty) headers one by one: the same result as passing
 * them in `RequestInit.headers`, without undici first converting the whole record into another
 * one (about a quarter of `new Request`'s time, measured), and a refused header is known by name.
 */
function appendHeaders(target: Headers, headers: Record<string, string>): void {
  for (const name of Object.keys(headers)) {
    try {
      target.append(name, headers[name]);
    } catch (cause) {
      appendAsNodeReadsIt(target, headers, name, cause);
    }
  }
}

/**
 * A header undici refused. `Headers` takes only ByteStrings, but Lambda hands over the viewer's
 * UTF-8 header bytes decoded (a User-Agent naming a phone model in Chinese), and Vercel serves
 * such a request: Node's HTTP parser reads header bytes as latin1, one character per byte. The
 * value gets that form here — in the record too, so the request context sees what the `Request`
 * has. Anything else undici refuses (CR, LF, NUL, a bad name) is a 400 naming the header: the
 * latin1 form keeps those (UTF-8 leaves ASCII as it is), so it is refused again. Tried without
 * first looking for a character above U+00FF: the outcome is the same, in fewer bundle bytes.
 * Only reached on a refusal: the common path pays nothing for it.
 */
function appendAsNodeReadsIt(
  target: Headers,
  headers: Record<string, string>,
  name: string,
  cause: unknown,
): void {
  const bytesAsLatin1 = Buffer.from(headers[name], 'utf8').toString('latin1');
  try {
    target.append(name, bytesAsLatin1);
  } catch {
    throw invalidEvent(`header ${JSON.stringify(name)} has an invalid name or value`, { cause });
  }
  headers[name] = bytesAsLatin1;
}

/** Why `Request` refused the event, as the error the adapter answers with: an unparsable URL, or else the method. */
function rejectedRequest(cause: unknown, fields: FunctionUrlRequestFields, url: string): InvalidEventError {
  if (!URL.canParse(url)) {
    return invalidEvent(`${JSON.stringify(url)} is not a valid URL`, { cause });
  }
  // undici refuses CONNECT, TRACE and TRACK, and any method that is not an HTTP token.
  return new InvalidEventError(`Method ${JSON.stringify(fields.method)} is not supported`, {
    cause,
    statusCode: 405,
  });
}

function readEvent(event: unknown): FunctionUrlRequestFields {
  if (!isRecord(event)) {
    throw invalidEvent(`expected a Lambda Function URL event object, got ${describeValue(event)}`);
  }
  if (event.version !== '2.0') {
    throw invalidEvent(
      `expected a Function URL event (payload format version "2.0"), got ${describeValue(event.version)} as the version`,
    );
  }
  // See UncheckedEvent.
  const requestContext = event.requestContext as UncheckedRequestContext | null | undefined;
  const http = requestContext?.http;
  if (typeof http?.method !== 'string' || http.method === '') {
    throw invalidEvent('requestContext.http.method is missing');
  }
  if (typeof event.rawPath !== 'string' || !event.rawPath.startsWith('/')) {
    throw invalidField('rawPath', 'a string starting with "/"', event.rawPath);
  }
  if (event.rawQueryString !== undefined && typeof event.rawQueryString !== 'string') {
    throw invalidField('rawQueryString', 'a string', event.rawQueryString);
  }
  if (event.body !== undefined && event.body !== null && typeof event.body !== 'string') {
    throw invalidField('body', 'a string', event.body);
  }
  // An API Gateway HTTP API event has this shape too; its CloudFront-Viewer-* headers count only
  // behind the origin secret (read here, not at handler creation: Function URL events never need it).
  const fromCloudFront = viaCloudFront(requestContext, () => Boolean(process.env[ORIGIN_SECRET_ARN_ENV]));
  return {
    method: http.method,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString ?? '',
    headers: readHeaders(event.headers, fromCloudFront),
    cookies: readCookies(event.cookies),
    body: event.body ?? undefined,
    isBase64Encoded: event.isBase64Encoded === true,
    domainName: typeof requestContext?.domainName === 'string' ? requestContext.domainName : undefined,
    sourceIp: typeof http.sourceIp === 'string' ? http.sourceIp : undefined,
    viaCloudFront: fromCloudFront,
    cronSchedule: readCronSchedule(requestContext?.[CRON_SCHEDULE_CONTEXT_FIELD]),
  };
}

/**
 * Copies the event's headers the way `Headers` would read them — names lower-cased, a name given
 * twice joined (`, `, or `; ` for cookie), surrounding HTTP whitespace trimmed from values — and
 * leaves out every name only the runtime may set (`isTrustedHeaderName`), and every
 * `CloudFront-Viewer-*` name unless they are CloudFront's (`fromCloudFront`).
 */
function readHeaders(headers: unknown, fromCloudFront: boolean): Record<string, string> {
  const copy: Record<string, string> = {};
  if (headers === undefined || headers === null) return copy;
  if (!isRecord(headers)) throw invalidField('headers', 'an object', headers);
  for (const name of Object.keys(headers)) {
    const raw = headers[name];
    if (typeof raw !== 'string') throw invalidField(`header ${JSON.stringify(name)}`, 'a string', raw);
    const lower = name.toLowerCase();
    if (isTrustedHeaderName(lower) || (!fromCloudFront && isViewerHeaderName(lower))) continue;
    // No client sends it; in a record it would name the prototype, which undici drops too.
    if (lower === '__proto__') continue;
    const value = trimHttpWhitespace(raw);
    const existing = copy[lower];
    // Inherited names (`constructor`, `toString`, ...) are not an earlier header of that name.
    copy[lower] =
      existing === undefined || !Object.hasOwn(copy, lower)
        ? value
        : `${existing}${lower === 'cookie' ? '; ' : ', '}${value}`;
  }
  return copy;
}

/**
 * `Headers` normalises values by removing leading and trailing HTTP whitespace: exactly tab, LF, CR
 * and space. An index scan: a regex anchored at the end retries from every whitespace character
 * in the middle of the value, which is quadratic on a long run of spaces. A value that starts and
 * ends above U+0020 — nearly every one — is returned by the first test.
 */
function trimHttpWhitespace(value: string): string {
  let end = value.length;
  if (end === 0 || (value.charCodeAt(0) > 0x20 && value.charCodeAt(end - 1) > 0x20)) return value;
  let start = 0;
  while (start < end && HTTP_WHITESPACE.includes(value[start])) start++;
  while (end > start && HTTP_WHITESPACE.includes(value[end - 1])) end--;
  return value.slice(start, end);
}

const HTTP_WHITESPACE = '\t\n\r ';

/** The cron schedule of a scheduled invocation: printable ASCII, as a header value must be. */
function readCronSchedule(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[ -~]{1,256}$/.test(value)) {
    throw invalidField(`requestContext.${CRON_SCHEDULE_CONTEXT_FIELD}`, 'a cron schedule', value);
  }
  return value;
}

function readCookies(cookies: unknown): string[] {
  if (cookies === undefined || cookies === null) return [];
  if (!Array.isArray(cookies) || cookies.some((cookie) => typeof cookie !== 'string')) {
    throw invalidField('cookies', 'an array of strings', cookies);
  }
  return cookies;
}

/**
 * The host the viewer asked for: `x-forwarded-host`, which CloudFront's viewer-request function
 * copies from the viewer's Host (CloudFront itself must send the Function URL's own host to the
 * origin); then `host`; then the Function URL domain.
 */
function publicHost(fields: FunctionUrlRequestFields, headers: Readonly<Record<string, string>>): string {
  const host = firstValue(headers['x-forwarded-host']) ?? firstValue(headers.host) ?? fields.domainName;
  if (!host || /[\s/\\?#@]/.test(host)) {
    throw invalidEvent(`cannot tell the request's host (got ${describeValue(host)})`);
  }
  return host;
}

/** `https://<public host><rawPath>?<rawQueryString>`. */
function requestUrl(
  fields: FunctionUrlRequestFields,
  headers: Readonly<Record<string, string>>,
  host: string,
): string {
  const proto =
    firstValue(headers['cloudfront-forwarded-proto']) ?? firstValue(headers['x-forwarded-proto']) ?? 'https';
  const protocol = proto.toLowerCase() === 'http' ? 'http' : 'https';
  // Not parsed here: `Request` parses it, and an unparsable URL is reported when it refuses it.
  return `${protocol}://${host}${fields.rawPath}${fields.rawQueryString ? `?${fields.rawQueryString}` : ''}`;
}

// The standard alphabet with at most two `=` at the end; with a length that is a multiple of 4,
// exactly the padded base64 Lambda sends. No groups or alternation: a regex that repeats a group
// per 4 characters keeps backtracking state per repetition and overflows V8's stack on a body of
// a few megabytes, well under the Function URL's 6 MB payload.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The request body. Node's base64 decoder skips characters it does not know and stops at the
 * first `=`, so a corrupted body would reach the handler as plausible but wrong bytes; the body is
 * checked against the standard padded alphabet Lambda uses before it is decoded.
 */
function decodeBody(fields: FunctionUrlRequestFields): Uint8Array<ArrayBuffer> | undefined {
  if (fields.body === undefined) return undefined;
  if (!fields.isBase64Encoded) return Buffer.from(fields.body, 'utf8');
  if (fields.body.length % 4 !== 0 || !BASE64.test(fields.body)) {
    throw new InvalidEventError(
      `Invalid request body: isBase64Encoded is true but the body is not valid base64 (${base64Problem(fields.body)})`,
    );
  }
  return Buffer.from(fields.body, 'base64');
}

function base64Problem(body: string): string {
  const bad = /[^A-Za-z0-9+/=]/.exec(body);
  if (bad) return `character ${JSON.stringify(bad[0])} at offset ${bad.index}`;
  if (body.length % 4 !== 0) return `length ${body.length} is not a multiple of 4`;
  return 'misplaced "=" padding';
}

function firstValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const comma = value.indexOf(',');
  const first = (comma === -1 ? value : value.slice(0, comma)).trim();
  return first || undefined;
}

function invalidField(field: string, expected: string, value: unknown): InvalidEventError {
  return invalidEvent(`${field} must be ${expected}, got ${describeValue(value)}`);
}

/** The 400 for an event the adapter cannot serve: `Invalid event: <problem>`, said once for every bundle. */
function invalidEvent(problem: string, options?: ErrorOptions): InvalidEventError {
  return new InvalidEventError(`Invalid event: ${problem}`, options);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
