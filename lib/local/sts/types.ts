// The public shapes of the loopback STS endpoint (re-exported by lib/local/sts-endpoint.ts).

/** Options of {@link LocalStsEndpoint.start}. */
export interface LocalStsEndpointOptions {
  /** @default '123456789012' */
  readonly accountId?: string;
  /** The region tokens and ARNs name. @default 'us-east-1' */
  readonly region?: string;
  /**
   * Whether the account's IAM outbound identity federation is on (`GetWebIdentityToken` works).
   *
   * @default true
   */
  readonly outboundFederationEnabled?: boolean;
}

/** An IAM OIDC identity provider: the issuer URL and its client IDs (audiences). */
export interface LocalOidcProvider {
  /** Must equal the tokens' `iss`. HTTPS, or HTTP on a loopback address for local issuers. */
  readonly url: string;
  readonly clientIds: readonly string[];
}

/** One statement of a role's trust policy for `sts:AssumeRoleWithWebIdentity`. */
export interface LocalWebIdentityTrust {
  /** URL of a registered provider (`Principal: { Federated: <provider ARN> }`). */
  readonly provider: string;
  /**
   * `StringEquals` on `<provider>:aud`.
   *
   * @default - only the provider's client IDs apply
   */
  readonly audiences?: readonly string[];
  /** `StringLike` on `<provider>:sub` (`*` and `?` wildcards). Required: a trust is never open. */
  readonly subjects: readonly string[];
}

/** A role of the emulated account. */
export interface LocalRole {
  /** `arn:aws:iam::<account>:role/<name>`. */
  readonly roleArn: string;
  /** @default 3600 */
  readonly maxSessionDurationSeconds?: number;
  /** Who may assume it with a web identity token. @default [] */
  readonly webIdentityTrusts?: readonly LocalWebIdentityTrust[];
  /** Roles whose sessions may call `sts:AssumeRole` on it (role chaining). @default [] */
  readonly trustedRoles?: readonly string[];
  /**
   * Audiences its sessions may request from `GetWebIdentityToken` (`sts:IdentityTokenAudience`).
   *
   * @default [] - GetWebIdentityToken is denied
   */
  readonly webIdentityTokenAudiences?: readonly string[];
}

/** Temporary credentials the endpoint issued (or made up for an execution role). */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly roleArn: string;
  readonly sessionName: string;
  /** The assumed-role session ARN. */
  readonly arn: string;
  readonly via: 'AssumeRoleWithWebIdentity' | 'AssumeRole' | 'execution-role';
  /** `sub` of the web identity token, for `AssumeRoleWithWebIdentity`. */
  readonly subject?: string;
}

/** An error the endpoint answers with instead of running an action (e.g. a transient IdP fault). */
export interface LocalStsFault {
  readonly action: string;
  readonly code: string;
  readonly message: string;
  /** @default 400 */
  readonly status?: number;
  /** How many calls fail. @default 1 */
  readonly times?: number;
}

/** One call the endpoint answered. */
export interface LocalStsCall {
  readonly action: string;
  readonly status: number;
  /** The error code, for failed calls. */
  readonly code?: string;
}
