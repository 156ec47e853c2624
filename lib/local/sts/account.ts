import { mintCredentials, randomId } from './credentials';
import { normalizeIssuer } from './trust';
import type { LocalCredentials, LocalOidcProvider, LocalRole } from './types';

/** A role as the account holds it: with the unique id and name IAM gives it. */
export interface AccountRole extends LocalRole {
  /** `AROA…`, the role's unique id (the first part of `AssumedRoleId`). */
  readonly roleId: string;
  readonly name: string;
}

/**
 * The IAM side of the emulated account: its OIDC providers, roles, and the sessions STS issued.
 * Registration checks what IAM checks and throws an error naming the argument.
 */
export class StsAccount {
  private readonly providers = new Map<string, LocalOidcProvider>();
  private readonly roles = new Map<string, AccountRole>();
  private readonly sessions = new Map<string, LocalCredentials>();

  constructor(readonly accountId: string) {}

  /** Credentials issued, oldest first. */
  get issued(): readonly LocalCredentials[] {
    return [...this.sessions.values()];
  }

  /** Registers an IAM OIDC identity provider (like `AWS::IAM::OIDCProvider`). */
  addOidcProvider(provider: LocalOidcProvider): void {
    const url = new URL(provider.url);
    const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new Error(
        `addOidcProvider: url must start with https:// (http:// only on loopback), got ${provider.url}`,
      );
    }
    if (url.search || url.hash)
      throw new Error(`addOidcProvider: url must not have a query or fragment, got ${provider.url}`);
    const key = normalizeIssuer(provider.url);
    if (this.providers.has(key)) {
      throw new Error(
        `addOidcProvider: a provider for ${provider.url} already exists (IAM's EntityAlreadyExists)`,
      );
    }
    if (provider.clientIds.length === 0 || provider.clientIds.length > 100) {
      throw new Error(
        `addOidcProvider: clientIds must have 1 to 100 entries, got ${provider.clientIds.length}`,
      );
    }
    this.providers.set(key, provider);
  }

  /** The provider registered for issuer `iss`, if any. */
  provider(iss: string): LocalOidcProvider | undefined {
    return this.providers.get(normalizeIssuer(iss));
  }

  /** Adds a role (or replaces the role with the same ARN). */
  addRole(role: LocalRole): void {
    const match = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]{1,64})$/.exec(role.roleArn);
    if (!match)
      throw new Error(`addRole: roleArn must be arn:aws:iam::<account>:role/<name>, got ${role.roleArn}`);
    for (const trust of role.webIdentityTrusts ?? []) {
      if (trust.subjects.length === 0 || trust.subjects.some((s) => s === '*' || s === '')) {
        throw new Error(
          `addRole: a web identity trust needs subjects that pin sub (not '*'), got ${JSON.stringify(trust.subjects)}`,
        );
      }
    }
    this.roles.set(role.roleArn, { ...role, name: match[2], roleId: `AROA${randomId(17)}` });
  }

  /** The role with ARN `roleArn`, if any. */
  role(roleArn: string): AccountRole | undefined {
    return this.roles.get(roleArn);
  }

  /** The role of a session this account issued (sessions exist only for its roles). */
  roleOf(session: LocalCredentials): AccountRole {
    return this.roles.get(session.roleArn) as AccountRole;
  }

  /** The session whose access key id is `accessKeyId`, if this account issued it. */
  session(accessKeyId: string): LocalCredentials | undefined {
    return this.sessions.get(accessKeyId);
  }

  /** Issues credentials for a session of `role` and remembers them (to authenticate later calls). */
  issue(
    role: AccountRole,
    sessionName: string,
    durationSeconds: number,
    via: LocalCredentials['via'],
    subject?: string,
  ): LocalCredentials {
    const credentials = mintCredentials({
      accountId: this.accountId,
      roleArn: role.roleArn,
      roleName: role.name,
      sessionName,
      durationSeconds,
      via,
      subject,
    });
    this.sessions.set(credentials.accessKeyId, credentials);
    return credentials;
  }
}
