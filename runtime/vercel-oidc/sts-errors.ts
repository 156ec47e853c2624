import { StsOperationError } from '../errors';

// What to check for each STS error code a federation call commonly meets. Codes as the AWS SDK
// names its exceptions; AccessDenied is unmodelled and keeps the wire code.
const HINTS: Readonly<Record<string, string>> = {
  InvalidIdentityTokenException:
    "the IAM OIDC provider's URL must equal the token's iss, its client IDs must include the token's aud, " +
    "and the provider's JWKS must hold the token's signing key",
  ExpiredTokenException: 'the token expired before STS checked it; get a fresh one',
  IDPRejectedClaimException: 'the identity provider rejected a claim of the token',
  IDPCommunicationErrorException:
    "STS could not reach the identity provider's discovery document or JWKS (the SDK retried); " +
    'they must be publicly reachable over HTTPS',
  AccessDenied:
    "the role's trust policy does not allow this caller (for web identities: its sub and aud conditions)",
  // The SDK's name for a connection or request timeout (sts-client.ts bounds both).
  TimeoutError:
    'STS did not answer in time; a function in a VPC reaches STS only through a NAT gateway or an STS interface VPC endpoint',
  OutboundWebIdentityFederationDisabledException:
    "the account's IAM outbound identity federation is off; OidcIssuer.awsOutboundFederation() enables it at deploy",
};

/**
 * Wraps an AWS SDK error from an STS call in a {@link StsOperationError} that names the operation,
 * the role and STS's code and message, plus what to check. Non-SDK errors (no credentials, network)
 * are wrapped the same way with their own name.
 */
export function stsOperationError(operation: string, target: string, error: unknown): StsOperationError {
  const code = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const hint = HINTS[code];
  return new StsOperationError(
    `STS ${operation} ${target} failed with ${code}: ${message}${hint ? ` (${hint})` : ''}`,
    operation,
    code,
    { cause: error },
  );
}
