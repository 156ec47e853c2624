import { type Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { templateElementLookup } from './stacks';

// IAM's "Role trust policy length" quota (L-C07B4B0D): 2,048 characters by default, raised through
// Service Quotas up to 8,192 (the IAM User Guide's "IAM object quotas" table; it said 4,096 before).
// IAM counts the policy's non-whitespace characters: GetAccountSummary's AssumeRolePolicySizeQuota is
// "the maximum allowed size for assume role policy documents (trust policies), in non-whitespace
// characters" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html), and
// the quotas page says IAM "does not count white space when calculating the size of a policy"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). Past it, CreateRole and
// UpdateAssumeRolePolicy fail with `LimitExceeded: Cannot exceed quota for ACLSizePerRole: 2048`.

/** IAM's default "Role trust policy length" quota, in non-whitespace characters. */
export const TRUST_POLICY_LENGTH_DEFAULT = 2048;
/** The most Service Quotas raises "Role trust policy length" to. */
export const TRUST_POLICY_LENGTH_MAX = 8192;

/** A trust policy as IAM will receive it, and its length as IAM counts it. */
export interface TrustPolicyLength {
  /**
   * The policy as compact JSON, with every deploy-time value CloudFormation resolves written out:
   * exactly when the stack's environment and the referenced names are concrete, else as the longest
   * value it can take (see `estimates`).
   */
  readonly text: string;
  /** Non-whitespace characters of {@link text}: what IAM compares with the quota. */
  readonly length: number;
  /** What deploy-time values were counted as, when some were not known at synth; empty when exact. */
  readonly estimates: readonly string[];
}

/** What {@link measureTrustPolicy} knows about the policy besides the document itself. */
export interface TrustPolicyContext {
  /**
   * The provider URL without `https://` (`oidc.vercel.com/acme`) of the OIDC provider the policy
   * federates: an imported provider whose ARN is a token still has the ARN
   * `arn:<partition>:iam::<account>:oidc-provider/<url>`.
   */
  readonly providerUrl?: string;
}

/** Counts the non-whitespace characters IAM counts against "Role trust policy length". */
function trustPolicyLength(text: string): number {
  return text.replace(/\s/g, '').length;
}

/**
 * Renders `document` (an `AssumeRolePolicyDocument` as `Stack.resolve` gives it) the way IAM will get
 * it once CloudFormation resolves its intrinsics, and measures it. A `Ref` or `Fn::GetAtt` of the
 * stack's OIDC providers, IAM roles and users becomes their ARN, pseudo parameters their value, and
 * `Fn::Join` the joined text. What synth cannot know counts at its longest: the partition as the
 * longest partition name when the Region is a token, the Region as the longest Region code, a role or
 * user name CloudFormation generates as 64 characters, and any other deploy-time value as the longest
 * role ARN (in a trust policy, such values are principals).
 */
export function measureTrustPolicy(
  stack: Stack,
  document: unknown,
  context: TrustPolicyContext = {},
): TrustPolicyLength {
  const estimates = new Set<string>();
  const env = environmentOf(stack, estimates);
  const elementOf = templateElementLookup(stack);

  const longestRoleArn = () => {
    const arn = `arn:${env.longestPartition}:iam::${'0'.repeat(12)}:role/${'x'.repeat(MAX_IAM_NAME)}`;
    estimates.add(`other deploy-time values as ${arn.length} characters (a role ARN at its longest)`);
    return arn;
  };

  // The ARN of a resource of the stack, as `Ref` (an OIDC provider's) or `Fn::GetAtt … Arn` returns it.
  const arnOf = (logicalId: string): string | undefined => {
    const element = elementOf(logicalId);
    const prefix = () => `arn:${env.partition()}:iam::${env.account}`;
    if (element instanceof iam.CfnOIDCProvider) {
      const url = stack.resolve(element.url);
      return typeof url === 'string' ? `${prefix()}:oidc-provider/${stripScheme(url)}` : undefined;
    }
    if (element instanceof iam.CfnRole || element instanceof iam.CfnUser) {
      const kind = element instanceof iam.CfnRole ? 'role' : 'user';
      // Resolved first: the L2's name is a token that resolves to nothing when CloudFormation names it.
      const name = stack.resolve(element instanceof iam.CfnRole ? element.roleName : element.userName);
      const path = stack.resolve(element.path);
      const pathText = path === undefined ? '/' : textOf(path, false);
      if (name !== undefined) return `${prefix()}:${kind}${pathText}${textOf(name, false)}`;
      // CloudFormation names it `<stack>-<logical id>-<random>`, cut to IAM's 64 characters.
      estimates.add(
        `${kind} names CloudFormation generates as ${MAX_IAM_NAME} characters, the most IAM allows`,
      );
      return `${prefix()}:${kind}${pathText}${'x'.repeat(MAX_IAM_NAME)}`;
    }
    return undefined;
  };

  // The text an intrinsic (or a literal) resolves to.
  function textOf(value: unknown, federated: boolean): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    const [intrinsic, args] = isIntrinsic(value) ? Object.entries(value)[0] : ['', undefined];
    let text: string | undefined;
    if (intrinsic === 'Ref' && typeof args === 'string') {
      text = args.startsWith('AWS::') ? env.pseudo(args) : arnOf(args);
    } else if (intrinsic === 'Fn::GetAtt') {
      const [target, attribute] = Array.isArray(args) ? args : String(args).split(/\.(.*)/);
      if (attribute === 'Arn' && typeof target === 'string') text = arnOf(target);
    } else if (intrinsic === 'Fn::Join' && Array.isArray(args) && typeof args[0] === 'string') {
      const [separator, parts] = args;
      if (Array.isArray(parts)) return parts.map((part) => textOf(part, federated)).join(separator);
    }
    if (text !== undefined) return text;
    if (federated && context.providerUrl !== undefined) {
      // An imported provider's ARN: only its partition and account are not known here.
      return `arn:${env.partition()}:iam::${env.account}:oidc-provider/${stripScheme(context.providerUrl)}`;
    }
    return longestRoleArn();
  }

  const render = (value: unknown, key: string | undefined): unknown => {
    if (Array.isArray(value)) return value.map((item) => render(item, key));
    if (isIntrinsic(value) && Object.keys(value)[0].match(/^(Ref|Fn::[A-Za-z]+)$/)) {
      return textOf(value, key === 'Federated');
    }
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, k)]));
    }
    return value;
  };

  const text = JSON.stringify(render(document, undefined));
  return { text, length: trustPolicyLength(text), estimates: [...estimates] };
}

/** IAM's most characters for a role or user name. */
const MAX_IAM_NAME = 64;

interface Environment {
  readonly account: string;
  readonly longestPartition: string;
  partition(): string;
  /** A pseudo parameter's value, or undefined for one a trust policy has no use for. */
  pseudo(name: string): string | undefined;
}

// The stack's account, partition and Region as CloudFormation will resolve them: the concrete value
// when the stack has one, else the longest value it can take among the Regions aws-cdk-lib knows
// (the account is always 12 digits, so its value does not matter).
function environmentOf(stack: Stack, estimates: Set<string>): Environment {
  const regions = RegionInfo.regions;
  const longest = (values: readonly (string | undefined)[]) =>
    values.reduce<string>((a, b) => (b !== undefined && b.length > a.length ? b : a), '');
  const region = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region);
  const why =
    region === undefined ? 'the stack is environment-agnostic' : `aws-cdk-lib does not know ${region.name}`;
  const estimated = <T>(known: T | undefined, fallback: T, what: (value: T) => string): T => {
    if (known !== undefined) return known;
    estimates.add(`${what(fallback)} (${why})`);
    return fallback;
  };
  const longestPartition = longest(regions.map((r) => r.partition));
  const partition = () =>
    estimated(region?.partition, longestPartition, (p) => `the partition as ${p}, the longest`);
  const account = Token.isUnresolved(stack.account) ? '0'.repeat(12) : stack.account;
  return {
    account,
    longestPartition,
    partition,
    pseudo: (name) => {
      switch (name) {
        case 'AWS::AccountId':
          return account;
        case 'AWS::Partition':
          return partition();
        case 'AWS::Region': {
          const longestRegion = longest(regions.map((r) => r.name));
          return (
            region?.name ??
            estimated(
              undefined,
              longestRegion,
              (r) => `the Region as ${r.length} characters, the longest Region code`,
            )
          );
        }
        case 'AWS::URLSuffix':
          return estimated(
            region?.domainSuffix,
            longest(regions.map((r) => r.domainSuffix)),
            (s) => `the URL suffix as ${s}, the longest`,
          );
        default:
          return undefined;
      }
    },
  };
}

function stripScheme(url: string): string {
  return url.replace(/^https:\/\//, '');
}

function isIntrinsic(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1
  );
}
