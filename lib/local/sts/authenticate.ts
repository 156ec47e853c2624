import type { IncomingMessage } from 'node:http';
import { AwsApiError } from '../aws-api-error';
import { parseSigV4Authorization, verifySigV4 } from '../sigv4';
import type { StsAccount } from './account';
import type { LocalCredentials } from './types';

/**
 * The session that signed `req`, for actions that need credentials (all but
 * AssumeRoleWithWebIdentity). Checks in STS's order and answers with its codes: a SigV4
 * `Authorization` header, a session this account issued with its session token, not expired, scoped
 * to `sts`, and a signature that verifies with the session's secret key.
 */
export function authenticateCaller(
  req: IncomingMessage,
  body: Buffer,
  account: StsAccount,
): LocalCredentials {
  const authorization = parseSigV4Authorization(req.headers.authorization);
  if (!authorization)
    throw new AwsApiError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
  const session = account.session(authorization.accessKeyId);
  if (!session || req.headers['x-amz-security-token'] !== session.sessionToken) {
    throw new AwsApiError(
      403,
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
    );
  }
  if (session.expiration.getTime() <= Date.now()) {
    throw new AwsApiError(403, 'ExpiredToken', 'The security token included in the request is expired');
  }
  if (authorization.service !== 'sts') {
    throw new AwsApiError(
      403,
      'SignatureDoesNotMatch',
      "Credential should be scoped to correct service: 'sts'.",
    );
  }
  const request = { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body };
  if (!verifySigV4(request, authorization, session.secretAccessKey)) {
    throw new AwsApiError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return session;
}
