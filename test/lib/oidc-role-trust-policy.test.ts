import { App, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ConfigurationError } from '../../lib/errors';
import { OidcIssuer } from '../../lib/oidc-issuer';
import { OidcRole, type OidcRoleProps } from '../../lib/oidc-role';
import { measureTrustPolicy } from '../../lib/private/trust-policy-length';
import { plainFunction } from './helpers';

// IAM's "Role trust policy length" quota (2,048 non-whitespace characters by default) is checked at
// synth on the policy the template holds, grants included.

const ACCOUNT = '123456789012';
const CONCRETE = { env: { account: ACCOUNT, region: 'eu-west-1' } };

function stackOf(props: StackProps = CONCRETE): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Stack', props);
}

/** `count` Vercel subjects of one team, each about 53 characters in the policy. */
function subjects(count: number, pad = ''): string[] {
  return Array.from(
    { length: count },
    (_, i) => `owner:acme:project:shop-${String(i).padStart(2, '0')}${pad}:environment:production`,
  );
}

function reader(stack: Stack, props: Partial<OidcRoleProps> = {}): OidcRole {
  return new OidcRole(stack, 'Reader', {
    issuer: OidcIssuer.vercel({ team: 'acme' }),
    subjects: subjects(1),
    ...props,
  });
}

function errors(stack: Stack): string[] {
  return Annotations.fromStack(stack)
    .findError('*', Match.anyValue())
    .map((entry) => String(entry.entry.data));
}

/**
 * The role's trust policy as IAM receives it, worked out by hand from the template: the provider's
 * `Ref` is its ARN, `AWS::Partition` is `aws` in eu-west-1. Any other intrinsic fails the test.
 */
function deployedTrustPolicy(stack: Stack): string {
  const template = Template.fromStack(stack);
  const [providerId] = Object.keys(template.findResources('AWS::IAM::OIDCProvider'));
  const [role] = Object.values(
    template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'reader' } }),
  );
  const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.vercel.com/acme`;
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    const [key, args] = entries[0];
    if (entries.length === 1 && key === 'Ref' && args === providerId) return providerArn;
    if (entries.length === 1 && key === 'Ref' && args === 'AWS::Partition') return 'aws';
    if (entries.length === 1 && key === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if (entries.length === 1 && (key === 'Ref' || key.startsWith('Fn::'))) {
      throw new Error(`unexpected intrinsic ${JSON.stringify(value)}`);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  };
  // Pretty-printed, as a reminder that IAM does not count whitespace.
  return JSON.stringify(resolve(role.Properties.AssumeRolePolicyDocument), null, 2);
}

const nonWhitespace = (text: string) => text.replace(/\s/g, '').length;

// A role granted to a function (the tag statement) and an immutable role (a named statement), whose
// subjects are padded so the deployed policy takes exactly `length` characters.
function roleOfLength(length: number): { stack: Stack; deployed: string } {
  const build = (pad: string) => {
    const stack = stackOf();
    const role = reader(stack, {
      roleName: 'reader',
      subjects: [...subjects(25), `owner:acme:project:x${pad}`],
    });
    role.grantAssumeRole(plainFunction(stack, 'Fn'));
    role.grantAssumeRole(
      iam.Role.fromRoleArn(stack, 'Dev', `arn:aws:iam::${ACCOUNT}:role/dev`, { mutable: false }),
    );
    return { stack, deployed: deployedTrustPolicy(stack) };
  };
  const unpadded = nonWhitespace(build('').deployed);
  expect(unpadded).toBeLessThan(length);
  return build('y'.repeat(length - unpadded));
}

describe('OidcRole trust policy length', () => {
  test('counts exactly what IAM counts for a stack with a concrete account and Region', () => {
    const at = roleOfLength(2048);
    expect(nonWhitespace(at.deployed)).toBe(2048);
    const role = at.stack.node.findChild('Reader') as OidcRole;
    const measured = measureTrustPolicy(
      at.stack,
      at.stack.resolve((role.role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument),
    );
    expect(measured).toEqual({ text: JSON.stringify(JSON.parse(at.deployed)), length: 2048, estimates: [] });
    expect(errors(at.stack)).toEqual([]);

    const over = roleOfLength(2049);
    expect(errors(over.stack)).toEqual([
      expect.stringContaining('takes 2049 characters (whitespace not counted'),
    ]);
  });

  test('fails synth naming the role, the length, the quota and the fixes when the subjects outgrow 2,048', () => {
    const stack = stackOf();
    reader(stack, { roleName: 'shop-reader', subjects: subjects(40) });
    expect(errors(stack)).toEqual([
      expect.stringMatching(
        /^the trust policy of role Stack\/Reader\/Resource \(shop-reader\) takes 2380 characters \(whitespace not counted, as IAM counts it\), more than the 2048 of IAM's "Role trust policy length" quota \(its default\), so the deployment would fail with "Cannot exceed quota for ACLSizePerRole"\. Its 40 subjects take 2079 of them\. Trust fewer subjects \(one pattern such as "owner:acme:project:shop:environment:\*" can stand for several\), split them across several OidcRoles, or raise the quota in Service Quotas \(IAM, "Role trust policy length", up to 8192\) and pass the new value as trustPolicyLengthQuota/,
      ),
    ]);
    expect(Annotations.fromStack(stack).findError('/Stack/Reader', Match.anyValue())).toHaveLength(1);
  });

  test('synthesizes the same role when trustPolicyLengthQuota is 4096', () => {
    const stack = stackOf();
    reader(stack, { roleName: 'shop-reader', subjects: subjects(40), trustPolicyLengthQuota: 4096 });
    expect(errors(stack)).toEqual([]);
  });

  test('names a raised quota it exceeds without calling it the default', () => {
    const stack = stackOf();
    reader(stack, { subjects: subjects(80), trustPolicyLengthQuota: 4096 });
    expect(errors(stack)).toEqual([
      expect.stringMatching(
        /takes 4460 characters .* more than the 4096 of IAM's "Role trust policy length" quota, so/,
      ),
    ]);
  });

  test('passes a typical role granted to functions and a developer role', () => {
    const stack = stackOf();
    const role = reader(stack, { subjects: ['owner:acme:project:shop:environment:*'] });
    role.grantAssumeRole(plainFunction(stack, 'Fn'));
    role.grantAssumeRole(
      iam.Role.fromRoleArn(stack, 'Dev', `arn:aws:iam::${ACCOUNT}:role/dev`, { mutable: false }),
    );
    expect(errors(stack)).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('counts the statements grants add after the constructor', () => {
    // 33 subjects fit (2,016 characters); the trust statement of the first grant does not.
    const stack = stackOf();
    const role = reader(stack, { subjects: subjects(33) });
    expect(errors(stack)).toEqual([]);
    role.grantAssumeRole(plainFunction(stack, 'Fn'));
    expect(errors(stack)).toEqual([expect.stringContaining('more than the 2048')]);
  });

  test('estimates deploy-time values at their longest in an environment-agnostic stack, and says so', () => {
    const stack = stackOf({});
    const role = reader(stack, { subjects: subjects(33) });
    role.grantAssumeRole(plainFunction(stack, 'Fn'));
    const [error] = errors(stack);
    expect(error).toMatch(
      /an estimate counting the partition as aws-us-gov, the longest \(the stack is environment-agnostic\), the Region as 15 characters, the longest Region code \(the stack is environment-agnostic\)\)/,
    );
    // In eu-west-1: `aws` in two ARNs, 7 characters shorter each, and the tag's value is `true`, not
    // the Region (15 characters at most).
    const concrete = stackOf();
    reader(concrete, { subjects: subjects(33) }).grantAssumeRole(plainFunction(concrete, 'Fn'));
    const count = (text: string) => Number(/takes (\d+) characters/.exec(text)?.[1]);
    expect(count(error) - count(errors(concrete)[0])).toBe(2 * 7 + (15 - 'true'.length));
  });

  test('counts a generated name of a granted role in the same stack at 64 characters', () => {
    const stack = stackOf();
    const role = reader(stack, { subjects: subjects(37) });
    const developer = new iam.Role(stack, 'Developer', { assumedBy: new iam.AccountRootPrincipal() });
    role.grantAssumeRole(iam.Role.fromRoleArn(stack, 'Dev', developer.roleArn, { mutable: false }));
    expect(errors(stack)).toEqual([
      expect.stringContaining(
        'an estimate counting role names CloudFormation generates as 64 characters, the most IAM allows',
      ),
    ]);
  });

  test('counts an imported provider whose ARN is a token by the issuer URL', () => {
    const stack = stackOf();
    const arn = new CfnParameter(stack, 'ProviderArn').valueAsString;
    const provider = iam.OidcProviderNative.fromOidcProviderArn(stack, 'Imported', arn);
    const role = reader(stack, { subjects: subjects(1), provider });
    const measured = measureTrustPolicy(
      stack,
      stack.resolve((role.role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument),
      { providerUrl: 'https://oidc.vercel.com/acme' },
    );
    expect(measured.text).toContain(
      `"Federated":"arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.vercel.com/acme"`,
    );
  });

  test.each([2047, 8193, 3000.5, Number.NaN])('throws when trustPolicyLengthQuota is %p', (quota) => {
    expect(() => reader(stackOf(), { trustPolicyLengthQuota: quota })).toThrow(ConfigurationError);
    expect(() => reader(stackOf(), { trustPolicyLengthQuota: quota })).toThrow(
      `Stack/Reader: trustPolicyLengthQuota must be a whole number from 2048 (IAM's default "Role trust policy length") to 8192 (the most Service Quotas raises it to), got ${quota}`,
    );
  });

  test('accepts the largest quota Service Quotas grants', () => {
    const stack = stackOf();
    reader(stack, { subjects: subjects(120), trustPolicyLengthQuota: 8192 });
    expect(errors(stack)).toEqual([]);
  });
});
