import { InvalidEventError } from './errors';
import { applyTrustedHeaders } from './viewer-headers';

/** What the event processor needs besides the event itself. */
export interface EventProcessorOptions {
  /** The Lambda request id, for `x-vercel-id`. */
  readonly requestId: string;
  /** The AWS region the function runs in (`AWS_REGION`). */
  readonly awsRegion?: string;
}

/** The fields of a Function URL (payload v2) event the adapter reads, once validated. */
interface FunctionUrlRequestFields {
  method: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  cookies: string[];
  body: string | undefined;
  isBase64Encoded: boolean;
  domainName: string | undefined;
  sourceIp: string | undefined;
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
  const fields = readEvent(event);

  const headers = new Headers();
  for (const [name, value] of Object.entries(fields.headers)) {
    try {
      headers.append(name, value);
    } catch (cause) {
      throw new InvalidEventError(
        `Invalid event: header ${JSON.stringify(name)} has an invalid name or value`,
        {
          cause,
        },
      );
    }
  }
  // Function URLs move the Cookie header into `cookies[]`; Web handlers read it from the header.
  if (fields.cookies.length > 0) headers.set('cookie', fields.cookies.join('; '));
  applyTrustedHeaders(headers, { sourceIp: fields.sourceIp, ...options });

  const url = requestUrl(fields, headers);
  // `Request` upper-cases these two itself, and refuses a body for them.
  const bodyless = /^(GET|HEAD)$/i.test(fields.method);
  const body = bodyless ? undefined : decodeBody(fields);
  try {
    return new Request(url, { method: fields.method, headers, body });
  } catch (cause) {
    // undici refuses CONNECT, TRACE and TRACK, and any method that is not an HTTP token.
    throw new InvalidEventError(`Method ${JSON.stringify(fields.method)} is not supported`, {
      cause,
      statusCode: 405,
    });
  }
}

function readEvent(event: unknown): FunctionUrlRequestFields {
  if (!isRecord(event)) {
    throw new InvalidEventError(
      `Invalid event: expected a Lambda Function URL event object, got ${describe(event)}`,
    );
  }
  if (event.version !== '2.0') {
    throw new InvalidEventError(
      `Invalid event: expected a Function URL event (payload format version "2.0"), got version ${describe(event.version)}`,
    );
  }
  const requestContext = isRecord(event.requestContext) ? event.requestContext : undefined;
  const http = requestContext && isRecord(requestContext.http) ? requestContext.http : undefined;
  if (typeof http?.method !== 'string' || http.method === '') {
    throw new InvalidEventError('Invalid event: requestContext.http.method is missing');
  }
  if (typeof event.rawPath !== 'string' || !event.rawPath.startsWith('/')) {
    throw new InvalidEventError(
      `Invalid event: rawPath must be a string starting with "/", got ${describe(event.rawPath)}`,
    );
  }
  if (event.rawQueryString !== undefined && typeof event.rawQueryString !== 'string') {
    throw new InvalidEventError(
      `Invalid event: rawQueryString must be a string, got ${describe(event.rawQueryString)}`,
    );
  }
  if (event.body !== undefined && event.body !== null && typeof event.body !== 'string') {
    throw new InvalidEventError(`Invalid event: body must be a string, got ${describe(event.body)}`);
  }
  return {
    method: http.method,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString ?? '',
    headers: readHeaders(event.headers),
    cookies: readCookies(event.cookies),
    body: event.body ?? undefined,
    isBase64Encoded: event.isBase64Encoded === true,
    domainName: typeof requestContext?.domainName === 'string' ? requestContext.domainName : undefined,
    sourceIp: typeof http.sourceIp === 'string' ? http.sourceIp : undefined,
  };
}

function readHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  if (!isRecord(headers))
    throw new InvalidEventError(`Invalid event: headers must be an object, got ${describe(headers)}`);
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') {
      throw new InvalidEventError(
        `Invalid event: header ${JSON.stringify(name)} must be a string, got ${describe(value)}`,
      );
    }
  }
  return headers as Record<string, string>;
}

function readCookies(cookies: unknown): string[] {
  if (cookies === undefined || cookies === null) return [];
  if (!Array.isArray(cookies) || cookies.some((cookie) => typeof cookie !== 'string')) {
    throw new InvalidEventError(
      `Invalid event: cookies must be an array of strings, got ${describe(cookies)}`,
    );
  }
  return cookies;
}

/**
 * `https://<public host><rawPath>?<rawQueryString>`. The public host is `x-forwarded-host`, which
 * CloudFront's viewer-request function copies from the viewer's Host (CloudFront itself must send
 * the Function URL's own host to the origin); then `host`; then the Function URL domain.
 */
function requestUrl(fields: FunctionUrlRequestFields, headers: Headers): string {
  const host =
    firstValue(headers.get('x-forwarded-host')) ?? firstValue(headers.get('host')) ?? fields.domainName;
  if (!host || /[\s/\\?#@]/.test(host)) {
    throw new InvalidEventError(`Invalid event: cannot tell the request's host (got ${describe(host)})`);
  }
  const proto =
    firstValue(headers.get('cloudfront-forwarded-proto')) ??
    firstValue(headers.get('x-forwarded-proto')) ??
    'https';
  const protocol = proto.toLowerCase() === 'http' ? 'http' : 'https';
  const url = `${protocol}://${host}${fields.rawPath}${fields.rawQueryString ? `?${fields.rawQueryString}` : ''}`;
  if (!URL.canParse(url))
    throw new InvalidEventError(`Invalid event: ${JSON.stringify(url)} is not a valid URL`);
  return url;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The request body. Node's base64 decoder skips characters it does not know and stops at the
 * first `=`, so a corrupted body would reach the handler as plausible but wrong bytes; the body is
 * checked against the standard padded alphabet Lambda uses before it is decoded.
 */
function decodeBody(fields: FunctionUrlRequestFields): Uint8Array<ArrayBuffer> | undefined {
  if (fields.body === undefined) return undefined;
  if (!fields.isBase64Encoded) return Buffer.from(fields.body, 'utf8');
  if (!BASE64.test(fields.body)) {
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

function firstValue(value: string | null): string | undefined {
  const first = value?.split(',')[0].trim();
  return first || undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'undefined' : `${typeof value} ${String(value)}`;
}
