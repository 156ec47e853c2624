import { AwsApiError } from '../aws-api-error';
import type { LocalOidcIssuer } from '../oidc-issuer';
import type { StsAccount } from './account';
import { validationError } from './errors';
import { durationOf, required, tagsOf } from './params';
import { members } from './protocol';
import type { LocalCredentials } from './types';

/** What `GetWebIdentityToken` needs of the endpoint. */
export interface OutboundFederation {
  readonly account: StsAccount;
  /** The region the tokens name (`source_region`). */
  readonly region: string;
  /** The account's outbound identity federation issuer: signs the tokens. */
  readonly issuer: LocalOidcIssuer;
  /** Whether the account turned outbound identity federation on. */
  readonly enabled: boolean;
}

/**
 * `GetWebIdentityToken` by `caller`: a JWT for external services signed by the account's issuer, for
 * audiences the caller's role may request, expiring no later than the caller's session; answers with
 * the `<…Result>` content.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html
 */
export function getWebIdentityToken(
  params: URLSearchParams,
  caller: LocalCredentials,
  federation: OutboundFederation,
): string {
  const audiences = members(params, 'Audience');
  if (audiences.length < 1 || audiences.length > 10) {
    throw validationError(
      'audience',
      'Member must have length less than or equal to 10 and greater than or equal to 1',
    );
  }
  if (audiences.some((aud) => aud.length < 1 || aud.length > 1000)) {
    throw validationError('audience', 'Member must have length between 1 and 1000');
  }
  const algorithm = required(params, 'SigningAlgorithm', 'signingAlgorithm');
  if (algorithm !== 'RS256' && algorithm !== 'ES384') {
    throw validationError('signingAlgorithm', 'Member must satisfy enum value set: [RS256, ES384]');
  }
  const duration = durationOf(params, 60, 3600) ?? 300;
  if (!federation.enabled) {
    // Ours: the API reference names the exception, not its message.
    throw new AwsApiError(
      403,
      'OutboundWebIdentityFederationDisabledException',
      'Outbound web identity federation is not enabled for this account',
    );
  }
  const allowed = federation.account.roleOf(caller).webIdentityTokenAudiences ?? [];
  if (!audiences.every((aud) => allowed.includes(aud))) {
    throw new AwsApiError(
      403,
      'AccessDenied',
      `User: ${caller.arn} is not authorized to perform: sts:GetWebIdentityToken because no identity-based policy allows the sts:GetWebIdentityToken action`,
    );
  }
  const expiresAt = Date.now() + duration * 1000;
  if (expiresAt > caller.expiration.getTime()) {
    throw new AwsApiError(
      403,
      'SessionDurationEscalationException',
      'The requested token duration would extend the session beyond its original expiration time.',
    );
  }
  const tags = tagsOf(params);
  const token = federation.issuer.sign(
    {
      aud: audiences.length === 1 ? audiences[0] : audiences,
      sub: caller.roleArn,
      'https://sts.amazonaws.com/': {
        aws_account: federation.account.accountId,
        source_region: federation.region,
        principal_id: caller.arn,
        ...(Object.keys(tags).length > 0 ? { request_tags: tags } : {}),
      },
    },
    { algorithm, expiresInSeconds: duration },
  );
  return `<WebIdentityToken>${token}</WebIdentityToken><Expiration>${new Date(expiresAt).toISOString()}</Expiration>`;
}
