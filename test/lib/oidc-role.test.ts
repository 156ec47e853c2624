import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ConfigurationError } from '../../lib/errors';
import { OidcIssuer } from '../../lib/oidc-issuer';
import { OidcRole } from '../../lib/oidc-role';
import { plainFunction, testStack } from './helpers';

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

  test('lets a function role assume it through the trust policy and its own policy when granted', () => {
    const stack = testStack();
    const fn = plainFunction(stack, 'Fn');
    const role = new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.vercel({ team: 'acme' }),
      subjects: ['owner:acme:*'],
    });
    role.grantAssumeRole(fn);
    const template = Template.fromStack(stack);
    const statements = trustOf(template).Statement;
    expect(statements[1]).toEqual({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^FnServiceRole/), 'Arn'] } },
    });
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
