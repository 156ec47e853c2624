import { createHash } from 'node:crypto';
import { Annotations, Aws, Duration, Lazy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ConfigurationError } from './errors';
import type { OidcIssuer } from './oidc-issuer';
import { deployedStack } from './private/stacks';
import {
  measureTrustPolicy,
  TRUST_POLICY_LENGTH_DEFAULT,
  TRUST_POLICY_LENGTH_MAX,
} from './private/trust-policy-length';

/** Props of {@link OidcRole}. */
export interface OidcRoleProps {
  /** Who issues the tokens the role trusts, e.g. `OidcIssuer.vercel({ team: 'acme' })`. */
  readonly issuer: OidcIssuer;
  /**
   * The token subjects (`sub`) allowed to assume the role: exact values, or patterns with `*` / `?`
   * (then every entry is matched with `StringLike`). At least one. A pattern must fix the part that
   * names the owner before its first wildcard, so the trust never opens to other users of a shared
   * issuer: `repo:<owner>/` for GitHub Actions (`repo:acme/*`), `owner:<team>:` for Vercel
   * (`owner:acme:project:shop:environment:*`), `project_path:<group>/` for https://gitlab.com
   * (`project_path:acme/*`), `organization:<org>:` for HCP Terraform (https://app.terraform.io,
   * `organization:acme:*`), `{<repository uuid>}:` for a Bitbucket workspace issuer (its sub ends
   * in the run's step), and for any other issuer at least two whole segments, each ending in `:`
   * or `/` (`system:serviceaccount:prod:*`, `organization:acme:*`): a single segment is usually just
   * the claim's name (`project_path:*`), which every user of the issuer matches.
   */
  readonly subjects: string[];
  /**
   * The token audiences (`aud`) accepted; also the IAM OIDC provider's client IDs.
   *
   * @default - the issuer's audience (`https://vercel.com/<team>` for Vercel, `sts.amazonaws.com` otherwise)
   */
  readonly audiences?: string[];
  /**
   * An existing IAM OIDC provider for the issuer. IAM holds one provider per URL in an account (a
   * second one fails the deploy with `EntityAlreadyExists`), and IAM is global: a second stack
   * trusting the same issuer — or this stack deployed to a second Region — must import the first
   * one's, e.g. `iam.OidcProviderNative.fromOidcProviderArn(this, 'Vercel',
   * 'arn:aws:iam::123456789012:oidc-provider/oidc.vercel.com/acme')`, whose client IDs must then
   * include `audiences`. Roles of one stack share one provider per issuer without this prop.
   *
   * @default - the stack's `AWS::IAM::OIDCProvider` for the issuer's URL (OidcProviderNative), created
   *   under the stack's first OidcRole trusting the issuer, as its child `Provider`; its client IDs
   *   are the audiences of all the stack's roles trusting it
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
   * `durationSeconds` may not ask for more). Only sessions assumed with a Vercel OIDC token
   * (`AssumeRoleWithWebIdentity`) can last longer than an hour: on AWS without one, the function's
   * own role assumes this one (role chaining), which AWS limits to one hour, so
   * `awsCredentialsProvider` lowers a longer `durationSeconds` to 3600 and warns once.
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
  /**
   * The account's IAM "Role trust policy length" quota, in characters (whitespace not counted), for
   * an account that raised it in Service Quotas (IAM, up to 8,192). Synth fails when the role's trust
   * policy (every subject and audience, and the statements `grantAssumeRole` adds) is longer, instead
   * of the deployment failing with `Cannot exceed quota for ACLSizePerRole`.
   *
   * @default 2048 - IAM's default quota
   */
  readonly trustPolicyLengthQuota?: number;
}

/**
 * An IAM role for `awsCredentialsProvider({ roleArn })`: a native IAM OIDC provider
 * (`AWS::IAM::OIDCProvider`, no custom resource) for the issuer and a role whose trust policy pins
 * the token's `aud` (`StringEquals`) and `sub` (`StringEquals`, or `StringLike` with wildcards).
 * Functions deployed on AWS reach it without a token: `grantAssumeRole(fn)` lets their execution
 * role assume it, which is what `awsCredentialsProvider` does there. For that the role also trusts
 * its own account's principals that carry a tag unique to this role (one statement, added by the
 * first grant, which also tags the grantee's role), and the grantee gets `sts:AssumeRole` on the role
 * in its own policy: an admin or another broad role of the account, allowed `sts:AssumeRole` on `*`,
 * cannot assume it.
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
  /**
   * The tag key a principal of the account must carry (with the value
   * {@link OidcRole.assumeTagValue}) to get past the trust statement `grantAssumeRole` adds:
   * `vercel-functions-aws:oidc-role:` and a hash of this role's deployment (its stack's name, its
   * construct path, and the stack's account and Region when they are concrete). One key per
   * OidcRole, because a tag key holds one value and a function may be granted several roles; one per
   * deployment, because two deployments of the same code (a preview and a production stack) must not
   * admit each other's functions. Stable across synths.
   *
   * An environment-agnostic stack deployed under the same stack name to two Regions of one account
   * gets the same key in both; {@link OidcRole.assumeTagValue}, the Region there, tells them apart.
   */
  readonly assumeTagKey: string;
  /**
   * The value of {@link OidcRole.assumeTagKey} the trust statement requires: `true` when the stack's
   * Region is concrete, else the Region the stack is deployed to (`Ref: AWS::Region`), so a stack
   * deployed under one name to two Regions of an account, which share the key, admits only its own
   * Region's functions. A token then: output it (`CfnOutput`) to tag a role by hand.
   */
  readonly assumeTagValue: string;
  private trustsTaggedPrincipals = false;

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
    checkSubjects(this, props.subjects, issuer.issuerUrl);
    const trustPolicyLengthQuota = props.trustPolicyLengthQuota ?? TRUST_POLICY_LENGTH_DEFAULT;
    checkTrustPolicyLengthQuota(this, trustPolicyLengthQuota);
    const maxSessionDuration = props.maxSessionDuration ?? Duration.hours(1);
    const seconds = maxSessionDuration.toSeconds();
    if (seconds < 3600 || seconds > 43_200) {
      throw new ConfigurationError(
        this,
        `maxSessionDuration must be from 1 to 12 hours, got ${seconds} seconds`,
      );
    }

    this.provider = props.provider ?? SharedOidcProvider.of(this, issuer.issuerUrl, audiences).provider;
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
    this.assumeTagKey = assumeTagKeyOf(this);
    this.assumeTagValue = Token.isUnresolved(Stack.of(this).region) ? Aws.REGION : ASSUME_TAG_VALUE;
    // Measured when the app synthesizes, so the statements grantAssumeRole and the user add count too.
    this.node.addValidation({
      validate: () => {
        this.checkTrustPolicyLength(trustPolicyLengthQuota, issuer.issuerUrl, props.subjects);
        return [];
      },
    });
  }

  /**
   * Lets `grantee` (a function's execution role, of this role's account) assume this role with
   * `sts:AssumeRole`: grants it the action in its own policy, and lets it past the trust policy.
   * A role created in this app (`iam.Role`, e.g. a function's default execution role) gets the tag
   * {@link OidcRole.assumeTagKey} = {@link OidcRole.assumeTagValue}, which the one account trust
   * statement requires, so the trust policy stays the same size however many functions are granted.
   * Any other grantee (an imported or immutable role, a user) is named in the trust policy by its own
   * statement.
   * `awsCredentialsProvider` does exactly that on AWS when no Vercel token is present, because AWS
   * rejects its own `GetWebIdentityToken` tokens in `AssumeRoleWithWebIdentity`.
   *
   * @throws {ConfigurationError} when `grantee` is in another account than the role.
   */
  grantAssumeRole(grantee: iam.IGrantable): iam.Grant {
    const principal = grantee.grantPrincipal;
    const account = Stack.of(this).account;
    const granteeAccount = principal.principalAccount;
    if (
      granteeAccount !== undefined &&
      !Token.isUnresolved(granteeAccount) &&
      !Token.isUnresolved(account) &&
      granteeAccount !== account
    ) {
      throw new ConfigurationError(
        this,
        `grantAssumeRole: the grantee is in account ${granteeAccount}, the role in ${account}; it trusts only its own account's principals. Add a trust statement for the other account to role.assumeRolePolicy yourself`,
      );
    }
    if (principal instanceof iam.Role) {
      this.trustTaggedPrincipals();
      // Tagged in the grantee's own stack with a literal key and a literal value or `Ref: AWS::Region`
      // (a pseudo parameter, resolved by each stack itself), so the grantee's stack gains no
      // reference to this one (and this one none to it). Grantee and role share the Region: a grant
      // references the role's ARN, which CDK allows across Regions only between concrete ones.
      Tags.of(principal).add(this.assumeTagKey, this.assumeTagValue);
    } else {
      checkNamedGrantee(this, principal, account);
      // Imported and immutable roles cannot be tagged from here, and an immutable role takes no
      // identity policy either (its grant below adds nothing): within an account, a trust policy
      // naming the principal allows it even without an identity-side grant, unless a permissions
      // boundary or session policy leaves the action out
      // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
      this.role.assumeRolePolicy?.addStatements(
        new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [principal] }),
      );
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sts:AssumeRole'],
      resourceArns: [this.role.roleArn],
    });
  }

  // An error annotation, so `cdk synth` fails (and reports every role over its quota, not just the
  // first) rather than CloudFormation's CreateRole failing with `LimitExceeded: Cannot exceed quota
  // for ACLSizePerRole` halfway through a deployment.
  private checkTrustPolicyLength(quota: number, issuerUrl: string, subjects: readonly string[]): void {
    const stack = Stack.of(this);
    const cfn = this.role.node.defaultChild as iam.CfnRole;
    const measured = measureTrustPolicy(stack, stack.resolve(cfn.assumeRolePolicyDocument), {
      providerUrl: issuerUrl,
    });
    if (measured.length <= quota) return;
    const name = stack.resolve(cfn.roleName);
    const roleName = typeof name === 'string' ? ` (${name})` : '';
    // `"subject",` for each: the share the subjects take of the count.
    const subjectChars = subjects.reduce((total, subject) => total + JSON.stringify(subject).length + 1, -1);
    const estimate =
      measured.estimates.length === 0 ? '' : `, an estimate counting ${measured.estimates.join(', ')}`;
    Annotations.of(this).addError(
      `the trust policy of role ${this.role.node.path}${roleName} takes ${measured.length} characters (whitespace not counted, as IAM counts it${estimate}), more than the ${quota} of IAM's "Role trust policy length" quota${quota === TRUST_POLICY_LENGTH_DEFAULT ? ' (its default)' : ''}, so the deployment would fail with "Cannot exceed quota for ACLSizePerRole". ` +
        `Its ${subjects.length} subjects take ${subjectChars} of them. Trust fewer subjects (one pattern such as ${JSON.stringify(subjectRule(issuerUrl).example)} can stand for several), split them across several OidcRoles, ` +
        `or raise the quota in Service Quotas (IAM, "Role trust policy length", up to ${TRUST_POLICY_LENGTH_MAX}) and pass the new value as trustPolicyLengthQuota`,
    );
  }

  // One trust statement for the account instead of one per grantee: IAM caps a trust policy at
  // 2,048 characters by default (8,192 at most, "Role trust policy length" in IAM quotas), which a
  // statement per function outgrows at about a dozen routes, and a grantee in another stack named in
  // the trust policy makes the two stacks reference each other. Trusting the account alone would let
  // in every principal whose own policy allows sts:AssumeRole on * (admins, the CDK deploy role,
  // broad functions), so the statement also requires this role's tag on the caller: aws:PrincipalTag
  // holds the tags of the calling IAM user or role, and of a role session (a Lambda execution role)
  // its role's tags plus any session tags
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag,
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html). As with any tag-based
  // rule, a principal allowed iam:TagRole on itself or sts:TagSession on a role it assumes can give
  // itself the tag; those are admin-level permissions. The caller still needs sts:AssumeRole on the
  // role in its own policy, which grantAssumeRole adds.
  private trustTaggedPrincipals(): void {
    if (this.trustsTaggedPrincipals) return;
    this.trustsTaggedPrincipals = true;
    this.role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        principals: [new iam.AccountRootPrincipal()],
        conditions: { StringEquals: { [`aws:PrincipalTag/${this.assumeTagKey}`]: this.assumeTagValue } },
      }),
    );
  }
}

const ASSUME_TAG_PREFIX = 'vercel-functions-aws:oidc-role:';
// With a concrete Region, which the key's hash holds. Tokens cannot be part of the key, but condition
// and tag values take CloudFormation intrinsics: with a token Region, the value is the Region. The
// account needs no such value: the trust statement admits only the role's own account.
const ASSUME_TAG_VALUE = 'true';

/**
 * The role's tag key. The construct path alone (`node.addr`) is the same in every stack built from
 * the same code, e.g. `new Stack(app, 'Shop', { stackName: `shop-${stage}` })` for preview and
 * production: both roles would then trust both deployments' tagged functions. The stack's name tells
 * deployments in one account apart (CloudFormation allows one stack of a name per account and
 * Region); the account and Region are added when they are concrete. Tokens cannot be part of the
 * key: it is a JSON object key in the trust policy's condition (`aws:PrincipalTag/<key>`), where
 * CloudFormation resolves no intrinsic function; a token Region goes into the value instead
 * (`assumeTagValue`).
 */
function assumeTagKeyOf(role: OidcRole): string {
  // A nested stack's name is a token; its parent's path in the app already tells it apart.
  const stack = deployedStack(role);
  const parts = [
    Token.isUnresolved(stack.stackName) ? '' : stack.stackName,
    role.node.path,
    Token.isUnresolved(stack.account) ? '' : stack.account,
    Token.isUnresolved(stack.region) ? '' : stack.region,
  ];
  // 40 hex characters keep the key (71) within IAM's 128-character tag key limit and its
  // [\p{L}\p{Z}\p{N}_.:/=+\-@] charset (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html)
  // whatever the path's length; JSON keeps the parts apart (no two inputs join to the same text).
  const hash = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40);
  return `${ASSUME_TAG_PREFIX}${hash}`;
}

/**
 * A grantee named in the trust policy must be one IAM role or user of the role's own account: `*`,
 * an account root, a service or federated principal, or an ARN of another account would open the
 * role far wider than `grantAssumeRole` means to.
 */
function checkNamedGrantee(scope: Construct, principal: iam.IPrincipal, account: string): void {
  const json = principal.policyFragment.principalJson;
  const arns = json.AWS ?? [];
  const kinds = Object.keys(json);
  const ownIdentity = (arn: string) => {
    // An account root, even as a token (AccountRootPrincipal's ARN is one `Fn::Join`).
    if (JSON.stringify(Stack.of(scope).resolve(arn)).includes(':root"')) return false;
    if (Token.isUnresolved(arn)) return true;
    const match = /^arn:aws[a-z-]*:iam::(\d{12}):(?:role|user)\/\S+$/.exec(arn);
    return match !== null && (Token.isUnresolved(account) || match[1] === account);
  };
  if (kinds.some((kind) => kind !== 'AWS') || arns.length === 0 || !arns.every(ownIdentity)) {
    throw new ConfigurationError(
      scope,
      `grantAssumeRole: the grantee must be an IAM role or user of this account${Token.isUnresolved(account) ? '' : ` (${account})`}, got ${JSON.stringify(json)}; a wildcard, an account root, a service or another account would open the role to far more than one function`,
    );
  }
}

function checkTrustPolicyLengthQuota(scope: Construct, quota: number): void {
  if (!Number.isInteger(quota) || quota < TRUST_POLICY_LENGTH_DEFAULT || quota > TRUST_POLICY_LENGTH_MAX) {
    throw new ConfigurationError(
      scope,
      `trustPolicyLengthQuota must be a whole number from ${TRUST_POLICY_LENGTH_DEFAULT} (IAM's default "Role trust policy length") to ${TRUST_POLICY_LENGTH_MAX} (the most Service Quotas raises it to), got ${quota}`,
    );
  }
}

// A single condition value as a string, as IAM's own examples write it.
function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : [...values];
}

// IAM's limit of client IDs (audiences) per OIDC provider.
const MAX_CLIENT_IDS = 100;

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

function checkSubjects(scope: Construct, subjects: string[], issuerUrl: string): void {
  if (!Array.isArray(subjects) || subjects.length === 0) {
    throw new ConfigurationError(
      scope,
      `subjects must list at least one token subject (sub) to trust, got ${JSON.stringify(subjects)}: a role open to every token of the issuer would let any of its users in`,
    );
  }
  const rule = subjectRule(issuerUrl);
  for (const subject of subjects) {
    if (typeof subject !== 'string' || subject.length === 0) {
      throw new ConfigurationError(
        scope,
        `subjects must be non-empty strings, got ${JSON.stringify(subject)}`,
      );
    }
    // The text before the first wildcard is all a StringLike pattern pins; an exact subject pins all.
    const fixed = subject.split(/[*?]/, 1)[0];
    if (fixed !== subject && !rule.fixedPrefix.test(fixed)) {
      throw new ConfigurationError(
        scope,
        `subject ${JSON.stringify(subject)} leaves the ${rule.owner} open, so other users of the issuer ${issuerUrl} could match it: a pattern must start with ${rule.required} before its first wildcard, e.g. ${JSON.stringify(rule.example)}, or give the exact subject`,
      );
    }
  }
}

/** What a subject pattern must fix before its first wildcard, for one issuer. */
interface SubjectRule {
  /** Matches the text before the first wildcard when it pins the owner. */
  readonly fixedPrefix: RegExp;
  /** What a pattern must pin, for the error. */
  readonly owner: string;
  /** The required start, for the error. */
  readonly required: string;
  readonly example: string;
}

const GITHUB_ACTIONS_ISSUER = /^https:\/\/token\.actions\.githubusercontent\.com(\/|$)/;
const VERCEL_ISSUER = /^https:\/\/oidc\.vercel\.com(?:\/([a-z0-9][a-z0-9-]*))?$/;
const GITLAB_ISSUER = /^https:\/\/gitlab\.com$/;
const TERRAFORM_ISSUER = /^https:\/\/app\.(?:eu\.)?terraform\.io$/;
// One issuer per Bitbucket workspace, so the issuer already pins the owner; its `sub` is
// `{repositoryUuid}:{stepUuid}`, and the step changes on every run.
const BITBUCKET_ISSUER =
  /^https:\/\/api\.bitbucket\.org\/2\.0\/workspaces\/[^/]+\/pipelines-config\/identity\/oidc$/;

// Issuers shared by many owners put the owner first in `sub`: GitHub `repo:<owner>/<repo>:…`
// (https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims), Vercel
// `owner:<team>:project:<project>:environment:<env>` (https://vercel.com/docs/oidc/reference),
// GitLab.com `project_path:<group>/<project>:ref_type:…` (https://docs.gitlab.com/ci/secrets/id_token_authentication/),
// HCP Terraform `organization:<org>:project:<project>:workspace:…`
// (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens).
// A pattern must fix that part; the Vercel team issuer (`oidc.vercel.com/<team>`, OidcIssuer.vercel)
// must fix its own team. Keyed on the URL so OidcIssuer.url() with these URLs gets the same rule.
function subjectRule(issuerUrl: string): SubjectRule {
  if (GITHUB_ACTIONS_ISSUER.test(issuerUrl)) {
    return {
      fixedPrefix: /^repo:[^:/]+\//,
      owner: 'repository owner',
      required: "'repo:<owner>/'",
      example: 'repo:acme/*',
    };
  }
  const vercel = VERCEL_ISSUER.exec(issuerUrl);
  if (vercel) {
    const team = vercel[1];
    return team
      ? {
          fixedPrefix: new RegExp(`^owner:${team}:`),
          owner: 'team',
          required: `'owner:${team}:'`,
          example: `owner:${team}:project:shop:environment:*`,
        }
      : {
          fixedPrefix: /^owner:[^:]+:/,
          owner: 'team',
          required: "'owner:<team>:'",
          example: 'owner:acme:project:shop:environment:*',
        };
  }
  if (GITLAB_ISSUER.test(issuerUrl)) {
    return {
      fixedPrefix: /^project_path:[^:/]+\//,
      owner: 'group',
      required: "'project_path:<group>/'",
      example: 'project_path:acme/*',
    };
  }
  if (TERRAFORM_ISSUER.test(issuerUrl)) {
    return {
      fixedPrefix: /^organization:[^:]+:/,
      owner: 'organization',
      required: "'organization:<org>:'",
      example: 'organization:acme:project:*',
    };
  }
  if (BITBUCKET_ISSUER.test(issuerUrl)) {
    return {
      fixedPrefix: /^\{[^}*?]+\}:/,
      owner: 'repository',
      required: "'{<repository uuid>}:'",
      example: '{6a1c2b3d-0000-4000-8000-000000000000}:*',
    };
  }
  // Other issuers' layouts are unknown, and their first segment is often only the claim's name
  // (`organization:*` on a shared CI issuer opens the role to all its customers): two whole segments
  // usually take in the value that names the owner.
  return {
    fixedPrefix: /^[^:/*?]+[:/][^:/*?]+[:/]/,
    owner: 'subject',
    required: "two whole fixed segments (text up to a ':' or '/', twice)",
    example: 'system:serviceaccount:prod:*',
  };
}

/**
 * The stack's IAM OIDC provider for one issuer URL, shared by every {@link OidcRole} of the stack
 * that trusts the issuer, as {@link OidcRole.provider}: IAM holds one provider per URL in an account,
 * so a second `AWS::IAM::OIDCProvider` with the same `Url` fails the deploy with
 * `EntityAlreadyExists`. Its client IDs are the audiences of all those roles (STS accepts a token
 * only if its `aud` is one of them).
 *
 * The provider is the first role's child `Provider`, where each role kept its own provider before
 * roles shared one: a stack deployed then keeps its provider's logical id. Under a new id,
 * CloudFormation would create the new provider before deleting the old one, and the update would
 * fail with `EntityAlreadyExists`.
 */
class SharedOidcProvider {
  // Per stack, then per issuer URL. Synth-time state: a stack lives in one process.
  private static readonly byStack = new WeakMap<Stack, Map<string, SharedOidcProvider>>();

  static of(role: Construct, issuerUrl: string, audiences: readonly string[]): SharedOidcProvider {
    const stack = Stack.of(role);
    let byUrl = SharedOidcProvider.byStack.get(stack);
    if (byUrl === undefined) {
      byUrl = new Map();
      SharedOidcProvider.byStack.set(stack, byUrl);
    }
    let shared = byUrl.get(issuerUrl);
    if (shared === undefined) {
      shared = new SharedOidcProvider(role, issuerUrl);
      byUrl.set(issuerUrl, shared);
    }
    shared.addClientIds(role, audiences);
    return shared;
  }

  readonly provider: iam.OidcProviderNative;
  private readonly clientIds = new Set<string>();

  private constructor(
    firstRole: Construct,
    private readonly issuerUrl: string,
  ) {
    this.provider = new iam.OidcProviderNative(firstRole, 'Provider', {
      url: issuerUrl,
      // Resolved at synth, after every role of the stack has added its audiences.
      clientIds: Lazy.list({ produce: () => [...this.clientIds] }),
    });
  }

  private addClientIds(role: Construct, audiences: readonly string[]): void {
    for (const audience of audiences) this.clientIds.add(audience);
    if (this.clientIds.size > MAX_CLIENT_IDS) {
      throw new ConfigurationError(
        role,
        `the OidcRoles of this stack trusting ${this.issuerUrl} list ${this.clientIds.size} different audiences, more than the ${MAX_CLIENT_IDS} client IDs IAM allows one OIDC provider (and IAM allows one provider per URL): trust fewer audiences`,
      );
    }
  }
}
