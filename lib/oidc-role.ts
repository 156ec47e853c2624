import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ConfigurationError } from './errors';
import type { OidcIssuer } from './oidc-issuer';

/** Props of {@link OidcRole}. */
export interface OidcRoleProps {
  /** Who issues the tokens the role trusts, e.g. `OidcIssuer.vercel({ team: 'acme' })`. */
  readonly issuer: OidcIssuer;
  /**
   * The token subjects (`sub`) allowed to assume the role: exact values, or patterns with `*` / `?`
   * (then every entry is matched with `StringLike`). At least one, and none made of wildcards only —
   * the trust is never open to every token of the issuer.
   */
  readonly subjects: string[];
  /**
   * The token audiences (`aud`) accepted; also the IAM OIDC provider's client IDs.
   *
   * @default - the issuer's audience (`https://vercel.com/<team>` for Vercel, `sts.amazonaws.com` otherwise)
   */
  readonly audiences?: string[];
  /**
   * An existing IAM OIDC provider for the issuer. An account holds one provider per URL, so a second
   * stack trusting the same issuer must reuse the first one's.
   *
   * @default - a new `AWS::IAM::OIDCProvider` (OidcProviderNative)
   */
  readonly provider?: iam.IOidcProvider;
  /**
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
  /**
   * @default - none
   */
  readonly description?: string;
  /**
   * How long sessions of the role may last, 1 to 12 hours (`awsCredentialsProvider`'s
   * `durationSeconds` may not ask for more).
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}

/**
 * An IAM role for `awsCredentialsProvider({ roleArn })`: a native IAM OIDC provider
 * (`AWS::IAM::OIDCProvider`, no custom resource) for the issuer and a role whose trust policy pins
 * the token's `aud` (`StringEquals`) and `sub` (`StringEquals`, or `StringLike` with wildcards).
 * Functions deployed on AWS reach it without a token: `grantAssumeRole(fn)` lets their execution
 * role assume it, which is what `awsCredentialsProvider` does there.
 *
 * @example
 * const reader = new OidcRole(this, 'Reader', {
 *   issuer: OidcIssuer.vercel({ team: 'acme' }),
 *   subjects: ['owner:acme:project:shop:environment:production'],
 * });
 * table.grantReadData(reader);
 * reader.grantAssumeRole(fn);
 * fn.addEnvironment('AWS_ROLE_ARN', reader.roleArn);
 */
export class OidcRole extends Construct implements iam.IGrantable {
  /** The role. */
  readonly role: iam.Role;
  /** The role's ARN, for `AWS_ROLE_ARN`. */
  readonly roleArn: string;
  /** The IAM OIDC provider the role trusts. */
  readonly provider: iam.IOidcProvider;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: OidcRoleProps) {
    super(scope, id);
    const issuer = props.issuer.bind(this);
    if (!issuer.federatesIntoAws) {
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_getting_started.html
      throw new ConfigurationError(
        this,
        'issuer OidcIssuer.awsOutboundFederation() cannot be trusted by a role: AWS does not accept GetWebIdentityToken tokens in AssumeRoleWithWebIdentity. ' +
          'Let functions deployed on AWS assume the role with grantAssumeRole(fn) instead, and trust an external issuer (vercel(), githubActions(), url()) here.',
      );
    }
    const audiences = props.audiences ?? issuer.defaultAudiences;
    checkAudiences(this, audiences);
    checkSubjects(this, props.subjects);
    const maxSessionDuration = props.maxSessionDuration ?? Duration.hours(1);
    const seconds = maxSessionDuration.toSeconds();
    if (seconds < 3600 || seconds > 43_200) {
      throw new ConfigurationError(
        this,
        `maxSessionDuration must be from 1 to 12 hours, got ${seconds} seconds`,
      );
    }

    this.provider =
      props.provider ??
      new iam.OidcProviderNative(this, 'Provider', { url: issuer.issuerUrl, clientIds: [...audiences] });
    // IAM's condition keys are the provider URL without its scheme: `oidc.vercel.com/acme:sub`.
    const key = issuer.issuerUrl.replace(/^https:\/\//, '');
    const wildcard = props.subjects.some((subject) => /[*?]/.test(subject));
    this.role = new iam.Role(this, 'Resource', {
      roleName: props.roleName,
      description: props.description,
      maxSessionDuration,
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: {
          [`${key}:aud`]: oneOrMany(audiences),
          ...(wildcard ? {} : { [`${key}:sub`]: oneOrMany(props.subjects) }),
        },
        ...(wildcard ? { StringLike: { [`${key}:sub`]: oneOrMany(props.subjects) } } : {}),
      }),
    });
    this.roleArn = this.role.roleArn;
    this.grantPrincipal = this.role;
  }

  /**
   * Lets `grantee` (a function's execution role) assume this role with `sts:AssumeRole`: adds it to
   * the trust policy and grants it the action. `awsCredentialsProvider` does exactly that on AWS when
   * no Vercel token is present, because AWS rejects its own `GetWebIdentityToken` tokens in
   * `AssumeRoleWithWebIdentity`.
   */
  grantAssumeRole(grantee: iam.IGrantable): iam.Grant {
    this.role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [grantee.grantPrincipal] }),
    );
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sts:AssumeRole'],
      resourceArns: [this.role.roleArn],
    });
  }
}

// A single condition value as a string, as IAM's own examples write it.
function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : [...values];
}

function checkAudiences(scope: Construct, audiences: string[]): void {
  if (!Array.isArray(audiences) || audiences.length === 0 || audiences.length > 100) {
    throw new ConfigurationError(
      scope,
      `audiences must list 1 to 100 audiences (the provider's client IDs), got ${JSON.stringify(audiences)}`,
    );
  }
  for (const audience of audiences) {
    if (typeof audience !== 'string' || audience.length === 0 || audience.length > 255) {
      throw new ConfigurationError(
        scope,
        `each audience must be 1 to 255 characters (IAM's limit for client IDs), got ${JSON.stringify(audience)}`,
      );
    }
  }
}

function checkSubjects(scope: Construct, subjects: string[]): void {
  if (!Array.isArray(subjects) || subjects.length === 0) {
    throw new ConfigurationError(
      scope,
      `subjects must list at least one token subject (sub) to trust, got ${JSON.stringify(subjects)}: a role open to every token of the issuer would let any of its users in`,
    );
  }
  for (const subject of subjects) {
    if (typeof subject !== 'string' || /^[*?]*$/.test(subject)) {
      throw new ConfigurationError(
        scope,
        `subjects must pin the token subject, got ${JSON.stringify(subject)}: give the exact sub or a pattern with a fixed part, e.g. 'owner:acme:project:shop:environment:*'`,
      );
    }
  }
}
