import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

// AWS Signature Version 4 for the loopback endpoints: verifying what the real SDK sends the way AWS
// does (rebuild the canonical request from what arrived, sign it with the secret the access key id
// names, compare), and signing what the emulated CloudFront sends to an AWS_IAM Function URL (OAC).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html

/** The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header. */
export interface SigV4Authorization {
  readonly accessKeyId: string;
  /** `YYYYMMDD` of the credential scope. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** Parses the `Authorization` header, or `undefined` when it is missing or not SigV4. */
export function parseSigV4Authorization(header: string | undefined): SigV4Authorization | undefined {
  const match = header ? AUTHORIZATION.exec(header) : null;
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/** What arrived, as the signature covers it. */
export interface SignedRequest {
  readonly method: string;
  /** Path and query as sent, e.g. `/` or `/?Action=...`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Whether `request`'s signature is the one `secretAccessKey` gives for it. */
export function verifySigV4(
  request: SignedRequest,
  authorization: SigV4Authorization,
  secretAccessKey: string,
): boolean {
  const amzDate = headerValue(request.headers, 'x-amz-date');
  if (!amzDate?.startsWith(authorization.date)) return false;
  const expected = Buffer.from(signature(request, authorization, amzDate, secretAccessKey));
  const received = Buffer.from(authorization.signature);
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/** Credentials to sign with. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * The `authorization` and `x-amz-date` headers that sign `request` for `service` in `region`,
 * covering `signedHeaders` (those present; `x-amz-date` is added). The payload hash is the request's
 * `x-amz-content-sha256`, else the hash of `request.body`.
 */
export function signSigV4(
  request: SignedRequest,
  credentials: SigningCredentials,
  scope: { readonly region: string; readonly service: string; readonly signedHeaders: readonly string[] },
  now = new Date(),
): { authorization: string; 'x-amz-date': string } {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const headers: IncomingHttpHeaders = { ...request.headers, 'x-amz-date': amzDate };
  const authorization: SigV4Authorization = {
    accessKeyId: credentials.accessKeyId,
    date: amzDate.slice(0, 8),
    region: scope.region,
    service: scope.service,
    signedHeaders: scope.signedHeaders.filter((name) => headers[name] !== undefined),
    signature: '',
  };
  const value = signature({ ...request, headers }, authorization, amzDate, credentials.secretAccessKey);
  const credentialScope = `${authorization.date}/${scope.region}/${scope.service}/aws4_request`;
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${authorization.signedHeaders.join(';')}, Signature=${value}`,
    'x-amz-date': amzDate,
  };
}

function signature(
  request: SignedRequest,
  authorization: SigV4Authorization,
  amzDate: string,
  secretAccessKey: string,
): string {
  const canonical = canonicalRequest(request, authorization.signedHeaders);
  const scope = `${authorization.date}/${authorization.region}/${authorization.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, authorization.date);
  for (const part of [authorization.region, authorization.service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[]): string {
  const url = new URL(request.url, 'http://localhost');
  const path = url.pathname
    .split('/')
    .map((segment) => uriEncode(uriEncode(safeDecode(segment))))
    .join('/');
  const query = [...url.searchParams.entries()]
    .map(([name, value]) => [uriEncode(name), uriEncode(value)])
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = signedHeaders
    .map((name) => `${name}:${(headerValue(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const payloadHash = headerValue(request.headers, 'x-amz-content-sha256') ?? sha256Hex(request.body);
  return [request.method, path, query, headers, signedHeaders.join(';'), payloadHash].join('\n');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

// A malformed escape is signed as it stands (AWS compares whatever the two sides computed).
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// RFC 3986 unreserved characters stay; everything else is percent-encoded (SigV4's UriEncode).
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
