import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseSigV4Authorization, verifySigV4 } from '../sigv4';

// Both ends of origin access control (OAC) for Lambda Function URLs: CloudFront signs each origin
// request with SigV4 for service `lambda`; a Function URL with auth type AWS_IAM checks the
// signature, and the body against `x-amz-content-sha256`
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html:
// "Lambda doesn't support unsigned payloads"). CloudFront does not read the body to sign it: the
// payload hash it signs is the request's `x-amz-content-sha256` if there is one (the viewer's, or
// the body-signing Lambda@Edge function's), else the hash of an empty body — so a body nobody hashed
// fails at the Function URL, exactly as deployed.

/** The credentials the emulated CloudFront signs with (the service principal's, on AWS). */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Fresh random credentials for one emulated distribution. */
export function createSigningCredentials(): SigningCredentials {
  return {
    accessKeyId: `ASIACLOUDFRONT${randomBytes(3).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

const EMPTY_BODY_SHA256 = createHash('sha256').update('').digest('hex');

/**
 * The headers that sign an origin request (`authorization`, `x-amz-date`), as OAC adds them.
 *
 * @param headers the origin request's headers, lower-case names; `host` must be the origin's domain
 */
export function signOriginRequest(
  request: { readonly method: string; readonly path: string; readonly headers: ReadonlyMap<string, string> },
  credentials: SigningCredentials,
  region: string,
  now = new Date(),
): { authorization: string; 'x-amz-date': string } {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const headers = new Map(request.headers);
  headers.set('x-amz-date', amzDate);
  const signedHeaders = ['host', 'x-amz-content-sha256', 'x-amz-date'].filter((name) => headers.has(name));
  const payloadHash = headers.get('x-amz-content-sha256') ?? EMPTY_BODY_SHA256;
  const url = new URL(request.path, 'http://localhost');
  const canonical = [
    request.method,
    url.pathname
      .split('/')
      .map((segment) => uriEncode(uriEncode(safeDecode(segment))))
      .join('/'),
    [...url.searchParams.entries()]
      .map(([name, value]) => [uriEncode(name), uriEncode(value)])
      .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
      .map(([name, value]) => `${name}=${value}`)
      .join('&'),
    signedHeaders
      .map((name) => `${name}:${(headers.get(name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
      .join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/lambda/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of [region, 'lambda', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
    'x-amz-date': amzDate,
  };
}

/** How a Function URL answered the authentication of a request. */
export type FunctionUrlAuthorization =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly statusCode: 403; readonly body: string; readonly reason: string };

/** A request as it reached the Function URL. */
export interface FunctionUrlRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const SKEW_MS = 5 * 60 * 1000;

/**
 * What a Function URL of `authType` does with `request` before invoking the function: `NONE` lets
 * everything through; `AWS_IAM` requires a valid SigV4 signature for service `lambda` by a known
 * principal and a body matching its `x-amz-content-sha256`, answering 403 otherwise.
 *
 * @param secretOf the secret key of an access key id the account trusts (the emulated CloudFront's)
 */
export function authorizeFunctionUrlRequest(
  authType: 'AWS_IAM' | 'NONE',
  request: FunctionUrlRequest,
  secretOf: (accessKeyId: string) => string | undefined,
  now = Date.now(),
): FunctionUrlAuthorization {
  if (authType === 'NONE') return { allowed: true };
  const header = request.headers.authorization;
  const authorization = parseSigV4Authorization(Array.isArray(header) ? header[0] : header);
  if (!authorization) return deny('{"Message":"Forbidden"}', 'the request is not signed');
  const invalidSignature = (reason: string) =>
    deny(
      '{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}',
      reason,
    );
  if (authorization.service !== 'lambda')
    return invalidSignature(`the signature is for service ${authorization.service}, not lambda`);
  const secret = secretOf(authorization.accessKeyId);
  if (secret === undefined) {
    return deny(
      '{"message":"The security token included in the request is invalid."}',
      `unknown access key ${authorization.accessKeyId}`,
    );
  }
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const signedAt = Date.parse(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (Number.isNaN(signedAt) || Math.abs(now - signedAt) > SKEW_MS) {
    return deny(
      '{"message":"Signature expired"}',
      `x-amz-date ${amzDate || '(missing)'} is not within 5 minutes of now`,
    );
  }
  const claimed = request.headers['x-amz-content-sha256'];
  if (claimed !== undefined && claimed !== sha256Hex(request.body)) {
    return invalidSignature(
      claimed === 'UNSIGNED-PAYLOAD'
        ? 'Lambda does not accept unsigned payloads'
        : 'x-amz-content-sha256 does not match the body',
    );
  }
  let valid: boolean;
  try {
    valid = verifySigV4(request, authorization, secret);
  } catch {
    valid = false;
  }
  return valid
    ? { allowed: true }
    : invalidSignature('the signature does not match the request (a body without x-amz-content-sha256?)');
}

function deny(body: string, reason: string): FunctionUrlAuthorization {
  return { allowed: false, statusCode: 403, body, reason };
}

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
