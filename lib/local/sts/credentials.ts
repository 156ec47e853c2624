import { randomBytes } from 'node:crypto';
import type { LocalCredentials } from './types';

/** What a session is minted for. */
export interface SessionRequest {
  readonly accountId: string;
  readonly roleArn: string;
  /** The role's name (the last segment of its ARN). */
  readonly roleName: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly via: LocalCredentials['via'];
  /** `sub` of the web identity token, for `AssumeRoleWithWebIdentity`. */
  readonly subject?: string;
}

/**
 * New temporary credentials shaped like STS's: an `ASIA…` access key id, random secret and session
 * token, and the assumed-role session ARN
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes).
 */
export function mintCredentials(request: SessionRequest): LocalCredentials {
  return {
    accessKeyId: `ASIA${randomId(16)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(120).toString('base64'),
    expiration: new Date(Date.now() + request.durationSeconds * 1000),
    roleArn: request.roleArn,
    sessionName: request.sessionName,
    arn: `arn:aws:sts::${request.accountId}:assumed-role/${request.roleName}/${request.sessionName}`,
    via: request.via,
    subject: request.subject,
  };
}

/** `length` random characters of IAM's unique-id alphabet (upper-case letters and 2–7). */
export function randomId(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}
