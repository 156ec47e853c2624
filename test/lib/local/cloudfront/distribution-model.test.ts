import type { Stack } from 'aws-cdk-lib';
import { Cdn } from '../../../../lib/cdn';
import {
  type AssemblyStack,
  type CfnTemplate,
  CloudFrontEmulationError,
  readDistribution,
  StackResolver,
} from '../../../../lib/local/cloudfront';
import { cloudFrontFunctionSource } from '../../../../lib/private/cloudfront-function-code';
import { plainFunction } from '../../helpers';
import { cleanUp, synthesize } from './helpers';

afterAll(cleanUp);

describe('readDistribution', () => {
  let stack: AssemblyStack;
  beforeAll(() => {
    stack = synthesize((scope: Stack) => {
      const cdn = new Cdn(scope, 'Cdn', {
        enableLogging: false,
        routes: { '/api/users/[id]': plainFunction(scope, 'Users') },
      });
      cdn.addFunction('/api/hello', plainFunction(scope, 'Hello'));
    });
  });

  test("reads the Cdn's behaviours, policies, functions, key value store and edge function from the template", () => {
    const model = readDistribution(new StackResolver(stack));
    expect(model.behaviors.map((behavior) => behavior.pathPattern)).toEqual(['/api/hello']);
    expect(model.cacheTagHeader).toBe('Vercel-Cache-Tag');
    const [hello] = model.behaviors;
    expect(hello.cachePolicy).toMatchObject({
      minTtl: 0,
      defaultTtl: 0,
      maxTtl: 31_536_000,
      headers: { behavior: 'whitelist', names: ['x-forwarded-host'] },
    });
    expect(hello.originRequestPolicy?.name).toBe('Managed-AllViewerExceptHostHeader');
    expect(hello.responseHeadersPolicy?.removeHeaders).toEqual(['vercel-cache-tag']);
    expect(hello.viewerRequest?.code).toBe(cloudFrontFunctionSource('viewer-request'));
    expect(hello.viewerResponse?.runtime).toBe('cloudfront-js-2.0');
    expect(hello.originRequest).toMatchObject({ eventType: 'origin-request', includeBody: true });
    expect(model.origins.get(hello.targetOriginId)?.originAccessControl).toEqual({
      signingBehavior: 'always',
      originType: 'lambda',
    });
    const router = model.defaultBehavior.viewerRequest!;
    expect(router.keyValueStores).toHaveLength(1);
    expect(router.code).toContain(`cf.kvs('${router.keyValueStores[0].id}')`);
    expect(router.keyValueStores[0].entries.get('/api/users/*')).toMatch(/^\{"o":"/);
    // The Cdn sets the error caching minimum TTL to 0 (CloudFront's default is 10 s).
    expect(model.errorCachingMinTtl.get(404)).toBe(0);
  });

  test('throws when the template uses what the emulation does not implement', () => {
    const template = stack.template as CfnTemplate;
    const distributionId = Object.keys(template.Resources).find(
      (id) => template.Resources[id].Type === 'AWS::CloudFront::Distribution',
    )!;
    const config = template.Resources[distributionId].Properties!.DistributionConfig as Record<
      string,
      unknown
    >;
    const withConfig = (change: Record<string, unknown>): AssemblyStack => ({
      ...stack,
      template: {
        Resources: {
          ...template.Resources,
          [distributionId]: {
            Type: 'AWS::CloudFront::Distribution',
            Properties: { DistributionConfig: { ...config, ...change } },
          },
        },
      },
    });
    const read = (change: Record<string, unknown>) => () =>
      readDistribution(new StackResolver(withConfig(change)));
    const defaultBehavior = config.DefaultCacheBehavior as Record<string, unknown>;
    expect(
      read({ DefaultCacheBehavior: { ...defaultBehavior, CachePolicyId: undefined, ForwardedValues: {} } }),
    ).toThrow(/legacy cache settings/);
    expect(read({ DefaultCacheBehavior: { ...defaultBehavior, CachePolicyId: '00000000-unknown' } })).toThrow(
      /is 00000000-unknown: neither a AWS::CloudFront::CachePolicy of the template nor a managed policy/,
    );
    expect(read({ CustomErrorResponses: [{ ErrorCode: 404, ResponsePagePath: '/404.html' }] })).toThrow(
      /replaces the error page/,
    );
    expect(read({ DefaultCacheBehavior: { ...defaultBehavior, TargetOriginId: 'nowhere' } })).toThrow(
      /names nowhere, which is not an origin/,
    );
    expect(read({})).not.toThrow();
    expect(() => readDistribution(new StackResolver(stack), 'Other')).toThrow(CloudFrontEmulationError);
  });
});
