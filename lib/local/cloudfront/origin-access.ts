import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseSigV4Authorization, type SigningCredentials, signSigV4, verifySigV4 } from '../sigv4';

// Both ends of origin access control (OAC) for Lambda Function URLs: CloudFront signs each origin
// request with SigV4 for service `lambda`; a Function URL with auth type AWS_IAM checks the
// signature, and the body against `x-amz-content-sha256`
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html:
// "Lambda doesn't support unsigned payloads"). CloudFront does not read the body to sign it: the
// payload hash it signs is the request's `x-amz-content-sha256` if there is one (the viewer's, or
// the body-signing Lambda@Edge function's), else the hash of an empty body — so a body nobody hashed
// fails at the Function URL, exactly as deployed.

/** The credentials the emulated CloudFront signs with (the service principal's, on AWS). */
export type { SigningCredentials };

/** Fresh random credentials for one emulated distribution. */
export function createSigningCredentials(): SigningCredentials {
  return {
    accessKeyId: `ASIACLOUDFRONT${randomBytes(3).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

/**
 * The headers that sign an origin request (`authorization`, `x-amz-date`), as OAC adds them.
 * CloudFront does not read the body: without an `x-amz-content-sha256` it signs an empty payload.
 *
 * @param headers the origin request's headers, lower-case names; `host` must be the origin's domain
 */
export function signOriginRequest(
  request: { readonly method: string; readonly path: string; readonly headers: ReadonlyMap<string, string> },
  credentials: SigningCredentials,
  region: string,
  now = new Date(),
): { authorization: string; 'x-amz-date': string } {
  return signSigV4(
    {
      method: request.method,
      url: request.path,
      headers: Object.fromEntries(request.headers),
      body: Buffer.alloc(0),
    },
    credentials,
    { region, service: 'lambda', signedHeaders: ['host', 'x-amz-content-sha256', 'x-amz-date'] },
    now,
  );
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

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
