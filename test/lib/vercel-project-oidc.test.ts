process.env.CDK_VALIDATION = 'false';

import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OidcIssuer, WebIdentityTokenSigningAlgorithm } from '../../lib/oidc-issuer';
import { OidcRole } from '../../lib/oidc-role';
import { VercelProject, type VercelProjectProps } from '../../lib/vercel-project';
import { plainFunction, testStack, writeProject } from './helpers';

// VercelProject's OIDC props on a throwaway project (two routes) plus a function brought by the user.

let dir: string;
beforeAll(() => {
  dir = writeProject(['api/hello.ts', 'api/users/[id].ts']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function synth(
  props: (stack: Stack) => Partial<VercelProjectProps> = () => ({}),
  stack = testStack('eu-west-1'),
) {
  const own = plainFunction(stack, 'Legacy');
  const project = new VercelProject(stack, 'Project', {
    projectDir: dir,
    functions: { '/api/legacy': own },
    ...props(stack),
  });
  return { stack, project, own, template: Template.fromStack(stack) };
}

function routeFunctions(template: Template) {
  return Object.entries(template.findResources('AWS::Lambda::Function')).filter(
    ([, fn]) => fn.Properties.Environment?.Variables?.VERCEL_FUNCTIONS_AWS_ROUTE,
  );
}

describe('VercelProject with oidcAudiences', () => {
  test('lets every function get tokens for the audiences from STS and sets the runtime environment', () => {
    const { template } = synth(() => ({ oidcAudiences: ['https://api.example.com', 'sts.example'] }));
    const functions = routeFunctions(template);
    expect(functions).toHaveLength(3);
    for (const [, fn] of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: 'https://api.example.com',
        VERCEL_FUNCTIONS_AWS_OIDC_SIGNING_ALGORITHM: 'RS256',
        VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION: '300',
      });
    }
    const tokenPolicies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('sts:GetWebIdentityToken'),
    );
    expect(tokenPolicies).toHaveLength(3);
    expect(tokenPolicies[0].Properties.PolicyDocument.Statement[0].Condition).toEqual({
      'ForAllValues:StringEquals': {
        'sts:IdentityTokenAudience': ['https://api.example.com', 'sts.example'],
      },
      Null: { 'sts:IdentityTokenAudience': 'false' },
      StringEquals: { 'sts:SigningAlgorithm': 'RS256' },
      NumericLessThanEquals: { 'sts:DurationSeconds': 300 },
    });
  });

  test('passes oidcSigningAlgorithm and oidcTokenDuration through', () => {
    const { template } = synth(() => ({
      oidcAudiences: ['aud'],
      oidcSigningAlgorithm: WebIdentityTokenSigningAlgorithm.ES384,
      oidcTokenDuration: Duration.minutes(15),
    }));
    for (const [, fn] of routeFunctions(template)) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        VERCEL_FUNCTIONS_AWS_OIDC_SIGNING_ALGORITHM: 'ES384',
        VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION: '900',
      });
    }
  });

  test('enables outbound federation once and outputs the issuer URL', () => {
    const { stack, project, template } = synth(() => ({ oidcAudiences: ['aud'] }));
    expect(Object.keys(template.findResources('Custom::AWS'))).toHaveLength(2);
    const outputs = template.findOutputs('*', { Description: Match.stringLikeRegexp('outbound identity') });
    const [output] = Object.values(outputs);
    expect(Object.keys(outputs)[0]).toMatch(/^ProjectOidcIssuerUrl/);
    expect(output.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Info/), 'IssuerIdentifier'] });
    expect(stack.resolve(project.oidcIssuerUrl)).toEqual(output.Value);
  });

  test('creates nothing for OIDC when neither oidcAudiences nor awsRole is set', () => {
    const { project, template } = synth();
    expect(project.oidcIssuerUrl).toBeUndefined();
    template.resourceCountIs('Custom::AWS', 0);
    expect(Object.keys(template.findOutputs('*'))).toEqual([]);
    for (const [, fn] of routeFunctions(template)) {
      expect(fn.Properties.Environment.Variables.AWS_ROLE_ARN).toBeUndefined();
      expect(fn.Properties.Environment.Variables.VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE).toBeUndefined();
    }
  });

  test.each([
    ['oidcSigningAlgorithm', { oidcSigningAlgorithm: WebIdentityTokenSigningAlgorithm.ES384 }],
    ['oidcTokenDuration', { oidcTokenDuration: Duration.minutes(10) }],
  ])('throws when %s is set without oidcAudiences', (name, props) => {
    expect(() => synth(() => props)).toThrow(
      `Stack/Project: ${name} is set but oidcAudiences is not: list the audiences the functions get OIDC tokens for`,
    );
  });

  test('throws naming the limit when oidcAudiences is empty', () => {
    expect(() => synth(() => ({ oidcAudiences: [] }))).toThrow(/audiences must list 1 to 10 audiences/);
  });
});

function role(stack: Stack): OidcRole {
  return new OidcRole(stack, 'Reader', {
    issuer: OidcIssuer.vercel({ team: 'acme' }),
    subjects: ['owner:acme:project:shop:environment:production'],
  });
}

describe('VercelProject with awsRole', () => {
  test('lets every function assume the role and gives it AWS_ROLE_ARN', () => {
    let reader: OidcRole | undefined;
    const { stack, template } = synth((s) => {
      reader = role(s);
      return { awsRole: reader };
    });
    const roleArn = stack.resolve(reader?.roleArn);
    const functions = routeFunctions(template);
    expect(functions).toHaveLength(3);
    for (const [, fn] of functions) expect(fn.Properties.Environment.Variables.AWS_ROLE_ARN).toEqual(roleArn);

    const assume = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('sts:AssumeRole'),
    );
    expect(assume).toHaveLength(3);
    for (const policy of assume) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Action: 'sts:AssumeRole', Resource: roleArn }),
      );
    }
    const trust =
      template.findResources('AWS::IAM::Role')[stack.getLogicalId(reader?.role.node.defaultChild as never)]
        .Properties.AssumeRolePolicyDocument.Statement;
    // One statement trusting the account's principals tagged for this role, not one per function
    // (IAM's trust policy size quota), and every function's role carries the tag.
    const tagKey = reader?.assumeTagKey as string;
    expect(trust.filter((s: { Action: string }) => s.Action === 'sts:AssumeRole')).toEqual([
      expect.objectContaining({
        Principal: { AWS: expect.objectContaining({ 'Fn::Join': expect.anything() }) },
        Condition: { StringEquals: { [`aws:PrincipalTag/${tagKey}`]: 'true' } },
      }),
    ]);
    const roles = template.findResources('AWS::IAM::Role');
    for (const [, fn] of functions) {
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      expect(roles[roleId].Properties.Tags).toContainEqual({ Key: tagKey, Value: 'true' });
    }
  });

  test('keeps the AWS_ROLE_ARN that environment sets', () => {
    const { template } = synth((s) => ({
      awsRole: role(s),
      environment: { AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/elsewhere' },
    }));
    const generated = routeFunctions(template).filter(([id]) => id.startsWith('ProjectRoute'));
    expect(generated).toHaveLength(2);
    for (const [, fn] of generated) {
      expect(fn.Properties.Environment.Variables.AWS_ROLE_ARN).toBe(
        'arn:aws:iam::123456789012:role/elsewhere',
      );
    }
  });
});

describe('examples/oidc', () => {
  // The deployment its README shows, bundled for real: api/aws.ts with the OIDC packages aliased.
  test('deploys as its README shows: AWS_ROLE_ARN and the assume-role grant on the bundled function', () => {
    const app = new App();
    const stack = new Stack(app, 'VercelFunctionsOidcExample', { env: { region: 'us-east-1' } });
    const reader = new OidcRole(stack, 'Reader', {
      issuer: OidcIssuer.vercel({ team: 'acme' }),
      subjects: ['owner:acme:project:oidc-example:environment:production'],
    });
    reader.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:ListTables'], resources: ['*'] }));
    const project = new VercelProject(stack, 'Project', {
      projectDir: path.join(__dirname, '..', '..', 'examples', 'oidc'),
      awsRole: reader,
    });
    expect([...project.functions.keys()]).toEqual(['/api/aws']);
    const template = Template.fromStack(stack);
    const [[, fn]] = routeFunctions(template);
    expect(fn.Properties.Environment.Variables.AWS_ROLE_ARN).toEqual(stack.resolve(reader.roleArn));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sts:AssumeRole', Resource: stack.resolve(reader.roleArn) }),
        ]),
      },
    });
    const assembly = app.synth();
    const bundle = readFileSync(
      path.join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace('.zip', '')}`, 'index.js'),
      'utf8',
    );
    expect(bundle).toContain('// runtime/oidc-aws-credentials-provider/aws-credentials-provider.ts');
    // Without oidcAudiences the role is assumed with AssumeRole, which the Lambda runtime's SDK has
    // (imported on the provider's first call).
    expect(bundle).toContain('import("@aws-sdk/client-sts")');
    expect(bundle).not.toContain('// node_modules/@aws-sdk/');
  });
});

describe('VercelProject bundling of the AWS SDK', () => {
  function bundleOf(props: Partial<VercelProjectProps>): string {
    const app = new App();
    const stack = new Stack(app, 'Sdk', { env: { region: 'eu-west-1' } });
    new VercelProject(stack, 'Project', {
      projectDir: path.join(__dirname, '..', '..', 'examples', 'oidc'),
      enableInvalidationSweeper: false,
      ...props,
    });
    const [[, fn]] = routeFunctions(Template.fromStack(stack));
    const asset = `asset.${fn.Properties.Code.S3Key.replace('.zip', '')}`;
    return readFileSync(path.join(app.synth().directory, asset, 'index.js'), 'utf8');
  }

  test('bundles the lock file SDK when oidcAudiences is set, for STS GetWebIdentityToken', () => {
    const bundle = bundleOf({ oidcAudiences: ['https://api.example.com'] });
    expect(bundle).toContain('// node_modules/@aws-sdk/client-sts/');
    expect(bundle).toContain('GetWebIdentityTokenCommand');
    expect(bundle).not.toMatch(/(require|import)\("@aws-sdk\/client-/);
  });

  test('leaves the SDK to the Lambda runtime when bundleAwsSDK is false, even with oidcAudiences', () => {
    const bundle = bundleOf({ oidcAudiences: ['https://api.example.com'], bundleAwsSDK: false });
    expect(bundle).toContain('import("@aws-sdk/client-sts")');
    expect(bundle).not.toContain('// node_modules/@aws-sdk/');
  });

  test('bundles the SDK without oidcAudiences when bundleAwsSDK is true', () => {
    const bundle = bundleOf({ bundleAwsSDK: true });
    expect(bundle).toContain('// node_modules/@aws-sdk/client-dynamodb/');
    expect(bundle).not.toMatch(/(require|import)\("@aws-sdk\/client-/);
  });
});

describe('cdk-nag AwsSolutions on a project with OIDC', () => {
  test('reports no unacknowledged errors with oidcAudiences and awsRole', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'OidcProject', { env: { region: 'eu-west-1' } });
    new VercelProject(stack, 'Project', {
      projectDir: dir,
      oidcAudiences: ['https://api.example.com'],
      awsRole: role(stack),
    });
    expect(() => app.synth()).not.toThrow();
  });
});
