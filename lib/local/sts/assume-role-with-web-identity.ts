import { AwsApiError } from '../aws-api-error';
import { escapeXml } from '../aws-xml';
import type { StsAccount } from './account';
import { maxSessionDurationExceeded, validationError } from './errors';
import { checkSessionPolicies, durationOf, required, sessionNameOf } from './params';
import { assumedRoleXml } from './protocol';
import { trustsWebIdentity } from './trust';
import { validateWebIdentityToken } from './web-identity';

/**
 * `AssumeRoleWithWebIdentity`: parameters, then the token, then the role's trust policy, then the
 * duration against the role's maximum; answers with the `<…Result>` content.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 */
export async function assumeRoleWithWebIdentity(
  params: URLSearchParams,
  account: StsAccount,
  outboundIssuerUrl: string,
): Promise<string> {
  const roleArn = required(params, 'RoleArn', 'roleArn');
  const sessionName = sessionNameOf(params);
  const token = required(params, 'WebIdentityToken', 'webIdentityToken');
  if (token.length < 4 || token.length > 20_000) {
    throw validationError('webIdentityToken', 'Member must have length between 4 and 20000');
  }
  const duration = durationOf(params, 900, 43_200) ?? 3600;
  checkSessionPolicies(params);

  const { provider, claims, audience } = await validateWebIdentityToken(token, account, outboundIssuerUrl);
  const role = account.role(roleArn);
  const subject = typeof claims.sub === 'string' ? claims.sub : '';
  if (!role || !trustsWebIdentity(role, provider.url, audience, subject)) {
    // What STS answers when no trust policy statement matches (as GitHub Actions users see it).
    throw new AwsApiError(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  }
  if (duration > (role.maxSessionDurationSeconds ?? 3600)) throw maxSessionDurationExceeded();
  const credentials = account.issue(role, sessionName, duration, 'AssumeRoleWithWebIdentity', subject);
  return (
    `<SubjectFromWebIdentityToken>${escapeXml(subject)}</SubjectFromWebIdentityToken>` +
    `<Audience>${escapeXml(audience)}</Audience>` +
    assumedRoleXml(role.roleId, credentials) +
    `<Provider>${escapeXml(String(claims.iss))}</Provider>`
  );
}
