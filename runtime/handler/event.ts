import {
  CRON_SCHEDULE_CONTEXT_FIELD,
  ORIGIN_SECRET_ARN_ENV,
  ORIGIN_SECRET_HEADER,
  REWRITE_PATH_HEADER,
  ROUTE_HEADERS_HEADER,
} from '../constructs-contract';
import { InvalidEventError } from '../errors';
import { IP_HEADER_NAME } from '../headers';
import { describeValue } from './dispatch';
import {
  addDerivedHeaders,
  FORWARDED_FOR_HEADER_NAME,
  isTrustedHeaderName,
  isViewerHeaderName,
  viaCloudFront,
} from './viewer-headers';

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
   * The request's URL as the viewer sent it (`rawPath` and `rawQueryString`, not re-encoded by URL
   * parsing): what CloudFront keys the response under, so what its invalidation paths must name.
   */
  readonly url: string;
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
  if (!isRecord(event)) {
    throw invalidEvent(`expected a Lambda Function URL event object, got ${describeValue(event)}`);
  }
  if (event.version !== '2.0') {
    throw invalidEvent(
      `expected a Function URL event (payload format version "2.0"), got ${describeValue(event.version)} as the version`,
    );
  }
  // See UncheckedEvent. Past the method check, both are objects.
  const requestContext = event.requestContext as UncheckedRequestContext;
  const http = requestContext?.http;
  if (typeof http?.method !== 'string' || http.method === '') {
    throw invalidEvent('requestContext.http.method is missing');
  }
  const { method } = http;
  const { rawPath, rawQueryString = '', body } = event;
  if (typeof rawPath !== 'string' || !rawPath.startsWith('/')) {
    throw invalidField('rawPath', 'a string starting with "/"', rawPath);
  }
  if (typeof rawQueryString !== 'string') throw invalidField('rawQueryString', 'a string', rawQueryString);
  if (body != null && typeof body !== 'string') throw invalidField('body', 'a string', body);
  // An API Gateway HTTP API event has this shape too; its CloudFront-Viewer-* headers count only
  // behind the origin secret (read here, not at handler creation: Function URL events never need it).
  const fromCloudFront = viaCloudFront(requestContext, () => Boolean(process.env[ORIGIN_SECRET_ARN_ENV]));
  let headers = readHeaders(event.headers, fromCloudFront);
  const cookies = readCookies(event.cookies);
  const cronSchedule = readCronSchedule(requestContext[CRON_SCHEDULE_CONTEXT_FIELD]);
  // Function URLs move the Cookie header into `cookies[]`; Web handlers read it from the header.
  if (cookies?.length) headers.cookie = cookies.join('; ');
  addDerivedHeaders(headers, {
    sourceIp: typeof http.sourceIp === 'string' ? http.sourceIp : undefined,
    viaCloudFront: fromCloudFront,
    ...options,
  });
  // The event's X-Forwarded-For, which readHeaders may have left in, when no address replaced it.
  if (headers[IP_HEADER_NAME] === undefined) delete headers[FORWARDED_FOR_HEADER_NAME];
  // Trusted like the derived headers: it comes from requestContext, which no client can write.
  if (cronSchedule !== undefined) headers[CRON_SCHEDULE_HEADER] = cronSchedule;
  // The CDN's internal headers, for the adapter only: taken out with the signature's, or alone.
  // signedByIam, inline: one function less in every bundle (past the method check it is an object).
  // Last, when no header is added any more: see withoutSignature.
  let {
    [ORIGIN_SECRET_HEADER]: originSecret,
    [REWRITE_PATH_HEADER]: rewritePath,
    [ROUTE_HEADERS_HEADER]: routeHeaders,
  } = headers;
  if (requestContext.authorizer?.iam) headers = withoutSignature(headers);
  else if ((originSecret ?? rewritePath ?? routeHeaders) !== undefined) {
    // The same values again, and the record without them: by object rest, as withoutSignature
    // says why. Taken out of the clone rather than copied around name by name, a request that
    // carries them (every request behind `secretHeader()`, with a vercel.json rewrite or `headers`
    // rule) keeps the fast path: measured in-process on the bench's 45 CloudFront headers, 5 µs
    // (secret) to 12 µs (OAC and a rule) less per request. Inline: one function less in every bundle.
    ({
      [ORIGIN_SECRET_HEADER]: originSecret,
      [REWRITE_PATH_HEADER]: rewritePath,
      [ROUTE_HEADERS_HEADER]: routeHeaders,
      ...headers
    } = headers);
  }

  // The host the viewer asked for: `x-forwarded-host`, which CloudFront's viewer-request function
  // copies from the viewer's Host (CloudFront itself must send the Function URL's own host to the
  // origin); then `host`; then the Function URL domain.
  const { domainName } = requestContext;
  const host =
    firstValue(headers['x-forwarded-host']) ??
    firstValue(headers.host) ??
    (typeof domainName === 'string' ? domainName : undefined);
  if (!host || /[\s/\\?#@]/.test(host)) {
    throw invalidEvent(`cannot tell the request's host (got ${describeValue(host)})`);
  }
  // Behind CloudFront the Host header names the Function URL (CloudFront must send the origin its
  // own host); on Vercel a function sees the host the viewer asked for, as in `request.url`.
  if (headers['x-forwarded-host'] !== undefined) headers.host = host;
  const proto =
    firstValue(headers['cloudfront-forwarded-proto']) ?? firstValue(headers['x-forwarded-proto']) ?? 'https';
  // Not parsed here: `Request` parses it, and an unparsable URL is reported when it refuses it.
  const url = `${proto.toLowerCase() === 'http' ? 'http' : 'https'}://${host}${rawPath}${rawQueryString ? `?${rawQueryString}` : ''}`;
  let request: Request;
  // A plain GET needs no init: the default, and one conversion less. `Request` upper-cases GET and
  // HEAD itself, and refuses a body for them.
  const init =
    method === 'GET'
      ? undefined
      : {
          method,
          body: BODYLESS_METHOD.test(method) ? undefined : decodeBody(body, event.isBase64Encoded === true),
        };
  try {
    request = new Request(url, init);
  } catch (cause) {
    throw rejectedRequest(cause, method, url);
  }
  appendHeaders(request.headers, headers);
  return {
    request,
    url,
    headers,
    originSecret,
    rewritePath,
    routeHeaders,
  };
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
  readonly authorizer?: { readonly iam?: unknown } | null;
  readonly [CRON_SCHEDULE_CONTEXT_FIELD]?: unknown;
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
  // for…in: a record built by readHeaders inherits no enumerable name (see there).
  for (const name in headers) {
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
 * middy's request context gives such a value the same form (middy.ts).
 */
export function appendAsNodeReadsIt(
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
function rejectedRequest(cause: unknown, method: string, url: string): InvalidEventError {
  if (!URL.canParse(url)) {
    return invalidEvent(`${JSON.stringify(url)} is not a valid URL`, { cause });
  }
  // undici refuses CONNECT, TRACE and TRACK, and any method that is not an HTTP token.
  return new InvalidEventError(`Method ${JSON.stringify(method)} is not supported`, {
    cause,
    statusCode: 405,
  });
}

/**
 * Copies the event's headers the way `Headers` would read them — names lower-cased, a name given
 * twice joined (`, `, or `; ` for cookie), surrounding HTTP whitespace trimmed from values — and
 * leaves out every name only the runtime may set (`isTrustedHeaderName`), and every
 * `CloudFront-Viewer-*` name unless they are CloudFront's (`fromCloudFront`). The CDN's internal
 * headers stay in, for the caller to take out.
 *
 * Except `X-Forwarded-For`, which may be left in: Lambda always sets it, so the caller always
 * replaces it, or removes it. A Function URL's header names are lower-case and its values trimmed,
 * so usually nothing needs changing but that one, and the record is a clone of the event's (one
 * step for V8; measured on the 45 headers CloudFront forwards: three quarters less than copying
 * name by name, which the first name needing more falls back to). The signature headers Lambda
 * verified, and the CDN's internal ones, are taken out afterwards ({@link withoutSignature}). `for…in` rather than
 * `Object.keys`: V8 reads each value of the JSON-parsed event through its enum cache, and such an
 * object inherits no enumerable name.
 */
function readHeaders(headers: unknown, fromCloudFront: boolean): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  if (!isRecord(headers)) throw invalidField('headers', 'an object', headers);
  for (const name in headers) {
    const raw = checkedValue(headers, name);
    if (
      name !== FORWARDED_FOR_HEADER_NAME &&
      (name.toLowerCase() !== name || dropped(name, fromCloudFront) || trimHttpWhitespace(raw) !== raw)
    ) {
      return copyHeaders(headers, fromCloudFront);
    }
  }
  return { ...(headers as Record<string, string>) };
}

/**
 * The headers record without the {@link SIGNATURE_HEADER} names (lower-case), for a request Lambda
 * verified the signature of, nor the CDN's internal ones: one copy. Object rest: V8 gives the copy fast properties, but all out of the
 * object, so the first header added by a computed name afterwards would turn it into a slow
 * dictionary object — hence taken last. Copying name by name, or deleting from a clone, gives a
 * dictionary object at once: on the 45 headers of a request through CloudFront's OAC (every
 * request of the default `oacWithBodySigning()` deployment), several µs more per request (measured).
 */
function withoutSignature(headers: Record<string, string>): Record<string, string> {
  const {
    authorization: _authorization,
    'x-amz-date': _date,
    'x-amz-content-sha256': _contentSha256,
    'x-amz-security-token': _securityToken,
    [ORIGIN_SECRET_HEADER]: _originSecret,
    [REWRITE_PATH_HEADER]: _rewritePath,
    [ROUTE_HEADERS_HEADER]: _routeHeaders,
    ...unsigned
  } = headers;
  return unsigned;
}

/** {@link readHeaders} name by name, for headers that need more than a clone. */
function copyHeaders(headers: Record<string, unknown>, fromCloudFront: boolean): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const name in headers) {
    const value = trimHttpWhitespace(checkedValue(headers, name));
    let lower = name.toLowerCase();
    // The event's own name when it was lower-case already: JSON.parse interned it, so the record's
    // key lookups below need not hash a new string.
    if (lower === name) lower = name;
    if (dropped(lower, fromCloudFront)) continue;
    const existing = copy[lower];
    // Inherited names (`constructor`, `toString`, ...) are not an earlier header of that name.
    copy[lower] =
      existing === undefined || !Object.hasOwn(copy, lower)
        ? value
        : `${existing}${lower === 'cookie' ? '; ' : ', '}${value}`;
  }
  return copy;
}

/** The value of a header, which must be a string. */
function checkedValue(headers: Record<string, unknown>, name: string): string {
  const raw = headers[name];
  if (typeof raw !== 'string') throw invalidField(`header ${JSON.stringify(name)}`, 'a string', raw);
  return raw;
}

/**
 * A (lower-case) header name never copied: a trusted one, a `CloudFront-Viewer-*` one not from
 * CloudFront, or `__proto__` (no client sends it; in a record it would name the prototype, which
 * undici drops too). The SigV4 signature's, when Lambda verified it, go afterwards ({@link withoutSignature}).
 */
function dropped(name: string, fromCloudFront: boolean): boolean {
  return isTrustedHeaderName(name) || (!fromCloudFront && isViewerHeaderName(name)) || name === '__proto__';
}

/**
 * Whether Lambda verified the request's SigV4 signature: the Function URL's auth type is `AWS_IAM`,
 * and `requestContext.authorizer.iam` names the signer
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads). Behind
 * `OriginProtection.oac()` that is every request, signed by CloudFront.
 */
export function signedByIam(requestContext: unknown): boolean {
  // Parsed JSON: Lambda sets `iam` only as an object, and no client can write requestContext.
  return !!(requestContext as UncheckedRequestContext | null | undefined)?.authorizer?.iam;
}

/**
 * The (lower-case) names of a SigV4 signature's headers, left out of what the handler sees when
 * Lambda verified the signature: on Vercel an anonymous request has no `Authorization`, and
 * middleware that verifies any `Authorization` it finds (Hono's `bearerAuth`) would refuse every
 * request carrying CloudFront's. Nothing of the
 * viewer's is lost: CloudFront's origin access control signs every request (`SIGV4_ALWAYS`),
 * replacing a viewer's `Authorization`, which is why a function behind it cannot read one.
 * {@link withoutSignature} names the same four.
 */
export const SIGNATURE_HEADER = /^(authorization|x-amz-(date|content-sha256|security-token))$/;

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

function readCookies(cookies: unknown): string[] | undefined {
  if (cookies === undefined || cookies === null) return undefined;
  if (!Array.isArray(cookies) || cookies.some((cookie) => typeof cookie !== 'string')) {
    throw invalidField('cookies', 'an array of strings', cookies);
  }
  return cookies;
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
function decodeBody(
  body: string | null | undefined,
  isBase64Encoded: boolean,
): Uint8Array<ArrayBuffer> | undefined {
  if (body == null) return undefined;
  if (!isBase64Encoded) return Buffer.from(body, 'utf8');
  if (body.length % 4 !== 0 || !BASE64.test(body)) {
    throw new InvalidEventError(
      `Invalid request body: isBase64Encoded is true but the body is not valid base64 (${base64Problem(body)})`,
    );
  }
  return Buffer.from(body, 'base64');
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
