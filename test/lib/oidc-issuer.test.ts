import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { OidcIssuer, WebIdentityTokenSigningAlgorithm } from '../../lib/oidc-issuer';
import { OidcRole } from '../../lib/oidc-role';
import { plainFunction, testStack } from './helpers';

function sdkCalls(
  template: Template,
): { create?: Record<string, unknown>; update?: Record<string, unknown> }[] {
  return Object.values(template.findResources('Custom::AWS')).map((resource) => {
    const props = (resource as { Properties: { Create?: unknown; Update?: unknown } }).Properties;
    const parse = (value: unknown) =>
      typeof value === 'string'
        ? JSON.parse(value)
        : value === undefined
          ? undefined
          : JSON.parse(JSON.stringify(value));
    return { create: parse(props.Create), update: parse(props.Update) };
  });
}

describe('OidcIssuer.awsOutboundFederation', () => {
  test('enables outbound federation tolerating FeatureEnabled and reads the issuer URL at deploy', () => {
    const stack = testStack('eu-west-1');
    const url = OidcIssuer.awsOutboundFederation().issuerUrl(stack);
    const template = Template.fromStack(stack);
    const calls = sdkCalls(template);
    expect(calls).toHaveLength(2);
    const enable = calls.find((call) =>
      JSON.stringify(call.create).includes('"EnableOutboundWebIdentityFederation"'),
    );
    expect(enable?.create).toMatchObject({
      service: 'IAM',
      action: 'EnableOutboundWebIdentityFederation',
      ignoreErrorCodesMatching: 'FeatureEnabled',
    });
    const info = calls.find((call) =>
      JSON.stringify(call.create).includes('GetOutboundWebIdentityFederationInfo'),
    );
    expect(info?.create).toMatchObject({ service: 'IAM', action: 'GetOutboundWebIdentityFederationInfo' });
    expect(info?.update).toMatchObject({ action: 'GetOutboundWebIdentityFederationInfo' });
    expect(stack.resolve(url)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/Info/), 'IssuerIdentifier'],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['iam:EnableOutboundWebIdentityFederation', 'iam:GetOutboundWebIdentityFederationInfo'],
            Effect: 'Allow',
            Resource: '*',
          },
        ],
      },
    });
  });

  test('reads the issuer after enabling it and installs the current SDK, which knows these actions', () => {
    const stack = testStack('eu-west-1');
    OidcIssuer.awsOutboundFederation().issuerUrl(stack);
    const template = Template.fromStack(stack);
    const resources = template.findResources('Custom::AWS');
    const [enableId] =
      Object.entries(resources).find(([, r]) => JSON.stringify(r).includes('"EnableOutbound')) ?? [];
    const [, info] =
      Object.entries(resources).find(([, r]) =>
        JSON.stringify(r).includes('GetOutboundWebIdentityFederationInfo'),
      ) ?? [];
    expect((info as { DependsOn?: string[] }).DependsOn).toEqual(expect.arrayContaining([enableId]));
    for (const resource of Object.values(resources)) {
      expect(
        (resource as { Properties: { InstallLatestAwsSdk?: unknown } }).Properties.InstallLatestAwsSdk,
      ).toBe(true);
    }
  });

  test('enables the feature once per stack however many functions are granted', () => {
    const stack = testStack('eu-west-1');
    const issuer = OidcIssuer.awsOutboundFederation();
    issuer.grantWebIdentityTokens(plainFunction(stack, 'A'), { audiences: ['api://a'] });
    OidcIssuer.awsOutboundFederation().grantWebIdentityTokens(plainFunction(stack, 'B'), {
      audiences: ['api://b'],
    });
    expect(sdkCalls(Template.fromStack(stack))).toHaveLength(2);
  });

  test('grants GetWebIdentityToken limited by audience, algorithm and duration, and sets the runtime environment', () => {
    const stack = testStack('eu-west-1');
    const fn = plainFunction(stack, 'Fn');
    OidcIssuer.awsOutboundFederation().grantWebIdentityTokens(fn, {
      audiences: ['api://reports', 'api://billing'],
      signingAlgorithm: WebIdentityTokenSigningAlgorithm.ES384,
      tokenDuration: Duration.minutes(15),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('WebIdentityTokenPolicy'),
      Roles: [{ Ref: Match.stringLikeRegexp('^FnServiceRole') }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'sts:GetWebIdentityToken',
            Effect: 'Allow',
            Resource: '*',
            Condition: {
              'ForAllValues:StringEquals': {
                'sts:IdentityTokenAudience': ['api://reports', 'api://billing'],
              },
              Null: { 'sts:IdentityTokenAudience': 'false' },
              StringEquals: { 'sts:SigningAlgorithm': 'ES384' },
              NumericLessThanEquals: { 'sts:DurationSeconds': 900 },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: 'api://reports',
          VERCEL_FUNCTIONS_AWS_OIDC_SIGNING_ALGORITHM: 'ES384',
          VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION: '900',
        },
      },
    });
  });

  test('defaults to RS256 and STS default lifetime of 300 s', () => {
    const stack = testStack('eu-west-1');
    const fn = plainFunction(stack, 'Fn');
    OidcIssuer.awsOutboundFederation().grantWebIdentityTokens(fn, { audiences: ['api://reports'] });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          VERCEL_FUNCTIONS_AWS_OIDC_SIGNING_ALGORITHM: 'RS256',
          VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION: '300',
        },
      },
    });
  });

  test.each([
    ['no audience', [], /audiences must list 1 to 10 audiences/],
    [
      '11 audiences',
      Array.from({ length: 11 }, (_, i) => `api://${i}`),
      /audiences must list 1 to 10 audiences/,
    ],
    ['an empty audience', [''], /each audience must be 1 to 1000 characters/],
    ['a 1001-character audience', ['x'.repeat(1001)], /each audience must be 1 to 1000 characters/],
  ])('throws when given %s', (_case, audiences, message) => {
    const stack = testStack('eu-west-1');
    expect(() =>
      OidcIssuer.awsOutboundFederation().grantWebIdentityTokens(plainFunction(stack, 'Fn'), { audiences }),
    ).toThrow(message);
  });

  test('throws when granted twice for one function, so audiences are listed in one call', () => {
    const stack = testStack('eu-west-1');
    const fn = plainFunction(stack, 'Fn');
    OidcIssuer.awsOutboundFederation().grantWebIdentityTokens(fn, { audiences: ['api://a'] });
    expect(() =>
      OidcIssuer.awsOutboundFederation().grantWebIdentityTokens(fn, { audiences: ['api://b'] }),
    ).toThrow(
      'Stack/Fn: grantWebIdentityTokens was already called for this function: list every audience in one call',
    );
  });

  test.each([Duration.seconds(30), Duration.hours(2)])('throws when tokenDuration is %s', (tokenDuration) => {
    const stack = testStack('eu-west-1');
    expect(() =>
      OidcIssuer.awsOutboundFederation().grantWebIdentityTokens(plainFunction(stack, 'Fn'), {
        audiences: ['api://a'],
        tokenDuration,
      }),
    ).toThrow(
      /Stack\/Fn: grantWebIdentityTokens: tokenDuration must be a whole number of seconds from 60 to 3600/,
    );
  });
});

// A function whose role has no managed policies, so only the OIDC constructs' findings remain.
function bareFunction(stack: Stack): lambda.Function {
  const role = new iam.Role(stack, 'FnRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    role,
  });
}

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, id, reason })),
  );
}

describe('cdk-nag AwsSolutions on the OIDC constructs', () => {
  function nagApp(): App {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'Oidc', { env: { region: 'eu-west-1' } });
    const fn = bareFunction(stack);
    const reader = new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.vercel({ team: 'acme' }),
      subjects: ['owner:acme:project:shop:environment:*'],
    });
    reader.grantAssumeRole(fn);
    new OidcRole(stack, 'Deployer', {
      issuer: OidcIssuer.githubActions(),
      subjects: ['repo:acme/shop:ref:refs/heads/main'],
    });
    OidcIssuer.awsOutboundFederation().grantWebIdentityTokens(fn, { audiences: ['api://reports'] });
    return app;
  }

  test('reports no unacknowledged errors', () => {
    expect(() => nagApp().synth()).not.toThrow();
  });

  test('acknowledges only findings intrinsic to the design, each with a reason', () => {
    const app = nagApp();
    app.synth();
    const acknowledged = acknowledgements(app);
    expect(acknowledged.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'Oidc/AWS679f53fac002430cb0da5b7982bd2287 AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'Oidc/Fn/WebIdentityTokenPolicy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'Oidc/VercelFunctionsAwsOutboundFederation AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    ]);
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(100);
  });
});
