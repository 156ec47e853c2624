process.env.CDK_VALIDATION = 'false';

import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Cdn, type CdnProps } from '../../lib/cdn';
import { ImageOptimizer } from '../../lib/image-optimizer';
import { OriginProtection } from '../../lib/origin-protection';
import { plainFunction, testStack } from './helpers';

// CloudFront's "Cache behaviors per distribution" and "Origins per distribution" are checked on what
// the distribution renders at synth, whoever added the behaviours and origins.

function cdnWithPatterns(count: number, props: Omit<CdnProps, 'originProtection'> = {}) {
  const stack = testStack('us-east-1');
  const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac(), ...props });
  const fn = plainFunction(stack, 'Fn');
  for (let i = 0; i < count; i++) cdn.addFunction(`/r${i}`, fn);
  return { stack, cdn };
}

function withImageOptimizer(stack: Stack, cdn: Cdn): void {
  new ImageOptimizer(stack, 'Images').addToCdn(cdn);
}

// Imported functions: a hundred created ones would outgrow CloudFormation's 500 resources per stack.
function importedFunctions(stack: Stack, count: number, prefix: string): lambda.IFunction[] {
  return Array.from({ length: count }, (_, i) =>
    lambda.Function.fromFunctionAttributes(stack, `${prefix}${i}`, {
      functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${prefix}${i}`,
      sameEnvironment: true,
    }),
  );
}

function warnings(stack: Stack, about: string): string[] {
  return Annotations.fromStack(stack)
    .findWarning('/Stack/Cdn', Match.stringLikeRegexp(about))
    .map((entry) => String(entry.entry.data));
}

function renderedConfig(stack: Stack) {
  const distribution = Object.values(
    Template.fromStack(stack).findResources('AWS::CloudFront::Distribution'),
  )[0];
  return distribution.Properties.DistributionConfig as { CacheBehaviors?: unknown[]; Origins: unknown[] };
}

describe('Cdn cache behaviour quota', () => {
  test("counts an ImageOptimizer's behaviour: 74 functions and the optimizer warn, 73 do not", () => {
    const over = cdnWithPatterns(74);
    withImageOptimizer(over.stack, over.cdn);
    expect(renderedConfig(over.stack).CacheBehaviors).toHaveLength(75);
    expect(warnings(over.stack, 'cache behaviours')).toEqual([
      expect.stringMatching(
        /^The distribution has 76 cache behaviours; CloudFront's default quota is 75 per distribution, the default behaviour included .* \[ack: vercel-functions-aws:cacheBehaviorQuota\]$/,
      ),
    ]);

    const at = cdnWithPatterns(73);
    withImageOptimizer(at.stack, at.cdn);
    expect(renderedConfig(at.stack).CacheBehaviors).toHaveLength(74);
    expect(warnings(at.stack, 'cache behaviours')).toEqual([]);
  });

  test('warns against cacheBehaviorQuota when given, naming it', () => {
    expect(warnings(cdnWithPatterns(99, { cacheBehaviorQuota: 100 }).stack, 'cache behaviours')).toEqual([]);
    expect(warnings(cdnWithPatterns(100, { cacheBehaviorQuota: 100 }).stack, 'cache behaviours')).toEqual([
      expect.stringContaining(
        'The distribution has 101 cache behaviours; the quota given as cacheBehaviorQuota is 100 per distribution',
      ),
    ]);
  });

  test.each([0, 1.5, Number.NaN])('throws for a cacheBehaviorQuota of %p', (quota) => {
    expect(() => cdnWithPatterns(0, { cacheBehaviorQuota: quota })).toThrow(
      `cacheBehaviorQuota must be a whole number of at least 1 (the default behaviour counts), got ${quota}`,
    );
  });

  test('counts behaviours added with distribution.addBehavior', () => {
    const { stack, cdn } = cdnWithPatterns(74);
    cdn.distribution.addBehavior('/static/*', new origins.HttpOrigin('assets.example.com'));
    expect(warnings(stack, 'cache behaviours')).toEqual([
      expect.stringContaining('The distribution has 76 cache behaviours;'),
    ]);
  });

  test('warns once, with the final count, however many functions are past the quota', () => {
    const { stack } = cdnWithPatterns(80);
    expect(warnings(stack, 'cache behaviours')).toEqual([
      expect.stringContaining('The distribution has 81 cache behaviours;'),
    ]);
  });

  test('counts the edge router as the default behaviour only, whatever its routes', () => {
    const routed = (patterns: number, images: boolean) => {
      const stack = testStack('us-east-1');
      const routes = Object.fromEntries(
        importedFunctions(stack, 3, 'Routed').map((fn, i) => [`/api/r${i}/[id]`, fn]),
      );
      const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac(), routes });
      const fn = plainFunction(stack, 'Fn');
      for (let i = 0; i < patterns; i++) cdn.addFunction(`/p${i}`, fn);
      if (images) withImageOptimizer(stack, cdn);
      return stack;
    };
    expect(warnings(routed(74, false), 'cache behaviours')).toEqual([]);
    expect(warnings(routed(73, true), 'cache behaviours')).toEqual([]);
    expect(warnings(routed(74, true), 'cache behaviours')).toEqual([
      expect.stringContaining('The distribution has 76 cache behaviours;'),
    ]);
  });
});

describe('Cdn origin quota', () => {
  const routedCdn = (routedCount: number) => {
    const stack = testStack('us-east-1');
    const routes = Object.fromEntries(
      importedFunctions(stack, routedCount, 'Routed').map((fn, i) => [`/api/r${i}`, fn]),
    );
    const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac(), routes });
    return { stack, cdn };
  };

  test("counts an ImageOptimizer's origin next to the routed functions'", () => {
    const over = routedCdn(100);
    withImageOptimizer(over.stack, over.cdn);
    expect(renderedConfig(over.stack).Origins).toHaveLength(101);
    expect(warnings(over.stack, 'origins')).toEqual([
      expect.stringMatching(
        /^The distribution has 101 origins .*; CloudFront's "Origins per distribution" quota has a documented default of 100\. .* \[ack: vercel-functions-aws:originQuota\]$/,
      ),
    ]);

    const at = routedCdn(99);
    withImageOptimizer(at.stack, at.cdn);
    expect(warnings(at.stack, 'origins')).toEqual([]);
  });

  test("counts addFunction's and addBehavior's origins, and warns once", () => {
    const { stack, cdn } = routedCdn(99);
    importedFunctions(stack, 3, 'Extra').forEach((fn, i) => {
      cdn.addFunction(`/extra${i}`, fn);
    });
    cdn.distribution.addBehavior('/static/*', new origins.HttpOrigin('assets.example.com'));
    expect(warnings(stack, 'origins')).toEqual([
      expect.stringContaining('The distribution has 103 origins '),
    ]);
  });

  test("counts the not-found behaviour's placeholder origin", () => {
    const withFunctions = (count: number) => {
      const stack = testStack('us-east-1');
      const cdn = new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
      importedFunctions(stack, count, 'Fn').forEach((fn, i) => {
        cdn.addFunction(`/f${i}`, fn);
      });
      return stack;
    };
    // The function origins and example.org, which answers nothing but a behaviour needs.
    expect(warnings(withFunctions(99), 'origins')).toEqual([]);
    expect(warnings(withFunctions(100), 'origins')).toEqual([
      expect.stringContaining('The distribution has 101 origins '),
    ]);
  });
});
