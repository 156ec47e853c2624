process.env.CDK_VALIDATION = 'false';

import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Names, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ImageOptimizer } from '../../lib/image-optimizer';
import { OriginProtection } from '../../lib/origin-protection';
import { Routing } from '../../lib/routing';
import { VercelProject, type VercelProjectProps } from '../../lib/vercel-project';
import { IMAGE_OPTIMIZER_CONFIG_ENV } from '../../runtime/image-optimizer/config';
import { testStack, writeProject } from './helpers';

const REPO = path.join(__dirname, '..', '..');
const EXAMPLES = path.join(REPO, 'examples');

function synth(props: Partial<VercelProjectProps> = {}, region = 'us-east-1') {
  const stack = testStack(region);
  const project = new VercelProject(stack, 'Project', { projectDir: EXAMPLES, ...props });
  return { stack, project, template: Template.fromStack(stack) };
}

function distributionConfig(template: Template) {
  return Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties
    .DistributionConfig;
}

describe('VercelProject', () => {
  test('creates one function per api/ route, one distribution and the two tables', () => {
    const { project, template } = synth();
    expect([...project.functions.keys()]).toEqual([
      '/api/after',
      '/api/hello',
      '/api/photo',
      '/api/revalidate',
      '/api/stream',
      '/api/products/[id]',
      '/api/stock/[id]',
      '/api/users/[id]',
    ]);
    // The eight routes' functions and the image optimizer of examples/vercel.json.
    template.resourceCountIs('AWS::Lambda::Url', 9);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
  });

  test('routes each path pattern to its function, longest routes first', () => {
    const { template } = synth();
    const patterns = distributionConfig(template).CacheBehaviors.map(
      (b: { PathPattern: string }) => b.PathPattern,
    );
    expect(patterns).toEqual([
      '/api/after/',
      '/api/hello/',
      '/api/photo/',
      '/api/revalidate/',
      '/api/stream/',
      '/api/products/*',
      '/api/stock/*',
      '/api/users/*',
      '/api/after',
      '/api/hello',
      '/api/photo',
      '/api/revalidate',
      '/api/stream',
      '/_vercel/image',
    ]);
  });

  test('orders nested dynamic routes before shorter wildcard routes', () => {
    const dir = writeProject([
      'api/users/[id].ts',
      'api/users/[id]/posts.ts',
      'api/users/me.ts',
      'api/index.ts',
    ]);
    try {
      const stack = testStack('us-east-1');
      new VercelProject(stack, 'Project', { projectDir: dir, projectRoot: dir });
      const patterns = distributionConfig(Template.fromStack(stack)).CacheBehaviors.map(
        (b: { PathPattern: string }) => b.PathPattern,
      );
      // A trailing-slash pattern ranks with the routes one segment longer, before them: `/api/users/*`
      // would take `/api/users/me/` otherwise (with an empty segment, which no route serves).
      expect(patterns).toEqual([
        '/api/users/*/posts/',
        '/api/users/me/',
        '/api/users/*/posts',
        '/api/users/me',
        '/api/users/*',
        '/api/',
        '/api',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("gives every function its route, the tables' names and the same deployment id", () => {
    const { project, template } = synth();
    const variables = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables)
      .filter((v) => v?.VERCEL_FUNCTIONS_AWS_ROUTE);
    expect(variables.map((v) => v.VERCEL_FUNCTIONS_AWS_ROUTE).sort()).toEqual(
      [...project.functions.keys()].sort(),
    );
    const deploymentIds = new Set(variables.map((v) => v.VERCEL_DEPLOYMENT_ID));
    expect(deploymentIds.size).toBe(1);
    expect([...deploymentIds][0]).toMatch(/^dpl_[0-9a-f]{24}$/);
    for (const v of variables) {
      expect(v).toMatchObject({
        VERCEL: '1',
        VERCEL_ENV: 'production',
        VERCEL_REGION: 'iad1',
        VERCEL_FUNCTIONS_AWS_CACHE_TABLE: { Ref: expect.stringMatching(/^ProjectCacheTable/) },
        VERCEL_FUNCTIONS_AWS_TAG_TABLE: { Ref: expect.stringMatching(/^ProjectTagTable/) },
      });
    }
  });

  test('grants each function the two tables and invalidation of this distribution only', () => {
    const { project, template } = synth();
    const distributionId = template.getResourceId('AWS::CloudFront::Distribution');
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p) =>
      JSON.stringify(p.Properties.PolicyDocument.Statement),
    );
    const invalidation = policies.filter((p) => p.includes('cloudfront:CreateInvalidation'));
    // The route functions and the invalidation sweeper.
    expect(invalidation).toHaveLength(project.functions.size + 1);
    for (const statement of invalidation) expect(statement).toContain(`{"Ref":"${distributionId}"}`);
    expect(policies.join()).not.toMatch(/"Resource":"\*"/);
  });

  test('uses the first custom domain as VERCEL_URL, VERCEL_PROJECT_PRODUCTION_URL and url', () => {
    const stack = testStack('us-east-1');
    const certificate = acm.Certificate.fromCertificateArn(
      stack,
      'Cert',
      'arn:aws:acm:us-east-1:111111111111:certificate/c',
    );
    const project = new VercelProject(stack, 'Project', {
      projectDir: EXAMPLES,
      domainNames: ['shop.example.com', 'www.shop.example.com'],
      certificate,
    });
    expect(project.url).toBe('https://shop.example.com');
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          VERCEL_URL: 'shop.example.com',
          VERCEL_PROJECT_PRODUCTION_URL: 'shop.example.com',
        }),
      },
    });
  });

  test('passes function settings, protection and replica regions through', () => {
    const { template } = synth(
      {
        maxDuration: 30,
        memory: 1024,
        environment: { FEATURE: 'on' },
        vercelEnv: 'preview',
        originProtection: OriginProtection.secretHeader(),
        replicaRegions: ['eu-west-1'],
      },
      'us-east-1',
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 30,
      MemorySize: 1024,
      Environment: { Variables: Match.objectLike({ FEATURE: 'on', VERCEL_ENV: 'preview' }) },
    });
    template.allResourcesProperties('AWS::Lambda::Url', { AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' });
    template.allResourcesProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: Match.arrayWith([Match.objectLike({ Region: 'eu-west-1' })]),
    });
  });

  test('throws when projectDir is not a folder', () => {
    expect(() => synth({ projectDir: 'no/such/folder' })).toThrow(
      /projectDir 'no\/such\/folder' is not a folder/,
    );
  });

  test('throws when projectDir has no functions', () => {
    const dir = writeProject([]);
    try {
      expect(() => synth({ projectDir: dir })).toThrow(
        /has no functions: expected files like api\/hello\.ts/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('routes at the edge when the routes exceed maxCacheBehaviors', () => {
    const { project, template } = synth({ maxCacheBehaviors: 4 });
    expect(project.edgeRouted).toBe(true);
    const config = distributionConfig(template);
    // Only the image optimizer keeps a behaviour of its own.
    expect(config.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual([
      '/_vercel/image',
    ]);
    expect(config.Origins).toHaveLength(9);
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 1);
    // Each function still checks its own route (the router only picks the origin).
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ VERCEL_FUNCTIONS_AWS_ROUTE: '/api/users/[id]' }) },
    });
  });

  test("keeps 30 routes on cache behaviours by default: CloudFront's quota is 75", () => {
    const files = Array.from({ length: 30 }, (_, i) => `api/r${i}.ts`);
    const dir = writeProject(files);
    try {
      const stack = testStack('us-east-1');
      const project = new VercelProject(stack, 'Project', { projectDir: dir });
      expect(project.edgeRouted).toBe(false);
      // Each with and without a trailing slash.
      expect(distributionConfig(Template.fromStack(stack)).CacheBehaviors).toHaveLength(60);
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('quota'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a raised maxCacheBehaviors is the quota the distribution is checked against: no warning under it', () => {
    const files = Array.from({ length: 40 }, (_, i) => `api/r${i}.ts`);
    const dir = writeProject(files);
    try {
      const stack = testStack('us-east-1');
      const project = new VercelProject(stack, 'Project', { projectDir: dir, maxCacheBehaviors: 100 });
      expect(project.edgeRouted).toBe(false);
      expect(distributionConfig(Template.fromStack(stack)).CacheBehaviors).toHaveLength(80);
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('cache behaviours'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('keeps cache behaviours while the routes fit, with Routing.auto()', () => {
    // The eight routes (the five ending in a literal segment take two), the image optimizer's
    // behaviour and the default one.
    const { project, template } = synth({ maxCacheBehaviors: 15 });
    expect(project.edgeRouted).toBe(false);
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 0);
    expect(synth({ maxCacheBehaviors: 14 }).project.edgeRouted).toBe(true);
  });

  test('routes at the edge whatever the count with Routing.edgeRouter()', () => {
    const { project, template } = synth({ routing: Routing.edgeRouter() });
    expect(project.edgeRouted).toBe(true);
    expect(
      distributionConfig(template).CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern),
    ).toEqual(['/_vercel/image']);
  });

  test('throws when the routes exceed maxCacheBehaviors with Routing.cacheBehaviors(), explaining the quota', () => {
    expect(() => synth({ maxCacheBehaviors: 4, routing: Routing.cacheBehaviors() })).toThrow(
      /the project has 8 routes, which take at least 13 cache behaviours \(a route ending in a literal segment takes two, for its path with and without a trailing slash: \/api\/hello and \/api\/hello\/\), but the distribution may have only 4 \(maxCacheBehaviors; one is the default behaviour and one the image optimizer's, so 2 for routes\)\. Use Routing\.edgeRouter\(\)/,
    );
  });

  test('throws when maxCacheBehaviors is not a whole number of at least 2', () => {
    expect(() => synth({ maxCacheBehaviors: 1 })).toThrow(
      /maxCacheBehaviors must be a whole number of at least 2, got 1/,
    );
  });

  test('throws when two files serve the same route', () => {
    const dir = writeProject(['api/hello.ts', 'api/hello.js']);
    try {
      expect(() => synth({ projectDir: dir })).toThrow(
        /projectDir's api\/ folder cannot be routed: .*both serve \/api\/hello/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('on projects whose files meet at a path', () => {
    const folders: string[] = [];
    afterAll(() => {
      for (const dir of folders) rmSync(dir, { recursive: true, force: true });
    });
    function project(files: string[], props: Partial<VercelProjectProps> = {}, vercelJson?: unknown) {
      const dir = writeProject(files, vercelJson);
      folders.push(dir);
      return synth({ projectDir: dir, enableInvalidationSweeper: false, ...props });
    }
    const functionIds = (p: VercelProject) =>
      p.node.children.filter((child) => child.node.id.startsWith('Route')).map((child) => child.node.id);

    test('gives user-profile.ts and user/profile.ts ids of their own, the one without a - keeping the plain id', () => {
      const one = project(['api/user-profile.ts', 'api/user/profile.ts', 'api/a-b/[id].ts']);
      expect(functionIds(one.project).sort()).toEqual([
        'Route-api-a-b-[id]',
        'Route-api-user-profile',
        'Route~-api-user~-profile',
      ]);
      const resources = one.template.toJSON().Resources;
      const routeOf = (id: string) => {
        const fn = one.project.node.findChild(id) as lambda.Function;
        const logicalId = one.stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
        return resources[logicalId].Properties.Environment.Variables.VERCEL_FUNCTIONS_AWS_ROUTE;
      };
      expect(routeOf('Route-api-user-profile')).toBe('/api/user/profile');
      expect(routeOf('Route~-api-user~-profile')).toBe('/api/user-profile');
    });

    test('escapes every route of a clash in which each path has a -, whatever the order of the files', () => {
      const forward = project(['api/a-b/c.ts', 'api/a/b-c.ts']);
      const backward = project(['api/a/b-c.ts', 'api/a-b/c.ts']);
      expect(functionIds(forward.project).sort()).toEqual(['Route~-api-a-b~-c', 'Route~-api-a~-b-c']);
      expect(functionIds(backward.project).sort()).toEqual(functionIds(forward.project).sort());
    });

    test('deploys users.ts for /api/users and warns that users/index.ts is shadowed, as Vercel serves the file', () => {
      const { stack, project: p } = project(['api/users.ts', 'api/users/index.ts', 'api/users/[id].ts']);
      expect([...p.functions.keys()]).toEqual(['/api/users', '/api/users/[id]']);
      expect(functionIds(p).sort()).toEqual(['Route-api-users', 'Route-api-users-[id]']);
      const description = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
        Properties: { Description: 'Vercel function api/users.ts' },
      });
      expect(Object.keys(description)).toHaveLength(1);
      Annotations.fromStack(stack).hasWarning(
        '/Stack/Project',
        Match.stringLikeRegexp(
          '^api/users/index\\.ts is not deployed: api/users\\.ts serves /api/users, as on Vercel, where a file wins over the index of the folder of the same name',
        ),
      );
    });

    test('keeps cache behaviours for trailingSlash: true, each literal route with its trailing-slash pattern', () => {
      const { project: p, template } = project(
        ['api/index.ts', 'api/[id].ts', 'api/only.ts'],
        {},
        { trailingSlash: true },
      );
      expect(p.edgeRouted).toBe(false);
      expect(
        distributionConfig(template).CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern),
      ).toEqual(['/api/only/', '/api/', '/api/only', '/api/*', '/api']);
    });

    test('leaves the trailing-slash patterns out for trailingSlash: false, which redirects the slash away', () => {
      const { template } = project(
        ['api/index.ts', 'api/[id].ts', 'api/only.ts'],
        {},
        { trailingSlash: false },
      );
      expect(
        distributionConfig(template).CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern),
      ).toEqual(['/api/only', '/api/*', '/api']);
    });

    const NESTED = ['api/users/[id]/posts.ts', 'api/users/[id]/posts/[postId].ts'];

    test('routes at the edge when a trailing-slash pattern would take the paths of a longer route', () => {
      expect(project(NESTED).project.edgeRouted).toBe(true);
      expect(project(NESTED, {}, { trailingSlash: false }).project.edgeRouted).toBe(false);
    });

    test('throws naming both files when Routing.cacheBehaviors() cannot tell them apart', () => {
      expect(() => project(NESTED, { routing: Routing.cacheBehaviors() })).toThrow(
        'api/users/[id]/posts.ts and api/users/[id]/posts/[postId].ts cannot both be served by cache behaviours: CloudFront takes the first matching path pattern, and its * matches several segments or none: /api/users/*/posts/* (/api/users/[id]/posts/[postId]) matches /api/users/x/posts/, which /api/users/[id]/posts serves, and /api/users/*/posts/ (/api/users/[id]/posts with a trailing slash) matches /api/users/x/posts/posts/, which /api/users/[id]/posts/[postId] serves, so no order of the patterns serves every path as Vercel does. Use Routing.auto() or Routing.edgeRouter(), or set trailingSlash: false in vercel.json.',
      );
    });
  });

  test('throws when a route has characters CloudFront path patterns cannot express, pointing to the edge router', () => {
    const dir = writeProject(['api/grüße.ts']);
    try {
      expect(() => synth({ projectDir: dir })).toThrow(
        /api\/grüße\.ts: the path segment 'grüße' has characters CloudFront path patterns cannot express .*use Routing\.edgeRouter\(\)/,
      );
      const { template } = synth({ projectDir: dir, routing: Routing.edgeRouter() });
      template.resourceCountIs('AWS::CloudFront::KeyValueStore', 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('with functions you bring', () => {
    function ownFunction(stack: Stack, runtime = lambda.Runtime.NODEJS_24_X) {
      return new lambda.Function(stack, 'Legacy', {
        runtime,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => {};'),
      });
    }

    test('serves a new route with your function and gives it what generated functions get', () => {
      const stack = testStack('us-east-1');
      const legacy = ownFunction(stack);
      const project = new VercelProject(stack, 'Project', {
        projectDir: EXAMPLES,
        functions: { '/api/legacy/[id]': legacy },
      });
      expect(project.functions.get('/api/legacy/[id]')).toBe(legacy);
      const template = Template.fromStack(stack);
      const legacyId = stack.getLogicalId(legacy.node.defaultChild as lambda.CfnFunction);
      const legacyProps = template.toJSON().Resources[legacyId].Properties;
      expect(legacyProps.Environment.Variables).toMatchObject({
        VERCEL: '1',
        VERCEL_ENV: 'production',
        VERCEL_REGION: 'iad1',
        VERCEL_FUNCTIONS_AWS_ROUTE: '/api/legacy/[id]',
        VERCEL_FUNCTIONS_AWS_CACHE_TABLE: { Ref: expect.stringMatching(/CacheTable/) },
        VERCEL_FUNCTIONS_AWS_TAG_TABLE: { Ref: expect.stringMatching(/TagTable/) },
        VERCEL_DEPLOYMENT_ID: expect.stringMatching(/^dpl_[0-9a-f]{24}$/),
      });
      const patterns = distributionConfig(template).CacheBehaviors.map(
        (b: { PathPattern: string }) => b.PathPattern,
      );
      expect(patterns).toEqual([
        '/api/after/',
        '/api/hello/',
        '/api/photo/',
        '/api/revalidate/',
        '/api/stream/',
        '/api/products/*',
        '/api/stock/*',
        '/api/users/*',
        '/api/legacy/*',
        '/api/after',
        '/api/hello',
        '/api/photo',
        '/api/revalidate',
        '/api/stream',
        '/_vercel/image',
      ]);
      template.hasResourceProperties('AWS::Lambda::Url', {
        TargetFunctionArn: { 'Fn::GetAtt': [legacyId, 'Arn'] },
        AuthType: 'AWS_IAM',
        InvokeMode: 'RESPONSE_STREAM',
      });
      const statements = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes('LegacyServiceRole'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      const actions = statements.flatMap((statement: { Action: string | string[] }) =>
        [statement.Action].flat(),
      );
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'cloudfront:CreateInvalidation']));
    });

    test('replaces the generated function of the same route', () => {
      const stack = testStack('us-east-1');
      const legacy = ownFunction(stack);
      const project = new VercelProject(stack, 'Project', {
        projectDir: EXAMPLES,
        functions: { '/api/hello': legacy },
      });
      expect(project.functions.get('/api/hello')).toBe(legacy);
      expect(stack.node.tryFindChild('Project')?.node.tryFindChild('Route-api-hello')).toBeUndefined();
      Template.fromStack(stack).resourceCountIs('AWS::Lambda::Url', 9);
    });

    test('routes your function at the edge like the others', () => {
      const stack = testStack('us-east-1');
      const legacy = ownFunction(stack);
      new VercelProject(stack, 'Project', {
        projectDir: EXAMPLES,
        routing: Routing.edgeRouter(),
        functions: { '/api/legacy': legacy },
      });
      const config = distributionConfig(Template.fromStack(stack));
      expect(config.Origins.map((o: { Id: string }) => o.Id)).toContain(Names.uniqueId(legacy));
    });

    test('throws when a route of functions is not a route path', () => {
      const stack = testStack('us-east-1');
      expect(
        () =>
          new VercelProject(stack, 'Project', {
            projectDir: EXAMPLES,
            functions: { legacy: ownFunction(stack) },
          }),
      ).toThrow(/Stack\/Project: functions has 'legacy': A route must be a path/);
    });

    test('throws when your function does not run Node.js', () => {
      const stack = testStack('us-east-1');
      expect(
        () =>
          new VercelProject(stack, 'Project', {
            projectDir: EXAMPLES,
            functions: { '/api/py': ownFunction(stack, lambda.Runtime.PYTHON_3_13) },
          }),
      ).toThrow(/Stack\/Legacy runs python3\.13; the Vercel runtime needs a Node\.js runtime/);
    });
  });
});

describe('VercelProject with vercel.json', () => {
  const folders: string[] = [];
  afterAll(() => {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  // A project with one route and `vercel.json` holding `contents` (JSON-encoded unless a string).
  function projectWithVercelJson(contents: unknown): string {
    const dir = writeProject(['api/hello.ts']);
    folders.push(dir);
    writeFileSync(
      path.join(dir, 'vercel.json'),
      typeof contents === 'string' ? contents : JSON.stringify(contents),
    );
    return dir;
  }

  function synthProject(projectDir: string, props: Partial<VercelProjectProps> = {}) {
    const stack = testStack('us-east-1');
    const project = new VercelProject(stack, 'Project', { projectDir, ...props });
    return { stack, project, template: Template.fromStack(stack) };
  }

  function optimizerFunctions(template: Template) {
    return Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.[IMAGE_OPTIMIZER_CONFIG_ENV] !== undefined,
    );
  }

  test('serves examples/ images at /_vercel/image with the sizes and formats of its vercel.json', () => {
    const { stack, project, template } = synth();
    expect(project.imageOptimizer).toBeInstanceOf(ImageOptimizer);
    expect(project.imageOptimizer?.node.path).toBe('Stack/Project/Images');
    const [fn] = optimizerFunctions(template);
    expect(fn.Properties.Architectures).toEqual(['arm64']);
    expect(JSON.parse(fn.Properties.Environment.Variables[IMAGE_OPTIMIZER_CONFIG_ENV])).toEqual({
      sizes: [256, 640, 1080, 1920],
      formats: ['image/avif', 'image/webp'],
    });
    const image = distributionConfig(template).CacheBehaviors.find(
      (b: { PathPattern: string }) => b.PathPattern === '/_vercel/image',
    );
    expect(image.FunctionAssociations).toEqual([
      {
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/^ProjectImagesViewerRequest/), 'FunctionARN'] },
      },
    ]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test("gives the optimizer of vercel.json the project's architecture and minimumCacheTTL in seconds", () => {
    const dir = projectWithVercelJson({ images: { sizes: [640], minimumCacheTTL: 60 } });
    const { project, template } = synthProject(dir, { architecture: lambda.Architecture.X86_64 });
    expect(project.imageOptimizer?.config).toMatchObject({ sizes: [640], minimumCacheTTL: 60 });
    expect(optimizerFunctions(template).map((fn) => fn.Properties.Architectures)).toEqual([['x86_64']]);
  });

  test('uses the imageOptimizer prop instead of vercel.json images, with a warning', () => {
    const dir = projectWithVercelJson({ images: { sizes: [640] } });
    const stack = testStack('us-east-1');
    const imageOptimizer = new ImageOptimizer(stack, 'Mine', { sizes: [1080] });
    const project = new VercelProject(stack, 'Project', { projectDir: dir, imageOptimizer });
    const template = Template.fromStack(stack);
    expect(project.imageOptimizer).toBe(imageOptimizer);
    expect(project.node.tryFindChild('Images')).toBeUndefined();
    expect(optimizerFunctions(template)).toHaveLength(1);
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Project',
      Match.stringLikeRegexp(
        `imageOptimizer is set, so the images of ${path.join(dir, 'vercel.json')} are ignored`,
      ),
    );
  });

  test('warns once, naming the vercel.json keys it does not apply and the props to use instead', () => {
    const dir = projectWithVercelJson({
      $schema: 'https://openapi.vercel.sh/vercel.json',
      rewrites: [{ source: '/(.*)', destination: '/api/hello' }],
      cleanUrls: true,
      regions: ['fra1'],
      crons: [{ path: '/api/hello', schedule: '0 5 * * *' }],
      imagez: {},
    });
    const { stack, project } = synthProject(dir);
    expect(project.imageOptimizer).toBeUndefined();
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      `${path.join(dir, 'vercel.json')} sets cleanUrls, regions (use VercelProject's regions): VercelProject does not apply them, so they have no effect on AWS. It also sets imagez, not a documented vercel.json key (ignored). Only images (an ImageOptimizer at /_vercel/image), functions (memory, maxDuration and architecture per function), crons (EventBridge Scheduler schedules) and redirects, rewrites, headers and trailingSlash (CloudFront Functions) are applied. [ack: vercel-functions-aws:vercelJsonKeysIgnored]`,
    ]);
  });

  test('stays silent about $schema', () => {
    const dir = projectWithVercelJson({ $schema: 'https://openapi.vercel.sh/vercel.json' });
    const { stack } = synthProject(dir);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('throws when vercel.json is not valid JSON', () => {
    const dir = projectWithVercelJson('{ "images": ');
    expect(() => synthProject(dir)).toThrow(
      `Stack/Project: ${path.join(dir, 'vercel.json')}: not valid JSON: `,
    );
  });

  test('throws when vercel.json does not hold an object', () => {
    const dir = projectWithVercelJson([]);
    expect(() => synthProject(dir)).toThrow(
      `Stack/Project: ${path.join(dir, 'vercel.json')}: must hold a JSON object, got an array`,
    );
  });

  test('throws when images is not an object', () => {
    const dir = projectWithVercelJson({ images: true });
    expect(() => synthProject(dir)).toThrow(
      `Stack/Project: ${path.join(dir, 'vercel.json')}: images must be an object, got true`,
    );
  });

  test('throws when images has a field Vercel does not document', () => {
    const dir = projectWithVercelJson({ images: { sizes: [640], deviceSizes: [640] } });
    expect(() => synthProject(dir)).toThrow(
      `Stack/Project: ${path.join(dir, 'vercel.json')}: images has an unknown field 'deviceSizes' (known: sizes, qualities, formats, domains, remotePatterns, localPatterns, minimumCacheTTL, dangerouslyAllowSVG, contentSecurityPolicy, contentDispositionType)`,
    );
  });

  test('throws when a size is not a width the optimizer can serve', () => {
    const dir = projectWithVercelJson({ images: { sizes: [640, 0] } });
    expect(() => synthProject(dir)).toThrow(
      `Stack/Project: ${path.join(dir, 'vercel.json')}: images.sizes[1] must be a whole number from 1 to 16383, got 0`,
    );
  });
});
