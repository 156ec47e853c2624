import { AwsApiError } from '../aws-api-error';
import type { StsAccount } from './account';
import { maxSessionDurationExceeded } from './errors';
import { checkSessionPolicies, durationOf, required, sessionNameOf } from './params';
import { assumedRoleXml } from './protocol';
import type { LocalCredentials } from './types';

/**
 * `AssumeRole` by `caller`, a role session (role chaining): the target role must trust the caller's
 * role, and a chained session lasts 1 hour at most; answers with the `<…Result>` content.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
export function assumeRole(params: URLSearchParams, caller: LocalCredentials, account: StsAccount): string {
  const roleArn = required(params, 'RoleArn', 'roleArn');
  const sessionName = sessionNameOf(params);
  const duration = durationOf(params, 900, 43_200) ?? 3600;
  checkSessionPolicies(params);
  const role = account.role(roleArn);
  if (!role?.trustedRoles?.includes(caller.roleArn)) {
    throw new AwsApiError(
      403,
      'AccessDenied',
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  }
  // Every caller here holds role session credentials, so this is role chaining (1 hour at most).
  if (duration > 3600) {
    throw new AwsApiError(
      400,
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (duration > (role.maxSessionDurationSeconds ?? 3600)) throw maxSessionDurationExceeded();
  return assumedRoleXml(role.roleId, account.issue(role, sessionName, duration, 'AssumeRole'));
}
