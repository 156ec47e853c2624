process.env.CDK_VALIDATION = 'false';

import { rmSync } from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ImageOptimizer } from '../../lib/image-optimizer';
import { Routing } from '../../lib/routing';
import { VercelProject, type VercelProjectProps } from '../../lib/vercel-project';
import { testStack, writeProject } from './helpers';

// VercelProject's imageOptimizer prop on a throwaway project with three routes.

let dir: string;
beforeAll(() => {
  dir = writeProject(['api/a.ts', 'api/b.ts', 'api/c.ts']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function synth(props: Partial<VercelProjectProps> = {}, images = true) {
  const stack = testStack('us-east-1');
  const imageOptimizer = images ? new ImageOptimizer(stack, 'Images', { sizes: [640, 1080] }) : undefined;
  const project = new VercelProject(stack, 'Project', { projectDir: dir, imageOptimizer, ...props });
  return { stack, project, template: Template.fromStack(stack) };
}

function behaviors(template: Template): { PathPattern: string; TargetOriginId: string }[] {
  const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  return distribution.Properties.DistributionConfig.CacheBehaviors;
}

describe('VercelProject with imageOptimizer', () => {
  test('serves the optimizer at /_vercel/image next to the routes', () => {
    const { project, template } = synth();
    expect(behaviors(template).map((b) => b.PathPattern)).toEqual([
      '/api/a/',
      '/api/b/',
      '/api/c/',
      '/api/a',
      '/api/b',
      '/api/c',
      '/_vercel/image',
    ]);
    expect(project.imageOptimizer).toBeInstanceOf(ImageOptimizer);
    template.resourceCountIs('AWS::Lambda::Url', 4);
  });

  test('serves the optimizer next to the edge router', () => {
    const { project, template } = synth({ routing: Routing.edgeRouter() });
    expect(project.edgeRouted).toBe(true);
    expect(behaviors(template).map((b) => b.PathPattern)).toEqual(['/_vercel/image']);
  });

  test("counts the optimizer's behaviour against maxCacheBehaviors", () => {
    // The three routes' six behaviours (with and without a trailing slash) + the default one fit in
    // 7; the optimizer's behaviour does not.
    expect(synth({ maxCacheBehaviors: 7 }, false).project.edgeRouted).toBe(false);
    expect(synth({ maxCacheBehaviors: 7 }).project.edgeRouted).toBe(true);
    expect(synth({ maxCacheBehaviors: 8 }).project.edgeRouted).toBe(false);
  });

  test('throws when the routes and the optimizer exceed maxCacheBehaviors with Routing.cacheBehaviors()', () => {
    expect(() => synth({ maxCacheBehaviors: 4, routing: Routing.cacheBehaviors() })).toThrow(
      "Stack/Project: the project has 3 routes, which take at least 6 cache behaviours (a route ending in a literal segment takes two, for its path with and without a trailing slash: /api/hello and /api/hello/), but the distribution may have only 4 (maxCacheBehaviors; one is the default behaviour and one the image optimizer's, so 2 for routes).",
    );
  });

  test('has no image behaviour without imageOptimizer', () => {
    const { project, template } = synth({}, false);
    expect(project.imageOptimizer).toBeUndefined();
    expect(behaviors(template).map((b) => b.PathPattern)).not.toContain('/_vercel/image');
  });

  test('reports no unacknowledged cdk-nag AwsSolutions errors', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'ImagesProject', { env: { region: 'eu-west-1' } });
    new VercelProject(stack, 'Project', {
      projectDir: dir,
      imageOptimizer: new ImageOptimizer(stack, 'Images'),
    });
    expect(() => app.synth()).not.toThrow();
  });
});
