import type { LocalRole } from './types';

// A role's trust policy for sts:AssumeRoleWithWebIdentity, evaluated like IAM: Principal is the
// provider, `<provider>:aud` StringEquals, `<provider>:sub` StringLike.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html

/** Whether a statement of `role`'s trust lets a token of `providerUrl` with `audience` and `subject` in. */
export function trustsWebIdentity(
  role: LocalRole,
  providerUrl: string,
  audience: string,
  subject: string,
): boolean {
  return (
    role.webIdentityTrusts?.some(
      (trust) =>
        normalizeIssuer(trust.provider) === normalizeIssuer(providerUrl) &&
        (trust.audiences === undefined || trust.audiences.includes(audience)) &&
        trust.subjects.some((pattern) => stringLike(pattern, subject)),
    ) ?? false
  );
}

/** IAM's `StringLike`: `*` matches any run of characters, `?` one character. */
export function stringLike(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(value);
}

/** An issuer URL as providers and `iss` claims are compared: without trailing slashes. */
export function normalizeIssuer(url: string): string {
  return url.replace(/\/+$/, '');
}
