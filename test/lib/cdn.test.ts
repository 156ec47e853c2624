process.env.CDK_VALIDATION = 'false';

import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Cdn } from '../../lib/cdn';
import { OriginProtection } from '../../lib/origin-protection';
import { plainFunction, testStack } from './helpers';

const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

function distributionConfig(template: Template) {
  return Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties
    .DistributionConfig;
}

describe('Cdn', () => {
  test('reads cache tags from Vercel-Cache-Tag (CacheTagConfig L1 override)', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    expect(Cdn.CACHE_TAG_HEADER).toBe('Vercel-Cache-Tag');
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ CacheTagConfig: { HeaderName: 'Vercel-Cache-Tag' } }),
    });
  });

  test('caches only what the origin allows, keyed on query strings and x-forwarded-host but never Host', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        MinTTL: 0,
        DefaultTTL: 0,
        MaxTTL: 31_536_000,
        ParametersInCacheKeyAndForwardedToOrigin: {
          QueryStringsConfig: { QueryStringBehavior: 'all' },
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['x-forwarded-host'] },
          CookiesConfig: { CookieBehavior: 'none' },
          EnableAcceptEncodingGzip: true,
          EnableAcceptEncodingBrotli: true,
        },
      }),
    });
  });

  test('caches error responses only when the function says so (error caching minimum TTL 0)', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    const errors = distributionConfig(Template.fromStack(stack)).CustomErrorResponses;
    expect(errors.map((e: { ErrorCode: number }) => e.ErrorCode)).toEqual([
      400, 403, 404, 405, 414, 500, 501, 502, 503, 504,
    ]);
    for (const entry of errors) expect(entry).toEqual({ ErrorCode: entry.ErrorCode, ErrorCachingMinTTL: 0 });
  });

  test('removes the cache tag header from viewer responses', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        RemoveHeadersConfig: { Items: [{ Header: 'Vercel-Cache-Tag' }] },
      }),
    });
  });

  test('gives each function behaviour the policies, both CloudFront Functions and all methods when added', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    cdn.addFunction('/api/hello', plainFunction(stack, 'Hello'));
    const template = Template.fromStack(stack);
    const [behavior] = distributionConfig(template).CacheBehaviors;
    expect(behavior).toMatchObject({
      PathPattern: '/api/hello',
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      CachePolicyId: { Ref: template.getResourceId('AWS::CloudFront::CachePolicy') },
      ResponseHeadersPolicyId: { Ref: template.getResourceId('AWS::CloudFront::ResponseHeadersPolicy') },
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachedMethods: ['GET', 'HEAD'],
      Compress: true,
    });
    expect(behavior.FunctionAssociations.map((f: { EventType: string }) => f.EventType)).toEqual([
      'viewer-request',
      'viewer-response',
    ]);
    template.resourcePropertiesCountIs(
      'AWS::CloudFront::Function',
      { FunctionConfig: { Runtime: 'cloudfront-js-2.0', Comment: Match.anyValue() } },
      3,
    );
  });

  test('deploys the CloudFront Functions without their comments', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    const code = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::Function')).map(
      (f) => f.Properties.FunctionCode as string,
    );
    for (const source of code) {
      expect(source).toMatch(/function handler\(/);
      expect(source).not.toMatch(/^\s*\/\//m);
    }
  });

  test('answers 404 at the edge on the default behaviour when there is no defaultFunction', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    const template = Template.fromStack(stack);
    const config = distributionConfig(template);
    const notFound = Object.entries(template.findResources('AWS::CloudFront::Function')).find(([, f]) =>
      (f.Properties.FunctionCode as string).includes('NOT_FOUND'),
    );
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [notFound?.[0], 'FunctionARN'] } },
    ]);
    expect(config.DefaultCacheBehavior.AllowedMethods).toContain('POST');
  });

  test('serves the default behaviour from defaultFunction when given', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn', {
      originProtection: OriginProtection.oac(),
      defaultFunction: plainFunction(stack, 'App'),
    });
    const config = distributionConfig(Template.fromStack(stack));
    expect(config.DefaultCacheBehavior.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    expect(config.Origins).toHaveLength(1);
    expect(config.CacheBehaviors).toBeUndefined();
  });

  test('logs to a new private, SSL-only bucket with ACLs enabled and 90-day expiry by default', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
      }),
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(distributionConfig(template).Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [template.getResourceId('AWS::S3::Bucket'), 'RegionalDomainName'] },
    });
  });

  test('applies logRetention, logBucket and logFilePrefix', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac(), logRetention: Duration.days(7) });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 7, Status: 'Enabled' }] },
    });

    const other = testStack('us-east-1');
    const bucket = s3.Bucket.fromBucketName(other, 'Logs', 'my-logs');
    new Cdn(other, 'Cdn', {
      originProtection: OriginProtection.oac(),
      logBucket: bucket,
      logFilePrefix: 'cdn/',
    });
    const template = Template.fromStack(other);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(distributionConfig(template).Logging).toEqual({
      Bucket: 'my-logs.s3.us-east-1.amazonaws.com',
      Prefix: 'cdn/',
    });
  });

  test('turns logging off with enableLogging: false', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac(), enableLogging: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(distributionConfig(template).Logging).toBeUndefined();
  });

  test.each(['af-south-1', 'eu-south-1', 'me-south-1', 'ap-east-1'])(
    'throws when it would create the log bucket in %s, where CloudFront delivers no standard logs',
    (region) => {
      expect(() => new Cdn(testStack(region), 'Cdn', { originProtection: OriginProtection.oac() })).toThrow(
        `Stack/Cdn: enableLogging is on without a logBucket, so the access log bucket would be created in ${region}, an opt-in Region, and CloudFront standard logging does not deliver to buckets there: pass a logBucket in another Region (with ACLs enabled), or set enableLogging: false`,
      );
    },
  );

  test('deploys to an opt-in Region with logging off, or with a logBucket of its own', () => {
    const off = testStack('eu-south-1');
    new Cdn(off, 'Cdn', { originProtection: OriginProtection.oac(), enableLogging: false });
    expect(distributionConfig(Template.fromStack(off)).Logging).toBeUndefined();
    const own = testStack('eu-south-1');
    const logBucket = s3.Bucket.fromBucketName(own, 'Logs', 'logs-in-us-east-1');
    new Cdn(own, 'Cdn', { originProtection: OriginProtection.oac(), logBucket });
    expect(distributionConfig(Template.fromStack(own)).Logging.Bucket).toEqual(
      expect.stringContaining('logs-in-us-east-1'),
    );
  });

  test('warns about opt-in Regions when it creates the log bucket in a region-agnostic stack', () => {
    const stack = testStack();
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Cdn',
      Match.stringLikeRegexp(
        'not known at synth. CloudFront standard logging does not deliver to buckets in opt-in Regions \\(af-south-1, ',
      ),
    );
    const quiet = testStack();
    new Cdn(quiet, 'Cdn', { originProtection: OriginProtection.oac(), enableLogging: false });
    Annotations.fromStack(quiet).hasNoWarning('/Stack/Cdn', Match.anyValue());
  });

  test('names its response headers policy after the region too (policy names are unique per account)', () => {
    const stack = testStack('eu-west-1');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        Name: Match.stringLikeRegexp('^StackCdnResponseHeadersPolicy[0-9A-F]{8}-eu-west-1$'),
      }),
    });
  });

  test('warns when readTimeout is above 120 s, which needs a quota increase, and not at 120 s', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    cdn.addFunction('/fits', plainFunction(stack, 'Fits'), { readTimeout: Duration.seconds(120) });
    cdn.addFunction('/slow', plainFunction(stack, 'Slow'), { readTimeout: Duration.seconds(180) });
    const warnings = Annotations.fromStack(stack).findWarning(
      '/Stack/Cdn',
      Match.stringLikeRegexp('readTimeout'),
    );
    expect(warnings.map((w) => w.entry.data)).toEqual([
      expect.stringMatching(
        /^readTimeout of Stack\/Slow is 180 s; CloudFront allows at most 120 s unless AWS raised the "Response timeout per origin" quota/,
      ),
    ]);
  });

  test('serves domainNames with the certificate and TLS 1.2 minimum', () => {
    const stack = testStack('us-east-1');
    const certificate = acm.Certificate.fromCertificateArn(
      stack,
      'Cert',
      'arn:aws:acm:us-east-1:111111111111:certificate/abc',
    );
    new Cdn(stack, 'Cdn', {
      originProtection: OriginProtection.oac(),
      domainNames: ['shop.example.com'],
      certificate,
    });
    const config = distributionConfig(Template.fromStack(stack));
    expect(config.Aliases).toEqual(['shop.example.com']);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
  });

  test('applies webAclId, priceClass and comment', () => {
    const stack = testStack('us-east-1');
    const webAclId = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/acl/abc';
    new Cdn(stack, 'Cdn', {
      originProtection: OriginProtection.oac(),
      webAclId,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      comment: 'shop',
    });
    expect(distributionConfig(Template.fromStack(stack))).toMatchObject({
      WebACLId: webAclId,
      PriceClass: 'PriceClass_100',
      Comment: 'shop',
      HttpVersion: 'http2and3',
      IPV6Enabled: true,
    });
  });

  test('creates a streaming Function URL for a plain function and reuses it for a second pattern', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    const fn = plainFunction(stack, 'Fn');
    cdn.addFunction('/a', fn);
    cdn.addFunction('/b/*', fn, { readTimeout: Duration.seconds(20) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Url', 1);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      InvokeMode: 'RESPONSE_STREAM',
    });
    const timeouts = distributionConfig(template).Origins.map(
      (o: { CustomOriginConfig?: { OriginReadTimeout?: number } }) => o.CustomOriginConfig?.OriginReadTimeout,
    );
    // 120 s, CloudFront's maximum without a quota increase, unless readTimeout says otherwise.
    expect(timeouts).toEqual(expect.arrayContaining([120, 20]));
  });

  test('gives a function served by several path patterns one origin per read timeout', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    const fn = plainFunction(stack, 'Fn');
    cdn.addFunction('/api/hello', fn);
    cdn.addFunction('/api/hello/', fn);
    cdn.addFunction('/api/slow', fn, { readTimeout: Duration.seconds(20) });
    cdn.addFunction('/api/slow/', fn, { readTimeout: Duration.seconds(20) });
    const config = distributionConfig(Template.fromStack(stack));
    // The default behaviour's origin, and the function's two (120 s and 20 s).
    expect(config.Origins).toHaveLength(3);
    const originIds = new Set(config.CacheBehaviors.map((b: { TargetOriginId: string }) => b.TargetOriginId));
    expect(originIds.size).toBe(2);
  });

  test('reuses the Function URL a function already has', () => {
    const stack = testStack('us-east-1');
    const fn = plainFunction(stack, 'Fn');
    fn.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.AWS_IAM,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() }).addFunction('/a', fn);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Url', 1);
  });

  test('grantCreateInvalidation allows invalidating this distribution only, without a dependency cycle', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    const fn = plainFunction(stack, 'Fn');
    cdn.addFunction('/a', fn);
    cdn.grantCreateInvalidation(fn);
    // Template.fromStack rejects templates with a dependency cycle.
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'cloudfront:CreateInvalidation',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                Match.arrayWith([{ Ref: template.getResourceId('AWS::CloudFront::Distribution') }]),
              ],
            },
          },
        ],
      },
    });
  });

  test("would form a dependency cycle if the grant went into the function role's default policy", () => {
    // The reason grantCreateInvalidation uses a standalone policy.
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    const fn = plainFunction(stack, 'Fn');
    cdn.addFunction('/a', fn);
    cdn.distribution.grantCreateInvalidation(fn);
    expect(() => Template.fromStack(stack)).toThrow(/dependency cycle/);
  });

  test('grantCreateInvalidation adds to the principal policy of a non-role grantee', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    const user = new iam.User(stack, 'User');
    expect(cdn.grantCreateInvalidation(user).success).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Users: [{ Ref: Match.stringLikeRegexp('^User') }],
    });
  });

  test('warns when the distribution has more cache behaviours than the default quota, and not at it', () => {
    const withPatterns = (count: number) => {
      const stack = testStack('us-east-1');
      const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
      const fn = plainFunction(stack, 'Fn');
      for (let i = 0; i < count; i++) cdn.addFunction(`/r${i}`, fn);
      return Annotations.fromStack(stack);
    };
    withPatterns(74).hasNoWarning('/Stack/Cdn', Match.stringLikeRegexp('cache behaviours'));
    withPatterns(75).hasWarning(
      '/Stack/Cdn',
      Match.stringLikeRegexp("76 cache behaviours; CloudFront's default quota is 75 per distribution"),
    );
  });

  test('throws when domainNames has no certificate', () => {
    expect(() => new Cdn(testStack('us-east-1'), 'Cdn', { domainNames: ['a.example.com'] })).toThrow(
      /Stack\/Cdn: domainNames \(a\.example\.com\) needs a certificate/,
    );
  });

  test('throws when certificate has no domainNames', () => {
    const stack = testStack('us-east-1');
    const certificate = acm.Certificate.fromCertificateArn(
      stack,
      'Cert',
      'arn:aws:acm:us-east-1:111111111111:certificate/abc',
    );
    expect(() => new Cdn(stack, 'Cdn', { certificate })).toThrow(
      /certificate is set but domainNames is empty/,
    );
  });

  test('throws when logBucket is set but enableLogging is false', () => {
    const stack = testStack('us-east-1');
    const logBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'logs');
    expect(() => new Cdn(stack, 'Cdn', { enableLogging: false, logBucket })).toThrow(
      /logBucket\/logFilePrefix are set but enableLogging is false/,
    );
  });

  test('throws when a pathPattern would match every path', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    expect(() => cdn.addFunction('/*', plainFunction(stack, 'Fn'))).toThrow(
      /pathPattern '\/\*' would match every path: pass the function as defaultFunction/,
    );
  });

  test('throws when a pathPattern has characters CloudFront rejects', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    expect(() => cdn.addFunction('/api/grüße', plainFunction(stack, 'Fn'))).toThrow(
      /pathPattern '\/api\/grüße' is not a CloudFront path pattern/,
    );
  });

  test('throws when a pathPattern is added twice', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    cdn.addFunction('/a', plainFunction(stack, 'A'));
    expect(() => cdn.addFunction('/a', plainFunction(stack, 'B'))).toThrow(
      /pathPattern '\/a' is already served by another function/,
    );
  });
});
