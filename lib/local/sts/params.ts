import { AwsApiError } from '../aws-api-error';
import { validationError } from './errors';
import { members } from './protocol';

// Parameters several STS actions share, checked against the API reference's bounds (AssumeRole,
// AssumeRoleWithWebIdentity, GetWebIdentityToken — https://docs.aws.amazon.com/STS/latest/APIReference/).

/** A parameter that must be present and non-empty; `member` is its name in STS's error message. */
export function required(params: URLSearchParams, name: string, member: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw validationError(member, 'Member must not be null');
  return value;
}

/** `RoleSessionName`: 2–64 characters of `[\w+=,.@-]`. */
export function sessionNameOf(params: URLSearchParams): string {
  const name = required(params, 'RoleSessionName', 'roleSessionName');
  if (name.length < 2 || name.length > 64)
    throw validationError('roleSessionName', 'Member must have length between 2 and 64', name);
  if (!/^[\w+=,.@-]*$/.test(name)) {
    throw validationError(
      'roleSessionName',
      'Member must satisfy regular expression pattern: [\\w+=,.@-]*',
      name,
    );
  }
  return name;
}

/** `DurationSeconds` within `min`–`max`, or `undefined` when absent (the action's default applies). */
export function durationOf(params: URLSearchParams, min: number, max: number): number | undefined {
  const raw = params.get('DurationSeconds');
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw validationError('durationSeconds', `Member must have value greater than or equal to ${min}`, raw);
  }
  if (value > max)
    throw validationError('durationSeconds', `Member must have value less than or equal to ${max}`, raw);
  return value;
}

/** Session policies (`Policy`, `PolicyArns`): checked for their bounds, otherwise not applied. */
export function checkSessionPolicies(params: URLSearchParams): void {
  const policy = params.get('Policy');
  if (policy !== null) {
    if (policy.length > 2048)
      throw validationError('policy', 'Member must have length less than or equal to 2048');
    try {
      JSON.parse(policy);
    } catch {
      throw new AwsApiError(400, 'MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
    }
  }
  const arns = members(params, 'PolicyArns', 'arn');
  if (arns.length > 10)
    throw validationError('policyArns', 'Member must have length less than or equal to 10');
}

/** `Tags.member.N.Key` / `.Value` as an object. */
export function tagsOf(params: URLSearchParams): Record<string, string> {
  const keys = members(params, 'Tags', 'Key');
  const values = members(params, 'Tags', 'Value');
  return Object.fromEntries(keys.map((key, i) => [key, values[i] ?? '']));
}
