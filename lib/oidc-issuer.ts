import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ConfigurationError } from './errors';
import {
  OIDC_AUDIENCE_ENV,
  OIDC_SIGNING_ALGORITHM_ENV,
  OIDC_TOKEN_DURATION_ENV,
} from './private/constructs-contract';

/** What an issuer contributes to a role's trust. */
export interface OidcIssuerConfig {
  /** The issuer URL: the tokens' `iss`, `https://...` without a trailing slash. */
  readonly issuerUrl: string;
  /** The audiences a role trusts when none are given. */
  readonly defaultAudiences: string[];
  /**
   * Whether STS accepts this issuer's tokens in `AssumeRoleWithWebIdentity`. False for the AWS
   * account's own outbound-federation issuer.
   */
  readonly federatesIntoAws: boolean;
}

/** Options of {@link OidcIssuer.vercel}. */
export interface VercelOidcIssuerOptions {
  /** The Vercel team slug (the `vercel.com/<team>` URL segment); the project uses the team issuer mode. */
  readonly team: string;
}

/** Options of {@link OidcIssuer.url}. */
export interface UrlOidcIssuerOptions {
  /**
   * The audiences (`aud`) the issuer puts in tokens for AWS.
   *
   * @default ['sts.amazonaws.com']
   */
  readonly audiences?: string[];
}

/**
 * Who issues the OIDC tokens an {@link OidcRole} trusts. Static factories for the common issuers.
 *
 * @example
 * new OidcRole(this, 'Reader', {
 *   issuer: OidcIssuer.vercel({ team: 'acme' }),
 *   subjects: ['owner:acme:project:shop:environment:production'],
 * });
 */
export abstract class OidcIssuer {
  /**
   * Vercel's team issuer, `https://oidc.vercel.com/<team>`: tokens of Vercel deployments (and of
   * `VERCEL_OIDC_TOKEN` in local development). Default audience `https://vercel.com/<team>`; subjects
   * look like `owner:<team>:project:<project>:environment:<production|preview|development>`.
   */
  static vercel(options: VercelOidcIssuerOptions): OidcIssuer {
    const team = options?.team;
    if (typeof team !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(team)) {
      throw new ConfigurationError(
        'OidcIssuer.vercel',
        `team must be a Vercel team slug (lowercase letters, digits and hyphens), got ${JSON.stringify(team)}`,
      );
    }
    return new StaticIssuer(`https://oidc.vercel.com/${team}`, [`https://vercel.com/${team}`]);
  }

  /**
   * GitHub Actions, `https://token.actions.githubusercontent.com`, audience `sts.amazonaws.com`;
   * subjects look like `repo:<owner>/<repo>:ref:refs/heads/main` or `repo:<owner>/<repo>:environment:prod`.
   */
  static githubActions(): OidcIssuer {
    return new StaticIssuer('https://token.actions.githubusercontent.com', ['sts.amazonaws.com']);
  }

  /**
   * Any OpenID Connect issuer. IAM's rules apply: `https://`, no port, no query or fragment; its
   * discovery document and JWKS must be publicly reachable.
   */
  static url(issuerUrl: string, options: UrlOidcIssuerOptions = {}): OidcIssuer {
    checkIssuerUrl(issuerUrl);
    const audiences = options.audiences ?? ['sts.amazonaws.com'];
    if (audiences.length === 0) {
      throw new ConfigurationError(
        'OidcIssuer.url',
        'audiences must not be empty: list the aud values of the tokens',
      );
    }
    return new StaticIssuer(issuerUrl.replace(/\/+$/, ''), audiences);
  }

  /**
   * This AWS account's own issuer (IAM outbound identity federation), whose tokens
   * `getVercelOidcToken()` gets from STS `GetWebIdentityToken` on AWS. The stack enables the feature
   * (tolerating "already enabled") and reads the issuer URL, to hand to the external services that
   * should trust the functions. AWS does not accept these tokens for `AssumeRoleWithWebIdentity`, so
   * an {@link OidcRole} cannot trust this issuer; functions reach roles with `OidcRole.grantAssumeRole`.
   */
  static awsOutboundFederation(): AwsOutboundFederationIssuer {
    return new AwsOutboundFederationIssuer();
  }

  /** The issuer's URL and audiences, creating what it needs in `scope`'s stack. */
  abstract bind(scope: Construct): OidcIssuerConfig;
}

class StaticIssuer extends OidcIssuer {
  constructor(
    private readonly issuerUrl: string,
    private readonly defaultAudiences: string[],
  ) {
    super();
  }

  bind(_scope: Construct): OidcIssuerConfig {
    return {
      issuerUrl: this.issuerUrl,
      defaultAudiences: [...this.defaultAudiences],
      federatesIntoAws: true,
    };
  }
}

function checkIssuerUrl(issuerUrl: string): void {
  if (typeof issuerUrl !== 'string' || Token.isUnresolved(issuerUrl)) {
    throw new ConfigurationError(
      'OidcIssuer.url',
      `issuerUrl must be a literal URL (IAM condition keys are built from it at synth), got ${JSON.stringify(issuerUrl)}`,
    );
  }
  let url: URL;
  try {
    url = new URL(issuerUrl);
  } catch {
    throw new ConfigurationError(
      'OidcIssuer.url',
      `issuerUrl must be a URL, got ${JSON.stringify(issuerUrl)}`,
    );
  }
  if (url.protocol !== 'https:' || url.port !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigurationError(
      'OidcIssuer.url',
      `issuerUrl must be https:// without port, query or fragment (IAM's rules for OIDC providers), got ${JSON.stringify(issuerUrl)}`,
    );
  }
}

/** `GetWebIdentityToken`'s signing algorithms. */
export enum WebIdentityTokenSigningAlgorithm {
  /** RSA with SHA-256. */
  RS256 = 'RS256',
  /** ECDSA with P-384 and SHA-384. */
  ES384 = 'ES384',
}

/** Options of {@link AwsOutboundFederationIssuer.grantWebIdentityTokens}. */
export interface GrantWebIdentityTokensOptions {
  /**
   * The audiences the function may request (`sts:IdentityTokenAudience`), 1 to 10. The first is the
   * default of `getVercelOidcToken()`; others need `getVercelOidcToken({ audience })`.
   */
  readonly audiences: string[];
  /**
   * The algorithm tokens are signed with (`sts:SigningAlgorithm`).
   *
   * @default WebIdentityTokenSigningAlgorithm.RS256
   */
  readonly signingAlgorithm?: WebIdentityTokenSigningAlgorithm;
  /**
   * Token lifetime, 1 to 60 minutes; also the most the function may ask for (`sts:DurationSeconds`).
   *
   * @default Duration.minutes(5) - STS' default
   */
  readonly tokenDuration?: Duration;
}

const ENABLEMENT_ID = 'VercelFunctionsAwsOutboundFederation';
const WEB_IDENTITY_POLICY_ID = 'WebIdentityTokenPolicy';

/**
 * The AWS account's outbound identity federation issuer. Returned by
 * {@link OidcIssuer.awsOutboundFederation}.
 */
export class AwsOutboundFederationIssuer extends OidcIssuer {
  /** Enables outbound federation in `scope`'s stack (once per stack) and returns the issuer URL (a token). */
  bind(scope: Construct): OidcIssuerConfig {
    return { issuerUrl: this.issuerUrl(scope), defaultAudiences: [], federatesIntoAws: false };
  }

  /** The account's issuer URL, read at deploy time; enables the feature in `scope`'s stack first. */
  issuerUrl(scope: Construct): string {
    return OutboundFederationEnablement.of(scope).issuerUrl;
  }

  /**
   * Lets `fn` obtain tokens from STS `GetWebIdentityToken` for `options.audiences`: grants
   * `sts:GetWebIdentityToken` limited by `sts:IdentityTokenAudience`, `sts:SigningAlgorithm` and
   * `sts:DurationSeconds`, sets the environment the runtime reads (audience, algorithm, duration)
   * and enables outbound federation in the function's stack. Once per function.
   *
   * @returns the policy, attached to the function's role, that holds the permission
   */
  grantWebIdentityTokens(fn: lambda.Function, options: GrantWebIdentityTokensOptions): iam.Policy {
    const audiences = options?.audiences;
    if (!Array.isArray(audiences) || audiences.length < 1 || audiences.length > 10) {
      throw new ConfigurationError(
        fn,
        `grantWebIdentityTokens: audiences must list 1 to 10 audiences (GetWebIdentityToken's limit), got ${JSON.stringify(audiences)}`,
      );
    }
    for (const audience of audiences) {
      if (typeof audience !== 'string' || audience.length < 1 || audience.length > 1000) {
        throw new ConfigurationError(
          fn,
          `grantWebIdentityTokens: each audience must be 1 to 1000 characters (GetWebIdentityToken's limit), got ${JSON.stringify(audience)}`,
        );
      }
    }
    const algorithm = options.signingAlgorithm ?? WebIdentityTokenSigningAlgorithm.RS256;
    const seconds = (options.tokenDuration ?? Duration.minutes(5)).toSeconds();
    if (!Number.isInteger(seconds) || seconds < 60 || seconds > 3600) {
      throw new ConfigurationError(
        fn,
        `grantWebIdentityTokens: tokenDuration must be a whole number of seconds from 60 to 3600, got ${seconds}`,
      );
    }
    const role = fn.role;
    if (!role) {
      throw new ConfigurationError(
        fn,
        'grantWebIdentityTokens: the function has no execution role to grant to',
      );
    }
    if (fn.node.tryFindChild(WEB_IDENTITY_POLICY_ID)) {
      throw new ConfigurationError(
        fn,
        'grantWebIdentityTokens was already called for this function: list every audience in one call',
      );
    }
    this.issuerUrl(fn);
    fn.addEnvironment(OIDC_AUDIENCE_ENV, audiences[0]);
    fn.addEnvironment(OIDC_SIGNING_ALGORITHM_ENV, algorithm);
    fn.addEnvironment(OIDC_TOKEN_DURATION_ENV, String(seconds));
    // A policy of its own, so the acknowledgement below covers this statement and nothing else.
    const policy = new iam.Policy(fn, WEB_IDENTITY_POLICY_ID, {
      statements: [
        new iam.PolicyStatement({
          actions: ['sts:GetWebIdentityToken'],
          // GetWebIdentityToken has no resource type; the conditions are what limit it.
          resources: ['*'],
          conditions: {
            'ForAllValues:StringEquals': { 'sts:IdentityTokenAudience': audiences },
            Null: { 'sts:IdentityTokenAudience': 'false' },
            StringEquals: { 'sts:SigningAlgorithm': algorithm },
            NumericLessThanEquals: { 'sts:DurationSeconds': seconds },
          },
        }),
      ],
    });
    role.attachInlinePolicy(policy);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'sts:GetWebIdentityToken has no resource type, so IAM requires Resource "*"; this policy holds only that action, limited by sts:IdentityTokenAudience (only the listed audiences), sts:SigningAlgorithm and sts:DurationSeconds conditions.',
    });
    return policy;
  }
}

/**
 * Enables the account's IAM outbound identity federation and reads its issuer URL, once per stack.
 * CloudFormation has no resource for it, so two SDK calls at deploy time: `EnableOutboundWebIdentityFederation`
 * (its 409 `FeatureEnabled` is ignored — the feature is account-wide and may already be on) and
 * `GetOutboundWebIdentityFederationInfo`. Deleting the stack leaves the feature on: other stacks or
 * external trust relationships may rely on it.
 */
class OutboundFederationEnablement extends Construct {
  static of(scope: Construct): OutboundFederationEnablement {
    const stack = Stack.of(scope);
    return (
      (stack.node.tryFindChild(ENABLEMENT_ID) as OutboundFederationEnablement | undefined) ??
      new OutboundFederationEnablement(stack, ENABLEMENT_ID)
    );
  }

  readonly issuerUrl: string;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const policy = cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({
        // Account-level operations: IAM defines no resource type for them.
        actions: ['iam:EnableOutboundWebIdentityFederation', 'iam:GetOutboundWebIdentityFederationInfo'],
        resources: ['*'],
      }),
    ]);
    const enable = new cr.AwsCustomResource(this, 'Enable', {
      onCreate: {
        service: 'IAM',
        action: 'EnableOutboundWebIdentityFederation',
        physicalResourceId: cr.PhysicalResourceId.of('outbound-web-identity-federation'),
        ignoreErrorCodesMatching: 'FeatureEnabled',
      },
      policy,
      // The Lambda runtime's SDK may predate these IAM actions (2025-11); install the current one.
      installLatestAwsSdk: true,
    });
    const info = new cr.AwsCustomResource(this, 'Info', {
      onCreate: readInfo(),
      onUpdate: readInfo(),
      policy,
      installLatestAwsSdk: true,
    });
    info.node.addDependency(enable);
    this.issuerUrl = info.getResponseField('IssuerIdentifier');
    acknowledgeProviderFindings(this);
  }
}

function readInfo(): cr.AwsSdkCall {
  return {
    service: 'IAM',
    action: 'GetOutboundWebIdentityFederationInfo',
    physicalResourceId: cr.PhysicalResourceId.fromResponse('IssuerIdentifier'),
  };
}

// Findings acknowledged for cdk-nag and other validation plugins, with why they are intrinsic.
function acknowledgeProviderFindings(enablement: Construct): void {
  Validations.of(enablement).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'iam:EnableOutboundWebIdentityFederation and iam:GetOutboundWebIdentityFederationInfo act on the account and have no resource type, so IAM requires Resource "*"; the policy allows only these two actions.',
  });
  // The function behind every AwsCustomResource is a CDK singleton at the stack root.
  const provider = Stack.of(enablement).node.tryFindChild(
    `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
  );
  if (provider) {
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's shared AwsCustomResource function, which makes the deploy-time SDK calls, gets AWSLambdaBasicExecutionRole from CDK: logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents for its own logs. Its SDK permissions are the separate, two-action policy above.",
    });
  }
}
