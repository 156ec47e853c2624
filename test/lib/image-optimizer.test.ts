process.env.CDK_VALIDATION = 'false';

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Cdn } from '../../lib/cdn';
import { ConfigurationError } from '../../lib/errors';
import { ImageOptimizer, type ImageOptimizerProps } from '../../lib/image-optimizer';
import { pathPatternMatches } from '../../lib/local/cloudfront';
import { OriginProtection } from '../../lib/origin-protection';
import { IMAGE_OPTIMIZER_CONFIG_ENV } from '../../runtime/image-optimizer/config';
import { testStack } from './helpers';

function synth(props: ImageOptimizerProps = {}, originProtection = OriginProtection.oacWithBodySigning()) {
  const stack = testStack('eu-west-1');
  const cdn = new Cdn(stack, 'Cdn', { originProtection });
  const images = new ImageOptimizer(stack, 'Images', props);
  images.addToCdn(cdn);
  return { stack, cdn, images, template: Template.fromStack(stack) };
}

function imageBehavior(template: Template) {
  const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0];
  const behaviors = distribution.Properties.DistributionConfig.CacheBehaviors as Record<string, unknown>[];
  return behaviors.find((behavior) => behavior.PathPattern === '/_vercel/image')!;
}

function optimizerFunction(template: Template) {
  return Object.values(template.findResources('AWS::Lambda::Function')).find(
    (fn) => fn.Properties.Environment?.Variables?.[IMAGE_OPTIMIZER_CONFIG_ENV] !== undefined,
  )!;
}

describe('ImageOptimizer', () => {
  test('names its origin request policy after the region too (policy names are unique per account)', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: Match.objectLike({
        Name: Match.stringLikeRegexp('^StackImagesOriginRequestPolicy[0-9A-F]{8}-eu-west-1$'),
      }),
    });
  });

  test('runs on Node.js 24, arm64, 1536 MB and 30 s with the configuration in its environment', () => {
    const { template } = synth({ sizes: [640, 1080], formats: ['image/avif', 'image/webp'] });
    const fn = optimizerFunction(template);
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1536,
      Timeout: 30,
      Handler: 'index.handler',
    });
    expect(JSON.parse(fn.Properties.Environment.Variables[IMAGE_OPTIMIZER_CONFIG_ENV])).toEqual({
      sizes: [640, 1080],
      formats: ['image/avif', 'image/webp'],
    });
  });

  test('writes the CDK-typed props into the configuration in seconds and bytes', () => {
    const { images } = synth({
      minimumCacheTTL: Duration.days(1),
      maximumResponseBody: Size.mebibytes(10),
      remotePatterns: [{ protocol: 'https', hostname: '**.example.com', pathname: '/img/**' }],
    });
    expect(images.config).toMatchObject({
      minimumCacheTTL: 86_400,
      maximumResponseBody: 10 * 1024 * 1024,
      remotePatterns: [{ protocol: 'https', hostname: '**.example.com', pathname: '/img/**' }],
    });
  });

  test('serves /_vercel/image for GET and HEAD with its own policies and viewer-request function', () => {
    const { template, stack, images, cdn } = synth();
    expect(imageBehavior(template)).toEqual({
      PathPattern: '/_vercel/image',
      TargetOriginId: expect.any(String),
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      CachedMethods: ['GET', 'HEAD'],
      Compress: true,
      CachePolicyId: stack.resolve(images.cachePolicy.cachePolicyId),
      OriginRequestPolicyId: stack.resolve(images.originRequestPolicy.originRequestPolicyId),
      ResponseHeadersPolicyId: stack.resolve(cdn.responseHeadersPolicy.responseHeadersPolicyId),
      FunctionAssociations: [
        { EventType: 'viewer-request', FunctionARN: stack.resolve(images.viewerRequestFunction.functionArn) },
      ],
    });
  });

  test('routes only the exact path /_vercel/image to the optimizer when other paths share its prefix', () => {
    const pattern = imageBehavior(synth().template).PathPattern as string;
    expect(ImageOptimizer.PATH_PATTERN).toBe(pattern);
    // The query string is not part of what a path pattern matches (the emulated CloudFront's rule).
    expect(pathPatternMatches(pattern, '/_vercel/image')).toBe(true);
    for (const other of ['/_vercel/imageX', '/_vercel/image.png', '/_vercel/image/', '/_vercel/images']) {
      expect(pathPatternMatches(pattern, other)).toBe(false);
    }
  });

  test("downloads sources of up to Next.js's 50 MB (50,000,000 bytes) by default", () => {
    expect(synth().images.config.maximumResponseBody).toBe(50_000_000);
  });

  test('keys the cache on exactly url, w, q and the negotiated format header', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        MinTTL: 0,
        MaxTTL: 31_536_000,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['url', 'w', 'q'] },
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['x-vfa-image-format'] },
          CookiesConfig: { CookieBehavior: 'none' },
        }),
      }),
    });
  });

  test('forwards only the distribution domain besides the cache key', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: Match.objectLike({
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['x-vfa-distribution-domain'] },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
        CookiesConfig: { CookieBehavior: 'none' },
      }),
    });
  });

  test('negotiates the configured formats in its viewer-request function', () => {
    const { template } = synth({ formats: ['image/webp', 'image/avif'] });
    const functions = Object.values(template.findResources('AWS::CloudFront::Function'));
    const code = functions
      .map((fn) => fn.Properties.FunctionCode as string)
      .find((c) => c.includes('x-vfa-image-format'));
    expect(code).toMatch(/[\w$]+='webp,avif'[,;]/);
    expect(code).toContain('"x-forwarded-host"');
  });

  test('signs requests with OAC and lets only this distribution invoke the streaming Function URL', () => {
    const { template, stack, images, cdn } = synth();
    const fnRef = stack.resolve(images.function.functionArn);
    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: fnRef,
      AuthType: 'AWS_IAM',
      InvokeMode: 'RESPONSE_STREAM',
    });
    // Both permissions CloudFront needs since October 2025, for this distribution only.
    const url = images.function.node.findChild('FunctionUrl') as lambda.FunctionUrl;
    const functionName = stack.resolve(url.functionArn);
    const sourceArn = stack.resolve(cdn.distribution.distributionArn);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionName: functionName,
      Principal: 'cloudfront.amazonaws.com',
      SourceArn: sourceArn,
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: functionName,
      Principal: 'cloudfront.amazonaws.com',
      SourceArn: sourceArn,
      InvokedViaFunctionUrl: true,
    });
    template.resourceCountIs('AWS::Lambda::Permission', 2);
    // GET and HEAD carry no body: no Lambda@Edge body signer on this behaviour.
    expect(imageBehavior(template).LambdaFunctionAssociations).toBeUndefined();
  });

  test('grants the function nothing but writing its own log group', () => {
    const { template, stack, images } = synth();
    const roleId = stack.getLogicalId(images.function.role!.node.defaultChild as never);
    const role = template.findResources('AWS::IAM::Role')[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]);
    expect(statements.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  test('reads the origin secret when the Cdn protects origins with secretHeader()', () => {
    const stack = testStack('eu-west-1');
    const secret = new secretsmanager.Secret(stack, 'OriginSecret');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.secretHeader({ secret }) });
    const images = new ImageOptimizer(stack, 'Images');
    images.addToCdn(cdn);
    const template = Template.fromStack(stack);
    expect(optimizerFunction(template).Properties.Environment.Variables).toMatchObject({
      VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN: stack.resolve(secret.secretFullArn ?? secret.secretArn),
    });
    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: stack.resolve(images.function.functionArn),
      AuthType: 'NONE',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'secretsmanager:GetSecretValue',
            Resource: stack.resolve(secret.secretArn),
          }),
        ]),
      },
    });
  });

  test('throws naming the prop when the image configuration is invalid', () => {
    const stack = testStack('eu-west-1');
    expect(() => new ImageOptimizer(stack, 'Images', { sizes: [0] })).toThrow(ConfigurationError);
    expect(() => new ImageOptimizer(stack, 'Images2', { qualities: [120] })).toThrow(
      'Stack/Images2: qualities[0] must be a whole number from 1 to 100, got 120',
    );
    expect(
      () => new ImageOptimizer(stack, 'Images3', { remotePatterns: [{ hostname: 'https://a.com' }] }),
    ).toThrow('Stack/Images3: remotePatterns[0].hostname must be a host name');
  });

  test('throws for memory and timeout outside what Lambda allows', () => {
    const stack = testStack('eu-west-1');
    expect(() => new ImageOptimizer(stack, 'Images', { memorySize: 64 })).toThrow(
      'Stack/Images: memorySize must be a whole number of MB from 128 to 10240, got 64',
    );
    expect(() => new ImageOptimizer(stack, 'Images2', { timeout: Duration.minutes(20) })).toThrow(
      'Stack/Images2: timeout must be from 1 to 900 seconds, got 1200',
    );
  });

  test('throws when the configuration would not fit in the Lambda environment', () => {
    const stack = testStack('eu-west-1');
    const domains = Array.from({ length: 50 }, (_, i) => `images-${i}.a-rather-long-example-domain.com`);
    const remotePatterns = domains.map((hostname) => ({ hostname, pathname: '/some/long/path/prefix/**' }));
    expect(() => new ImageOptimizer(stack, 'Images', { domains, remotePatterns })).toThrow(
      /bytes of environment, more than Lambda's 4096-byte limit leaves room for/,
    );
  });

  test('throws when added to a second Cdn', () => {
    const stack = testStack('eu-west-1');
    const images = new ImageOptimizer(stack, 'Images');
    images.addToCdn(new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() }));
    expect(() =>
      images.addToCdn(new Cdn(stack, 'Other', { originProtection: OriginProtection.oac() })),
    ).toThrow('Stack/Images: is already served by Stack/Cdn; create one ImageOptimizer per Cdn');
  });
});

describe('ImageOptimizer bundling', () => {
  test('installs sharp for linux-arm64 into the asset and bundles the handler without it', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { region: 'eu-west-1' } });
    new ImageOptimizer(stack, 'Images');
    const assembly = app.synth();
    const fn = optimizerFunction(Template.fromStack(stack));
    const asset = path.join(
      assembly.directory,
      `asset.${String(fn.Properties.Code.S3Key).replace('.zip', '')}`,
    );
    expect(readdirSync(path.join(asset, 'node_modules', '@img')).sort()).toEqual([
      'colour',
      'sharp-libvips-linux-arm64',
      'sharp-linux-arm64',
    ]);
    expect(existsSync(path.join(asset, 'node_modules', 'sharp', 'package.json'))).toBe(true);
    expect(existsSync(path.join(asset, 'package-lock.json'))).toBe(false);
    const bundle = readFileSync(path.join(asset, 'index.js'), 'utf8');
    expect(bundle).toContain('require("sharp")');
    expect(bundle).not.toContain('libvips');
  });

  test('installs sharp for linux-x64 when the architecture is x86_64', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { region: 'eu-west-1' } });
    new ImageOptimizer(stack, 'Images', { architecture: lambda.Architecture.X86_64 });
    const assembly = app.synth();
    const fn = optimizerFunction(Template.fromStack(stack));
    expect(fn.Properties.Architectures).toEqual(['x86_64']);
    const asset = path.join(
      assembly.directory,
      `asset.${String(fn.Properties.Code.S3Key).replace('.zip', '')}`,
    );
    expect(readdirSync(path.join(asset, 'node_modules', '@img'))).toContain('sharp-linux-x64');
    expect(readdirSync(path.join(asset, 'node_modules', '@img'))).not.toContain('sharp-linux-arm64');
  });
});
