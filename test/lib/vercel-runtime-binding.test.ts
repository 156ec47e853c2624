process.env.CDK_VALIDATION = 'false';

import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Cdn } from '../../lib/cdn';
import { ConfigurationError } from '../../lib/errors';
import { OriginProtection } from '../../lib/origin-protection';
import { RuntimeCacheTable } from '../../lib/runtime-cache-table';
import { TagTable } from '../../lib/tag-table';
import { VercelFunction } from '../../lib/vercel-function';
import { VercelRuntimeBinding } from '../../lib/vercel-runtime-binding';
import { plainFunction, testStack } from './helpers';

function distributionConfig(template: Template) {
  return Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties
    .DistributionConfig;
}

describe('VercelRuntimeBinding', () => {
  test('gives an existing NodejsFunction the environment, the tables, a protected streaming origin and invalidation', () => {
    const stack = testStack('eu-central-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    const cacheTable = new RuntimeCacheTable(stack, 'Cache');
    const tagTable = new TagTable(stack, 'Tags');
    const legacy = new nodejs.NodejsFunction(stack, 'Legacy', {
      entry: path.join(__dirname, '..', '..', 'examples', 'api', 'hello.ts'),
      runtime: lambda.Runtime.NODEJS_24_X,
    });
    const binding = new VercelRuntimeBinding(stack, 'Binding', {
      lambdaFunction: legacy,
      cdn,
      route: '/api/legacy/[id]',
      cacheTable,
      tagTable,
      vercelEnv: 'preview',
      deploymentUrl: 'preview.example.com',
    });
    expect(binding.pathPattern).toBe('/api/legacy/*');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          VERCEL: '1',
          VERCEL_ENV: 'preview',
          VERCEL_REGION: 'fra1',
          VERCEL_URL: 'preview.example.com',
          VERCEL_FUNCTIONS_AWS_ROUTE: '/api/legacy/[id]',
          VERCEL_FUNCTIONS_AWS_CACHE_TABLE: { Ref: Match.stringLikeRegexp('^Cache') },
          VERCEL_FUNCTIONS_AWS_TAG_TABLE: { Ref: Match.stringLikeRegexp('^Tags') },
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      InvokeMode: 'RESPONSE_STREAM',
    });
    expect(
      distributionConfig(template).CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern),
    ).toEqual(['/api/legacy/*']);
    const actions = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .flatMap((statement: { Action: string | string[] }) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['cloudfront:CreateInvalidation', 'dynamodb:GetItem', 'dynamodb:PutItem']),
    );
  });

  test('only sets the environment and grants when there is no Cdn', () => {
    const stack = testStack('us-east-1');
    const fn = plainFunction(stack, 'Fn');
    new VercelRuntimeBinding(stack, 'Binding', {
      lambdaFunction: fn,
      cacheTable: new RuntimeCacheTable(stack, 'Cache'),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Url', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ VERCEL: '1', VERCEL_FUNCTIONS_AWS_CACHE_TABLE: Match.anyValue() }),
      },
    });
  });

  test('serves an explicit pathPattern and applies readTimeout', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.secretHeader() });
    new VercelRuntimeBinding(stack, 'Binding', {
      lambdaFunction: plainFunction(stack, 'Fn'),
      cdn,
      pathPattern: '/legacy/*',
      readTimeout: Duration.seconds(30),
    });
    const template = Template.fromStack(stack);
    const origin = distributionConfig(template).Origins.find(
      (o: { OriginCustomHeaders?: unknown }) => o.OriginCustomHeaders,
    );
    expect(origin.CustomOriginConfig.OriginReadTimeout).toBe(30);
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN: Match.anyValue() }),
      },
    });
  });

  test('throws when cdn is set without route or pathPattern', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    expect(
      () => new VercelRuntimeBinding(stack, 'Binding', { lambdaFunction: plainFunction(stack, 'Fn'), cdn }),
    ).toThrow(
      /Stack\/Binding: cdn is set but neither route nor pathPattern says which paths the function serves/,
    );
  });

  test('throws when pathPattern is set without cdn', () => {
    const stack = testStack('us-east-1');
    expect(
      () =>
        new VercelRuntimeBinding(stack, 'Binding', {
          lambdaFunction: plainFunction(stack, 'Fn'),
          pathPattern: '/x',
        }),
    ).toThrow(/pathPattern '\/x' is set but there is no cdn to serve it/);
  });

  test('throws when route is not a route path', () => {
    const stack = testStack('us-east-1');
    expect(
      () =>
        new VercelRuntimeBinding(stack, 'Binding', {
          lambdaFunction: plainFunction(stack, 'Fn'),
          route: '/api//x',
        }),
    ).toThrow(/route '\/api\/\/x' is invalid: .*empty path segment/);
  });

  test('throws when the route cannot be a CloudFront path pattern and no pathPattern is given', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    expect(
      () =>
        new VercelRuntimeBinding(stack, 'Binding', {
          lambdaFunction: plainFunction(stack, 'Fn'),
          cdn,
          route: '/api/grüße',
        }),
    ).toThrow(
      /route '\/api\/grüße' has the segment 'grüße', which a CloudFront path pattern cannot express: pass pathPattern/,
    );
  });

  test('throws when the function does not run Node.js', () => {
    const stack = testStack('us-east-1');
    const python = new lambda.Function(stack, 'Py', {
      runtime: lambda.Runtime.PYTHON_3_13,
      handler: 'index.handler',
      code: lambda.Code.fromInline('def handler(e, c): pass'),
    });
    expect(() => new VercelRuntimeBinding(stack, 'Binding', { lambdaFunction: python })).toThrow(
      /Stack\/Binding: Stack\/Py runs python3\.13; the Vercel runtime needs a Node\.js runtime/,
    );
  });
});

describe('VercelRuntimeBinding environment size', () => {
  test('fails synth naming the largest variables when a bound function exceeds 4 KB, counting variables added after the binding', () => {
    const stack = testStack('us-east-1');
    const fn = plainFunction(stack, 'Fn');
    fn.addEnvironment('CONFIG', 'c'.repeat(2500));
    new VercelRuntimeBinding(stack, 'Binding', { lambdaFunction: fn, route: '/api/legacy' });
    fn.addEnvironment('LATE_ADDITION', 'l'.repeat(1600));
    expect(() => Template.fromStack(stack)).toThrow(ConfigurationError);
    expect(() => Template.fromStack(stack)).toThrow(
      /^Stack\/Fn: its environment variables take \d+ bytes, more than Lambda's 4096-byte limit .*Largest: CONFIG \(2512 bytes\), LATE_ADDITION \(1619 bytes\)/,
    );
  });

  test('synthesizes a bound function under the limit', () => {
    const stack = testStack('us-east-1');
    const fn = plainFunction(stack, 'Fn');
    fn.addEnvironment('CONFIG', 'c'.repeat(3000));
    new VercelRuntimeBinding(stack, 'Binding', {
      lambdaFunction: fn,
      cacheTable: new RuntimeCacheTable(stack, 'Cache'),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CONFIG: Match.anyValue(), VERCEL: '1' }) },
    });
  });

  test('measures a bound VercelFunction, which checks itself, only once', () => {
    const stack = testStack('eu-central-1');
    const fn = new VercelFunction(stack, 'Hello', {
      entry: path.join(__dirname, '..', '..', 'examples', 'api', 'hello.ts'),
    });
    new VercelRuntimeBinding(stack, 'Binding', { lambdaFunction: fn });
    new VercelRuntimeBinding(stack, 'Again', { lambdaFunction: fn });
    const environment = (fn.node.defaultChild as lambda.CfnFunction).environment;
    const resolve = jest.spyOn(stack, 'resolve');
    Template.fromStack(stack);
    expect(resolve.mock.calls.filter(([value]) => value === environment)).toHaveLength(1);
  });
});
