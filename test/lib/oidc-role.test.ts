import { App, Duration, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { ConfigurationError } from '../../lib/errors';
import { OidcIssuer } from '../../lib/oidc-issuer';
import { OidcRole } from '../../lib/oidc-role';
import { plainFunction, testStack } from './helpers';

// The value of an environment-agnostic stack's tag: the Region it is deployed to.
const REGION = { Ref: 'AWS::Region' };

function trustOf(template: Template): { Statement: Record<string, unknown>[] } {
  const roles = template.findResources('AWS::IAM::Role', {
    Properties: {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'sts:AssumeRoleWithWebIdentity' })]),
      },
    },
  });
  const [role] = Object.values(roles) as {
    Properties: { AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] } };
  }[];
  return role.Properties.AssumeRolePolicyDocument;
}

function tagsOf(template: Template, logicalIdPrefix: string): { Key: string; Value: string }[] {
  const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) =>
    id.startsWith(logicalIdPrefix),
  );
  expect(roles).toHaveLength(1);
  return roles[0][1].Properties.Tags ?? [];
}

describe('OidcRole', () => {
  test('creates a native OIDC provider and a role pinning aud and sub with StringEquals when given a Vercel team', () => {
    const stack = testStack('eu-west-1');
    new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.vercel({ team: 'acme' }),
      subjects: ['owner:acme:project:shop:environment:production'],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://oidc.vercel.com/acme',
      ClientIdList: ['https://vercel.com/acme'],
    });
    expect(trustOf(template).Statement).toEqual([
      {
        Action: 'sts:AssumeRoleWithWebIdentity',
        Effect: 'Allow',
        Principal: { Federated: { Ref: expect.stringMatching(/^ReaderProvider/) } },
        Condition: {
          StringEquals: {
            'oidc.vercel.com/acme:aud': 'https://vercel.com/acme',
            'oidc.vercel.com/acme:sub': 'owner:acme:project:shop:environment:production',
          },
        },
      },
    ]);
  });

  test('matches subjects with StringLike when any subject has a wildcard', () => {
    const stack = testStack();
    new OidcRole(stack, 'Deployer', {
      issuer: OidcIssuer.githubActions(),
      subjects: ['repo:acme/shop:ref:refs/heads/main', 'repo:acme/shop:environment:*'],
    });
    const [statement] = trustOf(Template.fromStack(stack)).Statement;
    expect(statement.Condition).toEqual({
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      StringLike: {
        'token.actions.githubusercontent.com:sub': [
          'repo:acme/shop:ref:refs/heads/main',
          'repo:acme/shop:environment:*',
        ],
      },
    });
  });

  test('uses the given audiences for the provider client ids and the aud condition', () => {
    const stack = testStack();
    new OidcRole(stack, 'Role', {
      issuer: OidcIssuer.url('https://issuer.example.com/tenant/'),
      audiences: ['api://one', 'api://two'],
      subjects: ['svc-1'],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://issuer.example.com/tenant',
      ClientIdList: ['api://one', 'api://two'],
    });
    const [statement] = trustOf(template).Statement;
    expect(statement.Condition).toEqual({
      StringEquals: {
        'issuer.example.com/tenant:aud': ['api://one', 'api://two'],
        'issuer.example.com/tenant:sub': 'svc-1',
      },
    });
  });

  test('shares one provider between the roles of a stack trusting one issuer, with all their audiences', () => {
    const stack = testStack();
    const reader = new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.url('https://issuer.example.com'),
      audiences: ['api://one'],
      subjects: ['svc-1'],
    });
    const writer = new OidcRole(stack, 'Writer', {
      issuer: OidcIssuer.url('https://issuer.example.com/'),
      audiences: ['api://two', 'api://one'],
      subjects: ['svc-2'],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://issuer.example.com',
      ClientIdList: ['api://one', 'api://two'],
    });
    expect(writer.provider).toBe(reader.provider);
    // Under the first role, with the id a single role's provider has always had.
    expect(reader.provider.node.path).toBe(`${stack.node.path}/Reader/Provider`);
    const trustedBy = (logicalIdPrefix: string) =>
      Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) =>
        id.startsWith(logicalIdPrefix),
      )![1].Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trustedBy('Reader').Principal).toEqual(trustedBy('Writer').Principal);
    // Each role still accepts only its own audiences.
    expect(trustedBy('Reader').Condition.StringEquals['issuer.example.com:aud']).toBe('api://one');
  });

  test("keeps the provider's logical id a single OidcRole's provider had before roles shared one", () => {
    // An upgrade must not move the provider: CloudFormation would create the new one before
    // deleting the old, and IAM refuses a second provider for the URL (EntityAlreadyExists).
    // 'ReaderProvider4F265522' is what this role synthesized to at commit 5af4ac1 (its provider was
    // `new iam.OidcProviderNative(this, 'Provider', ...)` inside the role): lib/ extracted with
    // `git archive 5af4ac1 lib`, this same OidcRole in a Stack, Template.fromStack(...)
    // .findResources('AWS::IAM::OIDCProvider').
    const stack = testStack('eu-west-1');
    new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.vercel({ team: 'acme' }),
      subjects: ['owner:acme:project:shop:environment:production'],
    });
    new OidcRole(stack, 'Writer', {
      issuer: OidcIssuer.vercel({ team: 'acme' }),
      subjects: ['owner:acme:project:shop:environment:preview'],
    });
    const providers = Template.fromStack(stack).findResources('AWS::IAM::OIDCProvider');
    expect(Object.keys(providers)).toEqual(['ReaderProvider4F265522']);
  });

  test('creates one provider per issuer in a stack', () => {
    const stack = testStack();
    new OidcRole(stack, 'Ci', { issuer: OidcIssuer.githubActions(), subjects: ['repo:acme/shop:*'] });
    new OidcRole(stack, 'Web', {
      issuer: OidcIssuer.vercel({ team: 'acme' }),
      subjects: ['owner:acme:project:shop:environment:production'],
    });
    const providers = Template.fromStack(stack).findResources('AWS::IAM::OIDCProvider');
    expect(
      Object.values(providers)
        .map((p) => p.Properties.Url)
        .sort(),
    ).toEqual(['https://oidc.vercel.com/acme', 'https://token.actions.githubusercontent.com']);
  });

  test('throws when the roles sharing a provider list more than 100 audiences', () => {
    const stack = testStack();
    const issuer = OidcIssuer.githubActions();
    const audiences = (from: number) => Array.from({ length: 60 }, (_, i) => `aud-${from + i}`);
    new OidcRole(stack, 'First', { issuer, audiences: audiences(0), subjects: ['repo:acme/shop:*'] });
    expect(
      () =>
        new OidcRole(stack, 'Second', { issuer, audiences: audiences(60), subjects: ['repo:acme/shop:*'] }),
    ).toThrow(
      'Stack/Second: the OidcRoles of this stack trusting https://token.actions.githubusercontent.com list 120 different audiences, more than the 100 client IDs IAM allows one OIDC provider',
    );
  });

  test('reuses a given provider instead of creating one', () => {
    const stack = testStack();
    const provider = iam.OidcProviderNative.fromOidcProviderArn(
      stack,
      'Existing',
      'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    );
    const role = new OidcRole(stack, 'Role', {
      issuer: OidcIssuer.githubActions(),
      subjects: ['repo:acme/shop:*'],
      provider,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(role.provider).toBe(provider);
    expect(trustOf(template).Statement[0].Principal).toEqual({
      Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    });
  });

  test('sets the session duration, name and description when given', () => {
    const stack = testStack();
    new OidcRole(stack, 'Role', {
      issuer: OidcIssuer.githubActions(),
      subjects: ['repo:acme/shop:*'],
      maxSessionDuration: Duration.hours(4),
      roleName: 'shop-deployer',
      description: 'Deploys the shop',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 14_400,
      RoleName: 'shop-deployer',
      Description: 'Deploys the shop',
    });
  });

  test('trusts tagged principals of its account and tags the function role when granted', () => {
    const stack = testStack();
    const fn = plainFunction(stack, 'Fn');
    const role = new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.vercel({ team: 'acme' }),
      subjects: ['owner:acme:*'],
    });
    const grant = role.grantAssumeRole(fn);
    expect(grant.success).toBe(true);
    expect(role.assumeTagKey).toMatch(/^vercel-functions-aws:oidc-role:[0-9a-f]{40}$/);
    const template = Template.fromStack(stack);
    const statements = trustOf(template).Statement;
    expect(statements).toHaveLength(2);
    expect(statements[1]).toEqual({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: {
        AWS: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
        },
      },
      Condition: { StringEquals: { [`aws:PrincipalTag/${role.assumeTagKey}`]: REGION } },
    });
    expect(tagsOf(template, 'FnServiceRole')).toContainEqual({ Key: role.assumeTagKey, Value: REGION });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^FnServiceRole') }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Reader'), 'Arn'] },
          },
        ],
      },
    });
  });

  test('never trusts its account without the tag condition when granted', () => {
    const stack = testStack();
    const role = new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.githubActions(),
      subjects: ['repo:acme/shop:*'],
    });
    role.grantAssumeRole(plainFunction(stack, 'A'));
    role.grantAssumeRole(plainFunction(stack, 'B'));
    // An admin role or the CDK deploy role, allowed sts:AssumeRole on *, has no tag: every
    // statement that lets an AWS principal in either names it or requires the tag.
    const awsStatements = trustOf(Template.fromStack(stack)).Statement.filter(
      (s) => (s.Principal as { AWS?: unknown }).AWS !== undefined,
    );
    expect(awsStatements).toHaveLength(1);
    expect(awsStatements[0].Condition).toEqual({
      StringEquals: { [`aws:PrincipalTag/${role.assumeTagKey}`]: REGION },
    });
  });

  test('keeps the trust policy the same size when granted to 30 functions as to 1', () => {
    function trustPolicyJson(functions: number): string {
      const stack = testStack();
      const role = new OidcRole(stack, 'Reader', {
        issuer: OidcIssuer.vercel({ team: 'acme' }),
        subjects: ['owner:acme:project:shop:environment:production'],
      });
      for (let i = 0; i < functions; i++) role.grantAssumeRole(plainFunction(stack, `ApiRoute${i}Function`));
      const template = Template.fromStack(stack);
      const assumePolicies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy).includes('sts:AssumeRole'),
      );
      expect(assumePolicies).toHaveLength(functions);
      for (let i = 0; i < functions; i++) {
        expect(tagsOf(template, `ApiRoute${i}FunctionServiceRole`)).toContainEqual({
          Key: role.assumeTagKey,
          Value: REGION,
        });
      }
      const trust = trustOf(template);
      expect(JSON.stringify(trust)).toContain(`aws:PrincipalTag/${role.assumeTagKey}`);
      return JSON.stringify(trust);
    }
    const one = trustPolicyJson(1);
    expect(trustPolicyJson(30)).toBe(one);
    // IAM's default "Role trust policy length" quota.
    expect(one.length).toBeLessThan(2048);
  });

  test('gives a function granted two roles one tag for each, both trusted', () => {
    const stack = testStack();
    const fn = plainFunction(stack, 'Fn');
    const roles = ['Reader', 'Writer'].map(
      (id) =>
        new OidcRole(stack, id, { issuer: OidcIssuer.githubActions(), subjects: [`repo:acme/${id}:*`] }),
    );
    for (const role of roles) role.grantAssumeRole(fn);
    const template = Template.fromStack(stack);
    expect(roles[0].assumeTagKey).not.toBe(roles[1].assumeTagKey);
    const tags = tagsOf(template, 'FnServiceRole');
    for (const role of roles) {
      expect(tags).toContainEqual({ Key: role.assumeTagKey, Value: REGION });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Condition: { StringEquals: { [`aws:PrincipalTag/${role.assumeTagKey}`]: REGION } },
            }),
          ]),
        },
      });
    }
  });

  describe('assumeTagKey', () => {
    // The same construct ids under different stack names, accounts or Regions: a stage deployed from
    // one app (`new Stack(app, 'Shop', { stackName: `shop-${stage}` })`), or a README copied twice.
    function grantedKey(stackProps: StackProps = {}, roleId = 'Reader'): { key: string; template: Template } {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Shop', stackProps);
      const role = new OidcRole(stack, roleId, {
        issuer: OidcIssuer.vercel({ team: 'acme' }),
        subjects: ['owner:acme:project:shop:environment:production'],
      });
      role.grantAssumeRole(plainFunction(stack, 'Fn'));
      return { key: role.assumeTagKey, template: Template.fromStack(stack) };
    }

    test('differs between two stacks with the same construct ids when their stack names differ', () => {
      const preview = grantedKey({ stackName: 'shop-preview' });
      const production = grantedKey({ stackName: 'shop-production' });
      expect(preview.key).not.toBe(production.key);
      // Each deployment's trust statement requires only its own key, and tags only its own function.
      expect(JSON.stringify(trustOf(production.template))).not.toContain(preview.key);
      expect(tagsOf(preview.template, 'FnServiceRole')).toEqual([{ Key: preview.key, Value: REGION }]);
    });

    test('differs between two stacks with the same name when their concrete accounts or Regions differ', () => {
      const keys = [
        grantedKey({ env: { account: '111111111111', region: 'us-east-1' } }).key,
        grantedKey({ env: { account: '222222222222', region: 'us-east-1' } }).key,
        grantedKey({ env: { account: '111111111111', region: 'eu-west-1' } }).key,
      ];
      expect(new Set(keys).size).toBe(3);
    });

    test('is stable across synths of the same stack', () => {
      const props = { stackName: 'shop-production', env: { account: '123456789012', region: 'us-east-1' } };
      const first = grantedKey(props);
      const second = grantedKey(props);
      expect(second.key).toBe(first.key);
      expect(second.template.toJSON()).toEqual(first.template.toJSON());
      expect(grantedKey().key).toBe(grantedKey().key);
    });

    test('fits IAM tag keys when the construct path and stack name are long', () => {
      const long = grantedKey({ stackName: `s${'x'.repeat(127)}` }, 'R'.repeat(200));
      // https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html
      expect(long.key.length).toBeLessThanOrEqual(128);
      expect(long.key).toMatch(/^vercel-functions-aws:oidc-role:[0-9a-f]+$/);
      expect(long.key).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u);
      expect(long.key.startsWith('aws:')).toBe(false);
    });
  });

  describe('assumeTagValue', () => {
    function granted(stack: Stack, fnScope: Construct = stack): { role: OidcRole; fn: lambda.Function } {
      const role = new OidcRole(stack, 'Reader', {
        issuer: OidcIssuer.vercel({ team: 'acme' }),
        subjects: ['owner:acme:project:shop:environment:production'],
      });
      const fn = plainFunction(fnScope, 'Fn');
      role.grantAssumeRole(fn);
      return { role, fn };
    }
    const condition = (template: Template) =>
      trustOf(template).Statement.find((s) => s.Action === 'sts:AssumeRole')?.Condition;

    test('is the Region for an environment-agnostic stack, whose key cannot hold it', () => {
      // The same stack name deployed to two Regions of one account: one key, so only the value,
      // resolved by CloudFormation in each Region, keeps one Region's functions out of the other's role.
      const deployments = [0, 1].map(() => {
        const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Shop');
        const { role } = granted(stack);
        return { stack, role, template: Template.fromStack(stack) };
      });
      expect(deployments[1].role.assumeTagKey).toBe(deployments[0].role.assumeTagKey);
      const { stack, role, template } = deployments[0];
      expect(stack.resolve(role.assumeTagValue)).toEqual(REGION);
      expect(condition(template)).toEqual({
        StringEquals: { [`aws:PrincipalTag/${role.assumeTagKey}`]: { Ref: 'AWS::Region' } },
      });
      expect(tagsOf(template, 'FnServiceRole')).toEqual([
        { Key: role.assumeTagKey, Value: { Ref: 'AWS::Region' } },
      ]);
    });

    test('stays true when the Region is concrete, with or without an account', () => {
      for (const env of [{ region: 'eu-west-1' }, { account: '123456789012', region: 'eu-west-1' }]) {
        const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Shop', { env });
        const { role } = granted(stack);
        const template = Template.fromStack(stack);
        expect(role.assumeTagValue).toBe('true');
        expect(condition(template)).toEqual({
          StringEquals: { [`aws:PrincipalTag/${role.assumeTagKey}`]: 'true' },
        });
        expect(tagsOf(template, 'FnServiceRole')).toEqual([{ Key: role.assumeTagKey, Value: 'true' }]);
      }
    });

    test('tags a function of another environment-agnostic stack with its own Region, adding no reference', () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const shared = new Stack(app, 'Shared');
      const web = new Stack(app, 'Web');
      const { role } = granted(shared, web);
      const assembly = app.synth();
      const stackDependencies = (name: string) =>
        assembly
          .getStackByName(name)
          .dependencies.map((d) => d.id)
          .filter((id) => !id.endsWith('.assets'));
      // Web references the role's ARN in its policy, and nothing else of Shared.
      expect(stackDependencies('Web')).toEqual(['Shared']);
      expect(stackDependencies('Shared')).toEqual([]);
      expect(condition(Template.fromStack(shared))).toEqual({
        StringEquals: { [`aws:PrincipalTag/${role.assumeTagKey}`]: REGION },
      });
      expect(tagsOf(Template.fromStack(web), 'FnServiceRole')).toEqual([
        { Key: role.assumeTagKey, Value: REGION },
      ]);
      expect(Object.keys(Template.fromStack(shared).toJSON().Outputs ?? {})).toEqual([
        expect.stringMatching(/^ExportsOutputFnGetAttReader/),
      ]);
    });

    test('resolves in a nested stack and its parent without a parameter between them', () => {
      const parent = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Shop');
      const nested = new NestedStack(parent, 'Auth');
      const { role } = granted(nested, parent);
      expect(condition(Template.fromStack(nested))).toEqual({
        StringEquals: { [`aws:PrincipalTag/${role.assumeTagKey}`]: REGION },
      });
      const parentTemplate = Template.fromStack(parent);
      expect(tagsOf(parentTemplate, 'FnServiceRole')).toEqual([{ Key: role.assumeTagKey, Value: REGION }]);
      const [nestedResource] = Object.values(parentTemplate.findResources('AWS::CloudFormation::Stack'));
      expect(JSON.stringify(nestedResource.Properties.Parameters ?? {})).not.toContain('AWS::Region');
    });
  });

  test('trusts the developer role examples/oidc/README.md grants for local runs, besides the tagged functions', () => {
    // As the README's oidc-app.ts: a Region but no account, the functions granted through awsRole.
    const stack = new Stack(
      new App({ context: { 'aws:cdk:bundling-stacks': [] } }),
      'VercelFunctionsOidcExample',
      {
        env: { region: 'us-east-1' },
      },
    );
    const reader = new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.vercel({ team: 'acme' }),
      subjects: ['owner:acme:project:oidc-example:environment:production'],
    });
    reader.grantAssumeRole(plainFunction(stack, 'Fn'));
    const developer = 'arn:aws:iam::123456789012:role/developer';
    reader.grantAssumeRole(iam.Role.fromRoleArn(stack, 'Developer', developer, { mutable: false }));
    const template = Template.fromStack(stack);
    const statements = trustOf(template).Statement;
    expect(statements.map((s) => s.Principal)).toEqual([
      { Federated: expect.anything() },
      { AWS: expect.anything() },
      { AWS: developer },
    ]);
    expect(statements[2]).toEqual({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: developer },
    });
    // The developer role itself is left alone: no policy is attached to it.
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('developer');
    // The tag key the README's alternative outputs is a literal, usable with `aws iam tag-role`.
    expect(stack.resolve(reader.assumeTagKey)).toBe(reader.assumeTagKey);
  });

  test('accepts a repository pattern on a Bitbucket workspace issuer, whose sub ends in the run step', () => {
    const stack = testStack();
    const issuer = OidcIssuer.url(
      'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc',
    );
    expect(
      () =>
        new OidcRole(stack, 'Repo', {
          issuer,
          audiences: ['ari:cloud:bitbucket::workspace/123'],
          subjects: ['{6a1c2b3d-0000-4000-8000-000000000000}:*'],
        }),
    ).not.toThrow();
    expect(
      () =>
        new OidcRole(stack, 'Open', {
          issuer,
          audiences: ['ari:cloud:bitbucket::workspace/123'],
          subjects: ['{*}:*'],
        }),
    ).toThrow(/must start with '\{<repository uuid>\}:'/);
  });
  test.each([
    ['any principal', () => new iam.AnyPrincipal()],
    ['the star principal', () => new iam.StarPrincipal()],
    ['the account root', () => new iam.AccountRootPrincipal()],
    ['a role of another account', () => new iam.ArnPrincipal('arn:aws:iam::222222222222:role/x')],
    ['a service', () => new iam.ServicePrincipal('lambda.amazonaws.com')],
  ])('refuses to name %s in the trust policy', (_name, principal) => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'us-east-1' } });
    const role = new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.githubActions(),
      subjects: ['repo:acme/app:ref:refs/heads/main'],
    });
    expect(() => role.grantAssumeRole(principal())).toThrow(
      /grantAssumeRole: the grantee must be an IAM role or user of this account \(123456789012\)/,
    );
  });

  test('names an immutable imported role in the trust policy, since it can take neither tag nor policy', () => {
    const stack = testStack();
    const role = new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.githubActions(),
      subjects: ['repo:acme/app:ref:refs/heads/main'],
    });
    const imported = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::123456789012:role/fn-role', {
      mutable: false,
    });
    role.grantAssumeRole(imported);
    const template = Template.fromStack(stack);
    expect(trustOf(template).Statement.slice(1)).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:role/fn-role' },
      },
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('names a mutable imported role in the trust policy and grants it the action in its policy', () => {
    const stack = testStack();
    const role = new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.githubActions(),
      subjects: ['repo:acme/app:*'],
    });
    const fn = lambda.Function.fromFunctionAttributes(stack, 'Fn', {
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:legacy',
      role: iam.Role.fromRoleArn(stack, 'FnRole', 'arn:aws:iam::123456789012:role/legacy-role'),
    });
    role.grantAssumeRole(fn);
    const template = Template.fromStack(stack);
    const statements = trustOf(template).Statement;
    expect(statements.slice(1)).toEqual([
      expect.objectContaining({ Principal: { AWS: 'arn:aws:iam::123456789012:role/legacy-role' } }),
    ]);
    expect(JSON.stringify(statements)).not.toContain('aws:PrincipalTag');
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: ['legacy-role'],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'sts:AssumeRole' })] },
    });
  });

  test('synthesizes when granted to a function of another stack, tagging its role there', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const env = { account: '123456789012', region: 'eu-west-1' };
    const shared = new Stack(app, 'Shared', { env });
    const web = new Stack(app, 'Web', { env });
    const role = new OidcRole(shared, 'Reader', {
      issuer: OidcIssuer.vercel({ team: 'acme' }),
      subjects: ['owner:acme:project:shop:environment:production'],
    });
    const fn = plainFunction(web, 'Fn');
    role.grantAssumeRole(fn);
    fn.addEnvironment('AWS_ROLE_ARN', role.roleArn);
    const assembly = app.synth();
    const stackDependencies = (name: string) =>
      assembly
        .getStackByName(name)
        .dependencies.map((d) => d.id)
        .filter((id) => !id.endsWith('.assets'));
    expect(stackDependencies('Web')).toEqual(['Shared']);
    expect(stackDependencies('Shared')).toEqual([]);
    const trust = JSON.stringify(trustOf(Template.fromStack(shared)));
    expect(trust).not.toContain('Fn::ImportValue');
    expect(trust).toContain(`aws:PrincipalTag/${role.assumeTagKey}`);
    const webTemplate = Template.fromStack(web);
    expect(tagsOf(webTemplate, 'FnServiceRole')).toEqual([{ Key: role.assumeTagKey, Value: 'true' }]);
    webTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: 'sts:AssumeRole', Resource: { 'Fn::ImportValue': Match.anyValue() } }),
        ],
      },
    });
  });

  test('throws when granted to a function of another account', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const shared = new Stack(app, 'Shared', { env: { account: '111111111111', region: 'eu-west-1' } });
    const web = new Stack(app, 'Web', { env: { account: '222222222222', region: 'eu-west-1' } });
    const role = new OidcRole(shared, 'Reader', {
      issuer: OidcIssuer.vercel({ team: 'acme' }),
      subjects: ['owner:acme:project:shop:environment:production'],
    });
    expect(() => role.grantAssumeRole(plainFunction(web, 'Fn'))).toThrow(
      'Shared/Reader: grantAssumeRole: the grantee is in account 222222222222, the role in 111111111111',
    );
  });

  test('is a grantable principal so resources can grant it access', () => {
    const stack = testStack();
    const role = new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.githubActions(),
      subjects: ['repo:acme/shop:*'],
    });
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 's3:GetObject' })] },
    });
    expect(Stack.of(role).resolve(role.roleArn)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^Reader/), 'Arn'],
    });
  });

  test('throws when subjects is empty', () => {
    expect(
      () => new OidcRole(testStack(), 'Role', { issuer: OidcIssuer.githubActions(), subjects: [] }),
    ).toThrow(/subjects must list at least one token subject \(sub\) to trust, got \[\]/);
  });

  test.each(['*', '**', '?*', ''])('throws when a subject is only wildcards (%j)', (subject) => {
    expect(
      () =>
        new OidcRole(testStack(), 'Role', {
          issuer: OidcIssuer.githubActions(),
          subjects: ['repo:acme/shop:*', subject],
        }),
    ).toThrow(ConfigurationError);
  });

  const github = OidcIssuer.githubActions();
  const vercel = OidcIssuer.vercel({ team: 'acme' });
  const vercelGlobal = OidcIssuer.url('https://oidc.vercel.com', { audiences: ['https://vercel.com/acme'] });
  const githubByUrl = OidcIssuer.url('https://token.actions.githubusercontent.com');
  const other = OidcIssuer.url('https://issuer.example.com');
  const gitlab = OidcIssuer.url('https://gitlab.com');
  const terraform = OidcIssuer.url('https://app.terraform.io');
  const terraformEu = OidcIssuer.url('https://app.eu.terraform.io');
  const buildkite = OidcIssuer.url('https://agent.buildkite.com');

  test.each([
    ['githubActions()', 'repo:acme/*', github],
    ['githubActions()', 'repo:acme/shop:environment:prod?', github],
    ['githubActions()', 'repository_owner_id:1234:repo:shop', github],
    ['vercel()', 'owner:acme:*', vercel],
    ['vercel()', 'owner:acme:project:shop:environment:*', vercel],
    ['url(oidc.vercel.com)', 'owner:acme:project:*', vercelGlobal],
    ['url(token.actions.githubusercontent.com)', 'repo:acme/shop:*', githubByUrl],
    ['url()', 'system:serviceaccount:prod:*', other],
    ['url()', 'tenant/acme/*', other],
    ['url()', 'tenant/acme:prod-?', other],
    ['url()', 'svc-1', other],
    ['url(gitlab.com)', 'project_path:acme/*', gitlab],
    ['url(gitlab.com)', 'project_path:acme/platform/api:ref_type:branch:ref:*', gitlab],
    ['url(app.terraform.io)', 'organization:acme:*', terraform],
    ['url(app.eu.terraform.io)', 'organization:acme:project:Default Project:workspace:*', terraformEu],
    ['url(agent.buildkite.com)', 'organization:acme:pipeline:*', buildkite],
  ])('accepts %s subject %j when it pins the owner', (_issuer, subject, issuer) => {
    const stack = testStack();
    new OidcRole(stack, 'Role', { issuer, subjects: [subject] });
    const [statement] = trustOf(Template.fromStack(stack)).Statement;
    expect(JSON.stringify(statement.Condition)).toContain(JSON.stringify(subject));
  });

  test.each([
    [
      'githubActions()',
      'repo:*',
      github,
      "a pattern must start with 'repo:<owner>/' before its first wildcard",
    ],
    ['githubActions()', '*:*', github, "a pattern must start with 'repo:<owner>/' before its first wildcard"],
    [
      'githubActions()',
      'repo:acme*',
      github,
      "a pattern must start with 'repo:<owner>/' before its first wildcard",
    ],
    ['githubActions()', 'repo:?cme/shop', github, "a pattern must start with 'repo:<owner>/'"],
    ['vercel()', 'owner:*', vercel, "a pattern must start with 'owner:acme:' before its first wildcard"],
    ['vercel()', 'owner:acme*', vercel, "a pattern must start with 'owner:acme:'"],
    ['vercel()', 'owner:other:*', vercel, "a pattern must start with 'owner:acme:'"],
    ['url(oidc.vercel.com)', 'owner:*', vercelGlobal, "a pattern must start with 'owner:<team>:'"],
    ['url(token.actions.githubusercontent.com)', 'repo:*', githubByUrl, "'repo:<owner>/'"],
    [
      'url()',
      'svc-*',
      other,
      "a pattern must start with two whole fixed segments (text up to a ':' or '/', twice)",
    ],
    ['url()', '?:x', other, 'two whole fixed segments'],
    ['url()', 'tenant/acme-*', other, 'two whole fixed segments'],
    ['url()', 'system:*', other, 'two whole fixed segments'],
    ['url(gitlab.com)', 'project_path:*', gitlab, "a pattern must start with 'project_path:<group>/'"],
    ['url(gitlab.com)', 'project_path:acme*', gitlab, "'project_path:<group>/'"],
    ['url(gitlab.com)', 'ref_type:branch:*', gitlab, "'project_path:<group>/'"],
    ['url(app.terraform.io)', 'organization:*', terraform, "a pattern must start with 'organization:<org>:'"],
    ['url(app.terraform.io)', 'organization:ac?e:*', terraform, "'organization:<org>:'"],
    ['url(app.terraform.io)', 'project:shop:workspace:*', terraform, "'organization:<org>:'"],
    ['url(app.eu.terraform.io)', 'organization:*', terraformEu, "'organization:<org>:'"],
    ['url(agent.buildkite.com)', 'organization:*', buildkite, 'two whole fixed segments'],
  ])('throws for %s subject %j when it leaves the owner open', (_issuer, subject, issuer, required) => {
    const error = (() => {
      try {
        new OidcRole(testStack(), 'Role', { issuer, subjects: [subject] });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(`Stack/Role: subject ${JSON.stringify(subject)} leaves the`);
    expect((error as Error).message).toContain(required);
  });

  test('throws naming the issuer when it is the AWS outbound federation issuer', () => {
    expect(
      () =>
        new OidcRole(testStack('us-east-1'), 'Role', {
          issuer: OidcIssuer.awsOutboundFederation(),
          subjects: ['arn:aws:iam::123456789012:role/fn'],
        }),
    ).toThrow(
      /Stack\/Role: issuer OidcIssuer.awsOutboundFederation\(\) cannot be trusted by a role: AWS does not accept GetWebIdentityToken tokens/,
    );
  });

  test('throws when audiences is empty', () => {
    expect(
      () =>
        new OidcRole(testStack(), 'Role', {
          issuer: OidcIssuer.githubActions(),
          subjects: ['repo:a/b:*'],
          audiences: [],
        }),
    ).toThrow(/audiences must list 1 to 100 audiences/);
  });

  test('throws when maxSessionDuration is outside 1 to 12 hours', () => {
    expect(
      () =>
        new OidcRole(testStack(), 'Role', {
          issuer: OidcIssuer.githubActions(),
          subjects: ['repo:a/b:*'],
          maxSessionDuration: Duration.minutes(30),
        }),
    ).toThrow('Stack/Role: maxSessionDuration must be from 1 to 12 hours, got 1800 seconds');
  });
});

describe('OidcIssuer factories', () => {
  test.each([
    [
      'vercel',
      OidcIssuer.vercel({ team: 'acme' }),
      'https://oidc.vercel.com/acme',
      ['https://vercel.com/acme'],
    ],
    [
      'githubActions',
      OidcIssuer.githubActions(),
      'https://token.actions.githubusercontent.com',
      ['sts.amazonaws.com'],
    ],
    ['url', OidcIssuer.url('https://id.example.com'), 'https://id.example.com', ['sts.amazonaws.com']],
  ])('%s gives the issuer URL and default audience', (_name, issuer, url, audiences) => {
    expect(issuer.bind(testStack())).toEqual({
      issuerUrl: url,
      defaultAudiences: audiences,
      federatesIntoAws: true,
    });
  });

  test.each(['Acme', 'acme/x', '', 'ac me'])('vercel throws when the team slug is %j', (team) => {
    expect(() => OidcIssuer.vercel({ team })).toThrow(/OidcIssuer.vercel: team must be a Vercel team slug/);
  });

  test.each([
    'http://id.example.com',
    'https://id.example.com:8443',
    'https://id.example.com/?a=1',
    'not a url',
  ])('url throws when the issuer URL is %j', (url) => {
    expect(() => OidcIssuer.url(url)).toThrow(/OidcIssuer.url: issuerUrl must be/);
  });
});
