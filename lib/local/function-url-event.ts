import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { LambdaFunctionURLEvent } from 'aws-lambda';

/** Options for {@link toFunctionUrlEvent}: the parts of the event that do not come from the request. */
export interface FunctionUrlEventOptions {
  /**
   * The invocation's request id (`requestContext.requestId`).
   *
   * @default - a random UUID
   */
  readonly requestId?: string;
  /**
   * The AWS region in the URL's domain name.
   *
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * The `<url-id>` of `<url-id>.lambda-url.<region>.on.aws` (also `apiId` and `domainPrefix`).
   *
   * @default 'localfunctionurl0000000000000000'
   */
  readonly urlId?: string;
  /**
   * `requestContext.accountId`. Lambda reports `'anonymous'` for URLs with auth type NONE.
   *
   * @default 'anonymous'
   */
  readonly accountId?: string;
  /**
   * The access key id of the SigV4 signature the URL verified (auth type `AWS_IAM`): the event then
   * names the signer in `requestContext.authorizer.iam`, as Lambda's does, with `accountId`.
   *
   * @default - no `authorizer` (auth type NONE)
   */
  readonly iamAccessKey?: string;
  /**
   * The caller's IP address (`requestContext.http.sourceIp`).
   *
   * @default - the remote address of the request's socket
   */
  readonly sourceIp?: string;
  /**
   * When the request arrived, in epoch milliseconds.
   *
   * @default - Date.now()
   */
  readonly timeEpoch?: number;
}

// Hop-by-hop headers describe the client's connection to the URL endpoint; Lambda does not pass them on.
const HOP_BY_HOP = new Set(['connection', 'keep-alive']);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Builds the Lambda Function URL event (payload format 2.0) for an HTTP request, the way Lambda does
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads): header names
 * lower-cased with repeated headers comma-joined, the `Cookie` header moved into `cookies`,
 * repeated query parameters comma-joined, and the body base64-encoded unless it is text.
 *
 * Two local differences, on purpose: `host` stays what the client sent (Lambda's is always the URL's
 * domain) and `x-forwarded-proto`/`-port` describe the local connection, so absolute URLs the handler
 * builds point back at the local server.
 *
 * @param req the incoming request; its body must already have been read into `body`
 * @param body the complete request body (Function URLs do not stream requests)
 * @example
 * import { toFunctionUrlEvent } from '../lib/local/function-url';
 * const event = toFunctionUrlEvent(req, Buffer.concat(chunks), { region: 'eu-west-1' });
 */
export function toFunctionUrlEvent(
  req: IncomingMessage,
  body: Buffer,
  options: FunctionUrlEventOptions = {},
): LambdaFunctionURLEvent {
  const region = options.region ?? 'us-east-1';
  const urlId = options.urlId ?? 'localfunctionurl0000000000000000';
  const timeEpoch = options.timeEpoch ?? Date.now();
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : target.slice(queryStart + 1);
  const sourceIp = options.sourceIp ?? socketAddress(req);

  const headers = joinHeaders(req.rawHeaders);
  const cookies = splitCookies(headers.cookie);
  delete headers.cookie;
  const tls = (req.socket as Partial<TLSSocket>).encrypted === true;
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${sourceIp}`
    : sourceIp;
  headers['x-forwarded-proto'] = tls ? 'https' : 'http';
  headers['x-forwarded-port'] = String(req.socket.localPort ?? (tls ? 443 : 80));
  headers['x-amzn-trace-id'] ??= traceId(timeEpoch);

  const event: LambdaFunctionURLEvent = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(rawQueryString !== '' ? { queryStringParameters: parseQuery(rawQueryString) } : {}),
    requestContext: {
      accountId: options.accountId ?? 'anonymous',
      apiId: urlId,
      domainName: `${urlId}.lambda-url.${region}.on.aws`,
      domainPrefix: urlId,
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: decodePath(rawPath),
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: options.requestId ?? randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(timeEpoch),
      timeEpoch,
    },
    isBase64Encoded: false,
  };
  if (options.iamAccessKey !== undefined) {
    const accountId = event.requestContext.accountId;
    // Lambda's shape (APIGatewayProxyEventV2WithIAMAuthorizer); the caller ids are local stand-ins.
    Object.assign(event.requestContext, {
      authorizer: {
        iam: {
          accessKey: options.iamAccessKey,
          accountId,
          callerId: options.iamAccessKey,
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: `arn:aws:iam::${accountId}:user/local-cloudfront`,
          userId: options.iamAccessKey,
        },
      },
    });
  }
  if (body.length > 0) {
    const text = isTextContentType(headers['content-type']);
    event.body = text ? body.toString('utf8') : body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

/**
 * Whether Lambda passes a request body of this content type as text rather than base64. AWS does not
 * document the list; this is the split measured against the real service for payload format 2.0:
 * `text/*`, `application/json`, `application/xml` and `application/javascript` are text, everything else
 * (a missing type and `application/x-www-form-urlencoded` included) is base64
 * (https://github.com/ministackorg/ministack/pull/766).
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(';', 1)[0].trim().toLowerCase();
  return (
    mediaType.startsWith('text/') ||
    mediaType === 'application/json' ||
    mediaType === 'application/xml' ||
    mediaType === 'application/javascript'
  );
}

function joinHeaders(rawHeaders: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    const value = rawHeaders[i + 1];
    // Several Cookie headers form one cookie list; every other repeated header is comma-joined.
    const separator = name === 'cookie' ? '; ' : ',';
    headers[name] = name in headers ? `${headers[name]}${separator}${value}` : value;
  }
  return headers;
}

function splitCookies(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(';')
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');
}

function parseQuery(rawQueryString: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    // A malformed escape is passed on untouched rather than failing the whole request here.
    return rawPath;
  }
}

function socketAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  // IPv4 clients of a dual-stack server show up as IPv4-mapped IPv6; Lambda reports the plain IPv4 form.
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/** `dd/Mon/yyyy:HH:mm:ss +0000`, the common-log-format time Lambda puts in `requestContext.time`. */
function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

/** An X-Ray trace header in AWS's format: `Root=1-<epoch seconds, hex>-<96-bit random, hex>`. */
function traceId(epochMs: number): string {
  return `Root=1-${Math.floor(epochMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}
