process.env.CDK_VALIDATION = 'false';

import { createHash } from 'node:crypto';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Cdn } from '../../lib/cdn';
import { OriginProtection } from '../../lib/origin-protection';
import { plainFunction, testStack } from './helpers';

function distributionConfig(template: Template) {
  return Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties
    .DistributionConfig;
}

function cdnWith(protection: OriginProtection, region = 'us-east-1') {
  const stack = testStack(region);
  const fn = plainFunction(stack, 'Fn');
  const cdn = new Cdn(stack, 'Cdn', { originProtection: protection });
  cdn.addFunction('/api/*', fn);
  return { stack, fn, cdn, template: Template.fromStack(stack) };
}

// Who may invoke the function: the principals of every Lambda permission on it.
function invokePrincipals(template: Template): string[] {
  return Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties.Principal);
}

describe('OriginProtection', () => {
  describe('direct calls to the Function URL (bypassing CloudFront)', () => {
    test.each([
      ['oacWithBodySigning()', OriginProtection.oacWithBodySigning()],
      ['oac()', OriginProtection.oac()],
    ])('are denied with %s: AWS_IAM auth, invoke permission for this distribution only', (_, protection) => {
      const { template } = cdnWith(protection);
      template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
      const distributionArn = {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudfront::',
            { Ref: 'AWS::AccountId' },
            ':distribution/',
            { Ref: template.getResourceId('AWS::CloudFront::Distribution') },
          ],
        ],
      };
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunctionUrl',
        Principal: 'cloudfront.amazonaws.com',
        SourceArn: distributionArn,
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'cloudfront.amazonaws.com',
        InvokedViaFunctionUrl: true,
        SourceArn: distributionArn,
      });
      expect(invokePrincipals(template)).not.toContain('*');
      template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: Match.objectLike({
          OriginAccessControlOriginType: 'lambda',
          SigningBehavior: 'always',
          SigningProtocol: 'sigv4',
        }),
      });
    });

    test('are rejected by the adapter with secretHeader(): CloudFront sends the secret, the function gets its ARN', () => {
      const { template } = cdnWith(OriginProtection.secretHeader());
      template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
      const secretId = template.getResourceId('AWS::SecretsManager::Secret');
      const [origin] = distributionConfig(template).Origins.filter(
        (o: { OriginCustomHeaders?: unknown }) => o.OriginCustomHeaders,
      );
      expect(origin.OriginCustomHeaders).toEqual([
        {
          HeaderName: 'x-vfa-origin-secret',
          HeaderValue: {
            'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']],
          },
        },
      ]);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN: { Ref: secretId } } },
      });
      // GetSecretValue on this secret only: all the adapter calls.
      const secretStatements = Object.values(template.findResources('AWS::IAM::Policy'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement: { Action: string | string[] }) =>
          [statement.Action].flat().some((a) => a.startsWith('secretsmanager:')),
        );
      expect(secretStatements).toEqual([
        { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: secretId } },
      ]);
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
      });
    });

    test('are allowed with none(), which warns at synth', () => {
      const { stack, template } = cdnWith(OriginProtection.none());
      template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
      expect(invokePrincipals(template)).toContain('*');
      template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 0);
      Annotations.fromStack(stack).hasWarning(
        '/Stack/Cdn',
        Match.stringLikeRegexp('OriginProtection.none\\(\\): the Lambda Function URLs are public'),
      );
    });

    test("warns with none() that a direct caller can forge CloudFront's viewer headers and X-Forwarded-Host, not x-vercel-*", () => {
      const { stack } = cdnWith(OriginProtection.none());
      const [warning] = Annotations.fromStack(stack)
        .findWarning('/Stack/Cdn', Match.stringLikeRegexp('OriginProtection.none'))
        .map((entry) => String(entry.entry.data));
      expect(warning).toMatch(/own CloudFront-Viewer-Address .* headers cannot be told from CloudFront's/);
      expect(warning).toMatch(/ipAddress\(\) and geolocation\(\) return whatever it claims/);
      expect(warning).toMatch(/X-Forwarded-Host becomes the host of request\.url/);
      expect(warning).toMatch(
        /x-real-ip, x-forwarded-for and x-vercel-\* headers it sends are still dropped/,
      );
    });
  });

  test('oacWithBodySigning() is the default and signs bodies with a Lambda@Edge origin-request function', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn').addFunction('/api/*', plainFunction(stack, 'Fn'));
    const template = Template.fromStack(stack);
    const [behavior] = distributionConfig(template).CacheBehaviors;
    expect(behavior.LambdaFunctionAssociations).toEqual([
      { EventType: 'origin-request', IncludeBody: true, LambdaFunctionARN: { Ref: expect.any(String) } },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      MemorySize: 128,
      Timeout: 5,
      Description: Match.stringLikeRegexp('x-amz-content-sha256'),
    });
  });

  test('oacWithBodySigning() puts the signer into a us-east-1 stack when the stack is elsewhere', () => {
    const { stack } = cdnWith(OriginProtection.oacWithBodySigning(), 'eu-west-1');
    const edgeStack = App.of(stack)!
      .node.children.filter((child): child is Stack => child instanceof Stack)
      .find((child) => child.stackName.startsWith('edge-lambda-stack'));
    expect(edgeStack?.region).toBe('us-east-1');
    Template.fromStack(edgeStack!).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x' });
  });

  test.each([
    ['oac()', OriginProtection.oac()],
    ['oacWithBodySigning()', OriginProtection.oacWithBodySigning()],
  ])(
    '%s names the origin access control after the region too (names are unique per account)',
    (_, protection) => {
      const { template } = cdnWith(protection, 'ap-southeast-2');
      template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: Match.objectLike({
          Name: Match.stringLikeRegexp('^StackCdnOriginAccessControl[0-9A-F]{8}-ap-southeast-2$'),
          OriginAccessControlOriginType: 'lambda',
        }),
      });
    },
  );

  test('oacWithBodySigning() names its us-east-1 stack after the region and name of the stack it serves', () => {
    const { stack } = cdnWith(OriginProtection.oacWithBodySigning(), 'eu-west-1');
    const edgeStacks = App.of(stack)!
      .node.children.filter((child): child is Stack => child instanceof Stack && child !== stack)
      .map((child) => child.stackName);
    const stackNameHash = createHash('sha256').update(stack.stackName).digest('hex').slice(0, 8);
    expect(edgeStacks).toEqual([`edge-lambda-stack-eu-west-1-${stack.node.addr}-${stackNameHash}`]);
  });

  test('oacWithBodySigning() gives each distribution of a stack its own signer in the us-east-1 stack', () => {
    const stack = testStack('eu-west-1');
    for (const id of ['Site', 'Api']) {
      new Cdn(stack, id, { originProtection: OriginProtection.oacWithBodySigning() }).addFunction(
        '/api/*',
        plainFunction(stack, `${id}Fn`),
      );
    }
    const edgeStack = App.of(stack)!
      .node.children.filter((child): child is Stack => child instanceof Stack)
      .find((child) => child.stackName.startsWith('edge-lambda-stack'))!;
    expect(Object.keys(Template.fromStack(edgeStack).findResources('AWS::Lambda::Function'))).toHaveLength(2);
  });

  test('oacWithBodySigning() bundles a signer that computes the body hash', () => {
    // Real bundling with the local esbuild (no bundling-stacks override): run the output.
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { region: 'us-east-1' } });
    new Cdn(stack, 'Cdn').addFunction('/api/*', plainFunction(stack, 'Fn'));
    const assembly = app.synth();
    const signer = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Runtime === 'nodejs22.x',
    );
    const bundle = `${assembly.directory}/asset.${String(signer?.Properties.Code.S3Key).replace('.zip', '')}/index.js`;
    const { handler } = require(bundle);
    return handler({
      Records: [
        {
          cf: {
            request: {
              headers: {},
              body: { data: Buffer.from('hi').toString('base64'), encoding: 'base64' },
            },
          },
        },
      ],
    }).then((request: { headers: Record<string, { value: string }[]> }) => {
      expect(request.headers['x-amz-content-sha256'][0].value).toBe(
        '8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4',
      );
    });
  });

  test('acknowledges rotation for the secretHeader() secret it creates, with the reason', () => {
    const { cdn } = cdnWith(OriginProtection.secretHeader());
    const secret = cdn.node.findChild('OriginSecret');
    const acknowledged = secret.node.metadata.find(
      (entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
    )?.data as Record<string, string>;
    expect(Object.keys(acknowledged)).toEqual(['AwsSolutions::AwsSolutions-SMG4']);
    expect(acknowledged['AwsSolutions::AwsSolutions-SMG4']).toMatch(/AWSCURRENT and AWSPREVIOUS/);
  });

  test('grants a name-imported secret with the random suffix wildcard and passes its partial ARN', () => {
    const stack = testStack('us-east-1');
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'origin-secret');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.secretHeader({ secret }) }).addFunction(
      '/api/*',
      plainFunction(stack, 'Fn'),
    );
    const template = Template.fromStack(stack);
    const arn = (suffix: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':secretsmanager:us-east-1:',
          { Ref: 'AWS::AccountId' },
          `:secret:origin-secret${suffix}`,
        ],
      ],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: arn('-??????') },
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN: arn('') } },
    });
  });

  test('grants kms:Decrypt through Secrets Manager when a customer key encrypts the secret', () => {
    const stack = testStack('us-east-1');
    const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey });
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.secretHeader({ secret }) }).addFunction(
      '/api/*',
      plainFunction(stack, 'Fn'),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'kms:Decrypt',
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
          }),
        ]),
      },
    });
  });

  test('uses a given secret for secretHeader()', () => {
    const stack = testStack('us-east-1');
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'origin-secret');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.secretHeader({ secret }) }).addFunction(
      '/api/*',
      plainFunction(stack, 'Fn'),
    );
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(JSON.stringify(distributionConfig(template).Origins)).toContain('origin-secret');
  });

  test('names each mode and the Function URL auth type it needs', () => {
    expect(
      [
        OriginProtection.oacWithBodySigning(),
        OriginProtection.oac(),
        OriginProtection.secretHeader(),
        OriginProtection.none(),
      ].map((p) => [p.name, p.functionUrlAuthType]),
    ).toEqual([
      ['OriginProtection.oacWithBodySigning()', lambda.FunctionUrlAuthType.AWS_IAM],
      ['OriginProtection.oac()', lambda.FunctionUrlAuthType.AWS_IAM],
      ['OriginProtection.secretHeader()', lambda.FunctionUrlAuthType.NONE],
      ['OriginProtection.none()', lambda.FunctionUrlAuthType.NONE],
    ]);
  });

  test('throws when oacWithBodySigning() is used in a region-agnostic stack', () => {
    expect(() => new Cdn(testStack(), 'Cdn')).toThrow(
      /Stack\/Cdn: originProtection OriginProtection\.oacWithBodySigning\(\) deploys a Lambda@Edge function to us-east-1, which needs a stack with an explicit region/,
    );
  });

  test('works in a region-agnostic stack with oac()', () => {
    const { template } = cdnWith(OriginProtection.oac(), undefined);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
  });

  test("throws when a function's URL auth type does not match the protection", () => {
    const stack = testStack('us-east-1');
    const fn = plainFunction(stack, 'Fn');
    fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    expect(() => cdn.addFunction('/a', fn)).toThrow(
      /the Function URL of Stack\/Fn has auth type NONE, but originProtection OriginProtection\.oac\(\) needs AWS_IAM/,
    );
  });

  test('throws when secretHeader() serves a function it cannot set environment variables on', () => {
    const stack = testStack('us-east-1');
    const imported = lambda.Function.fromFunctionAttributes(stack, 'Imported', {
      functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f',
      sameEnvironment: true,
    });
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.secretHeader() });
    expect(() => cdn.addFunction('/a', imported)).toThrow(/secretHeader\(\) needs a lambda\.Function/);
  });
});
