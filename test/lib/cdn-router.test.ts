process.env.CDK_VALIDATION = 'false';

import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Names, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Cdn, type CdnProps } from '../../lib/cdn';
import { OriginProtection } from '../../lib/origin-protection';
import { cloudFrontFunctionSource } from '../../lib/private/cloudfront-function-code';
import { compileRoutingRules } from '../../lib/private/vercel-json-routes';
import { plainFunction, testStack } from './helpers';

// The edge router (Cdn `routes`): one default behaviour whose CloudFront Function reads the route
// table from a KeyValueStore and selects one origin per function. The function's matching code is
// tested in node:vm by cloudfront-functions.test.ts; this file tests what is synthesized.

function routedCdn(routeNames: string[], props: Partial<CdnProps> = {}, protection = OriginProtection.oac()) {
  const stack = testStack('us-east-1');
  const functions = routeNames.map((_route, i) => plainFunction(stack, `Fn${i}`));
  const cdn = new Cdn(stack, 'Cdn', {
    originProtection: protection,
    routes: Object.fromEntries(routeNames.map((route, i) => [route, functions[i]])),
    ...props,
  });
  return { stack, cdn, functions, template: Template.fromStack(stack) };
}

function distributionConfig(template: Template) {
  return Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties
    .DistributionConfig;
}

function routerFunction(template: Template) {
  const [id, resource] = Object.entries(template.findResources('AWS::CloudFront::Function')).find(([, f]) =>
    String(f.Properties.FunctionConfig.Comment).endsWith('router'),
  )!;
  return { id, Properties: resource.Properties };
}

const ROUTES = ['/api/hello', '/api/users/[id]', '/api/users/me'];

describe('Cdn edge router', () => {
  test('serves every route from the default behaviour through the router function, without other behaviours', () => {
    const { template } = routedCdn(ROUTES);
    const config = distributionConfig(template);
    expect(config.CacheBehaviors).toBeUndefined();
    const routerId = routerFunction(template).id;
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual(
      expect.arrayContaining([
        { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [routerId, 'FunctionARN'] } },
      ]),
    );
    expect(config.DefaultCacheBehavior.AllowedMethods).toHaveLength(7);
  });

  test('gives each function its own origin, with the id the route table names', () => {
    const { template, functions } = routedCdn(ROUTES);
    const ids = distributionConfig(template).Origins.map((origin: { Id: string }) => origin.Id);
    expect(ids.sort()).toEqual(functions.map((fn) => Names.uniqueId(fn)).sort());
    // The behaviour's own origin is the most specific route's function; the router picks per request.
    expect(distributionConfig(template).DefaultCacheBehavior.TargetOriginId).toBe(
      Names.uniqueId(functions[0]),
    );
  });

  test('associates the route table with the router and names it in the code', () => {
    const { template } = routedCdn(ROUTES);
    const storeId = template.getResourceId('AWS::CloudFront::KeyValueStore');
    const router = routerFunction(template);
    expect(router.Properties.FunctionConfig).toMatchObject({
      Runtime: 'cloudfront-js-2.0',
      KeyValueStoreAssociations: [{ KeyValueStoreARN: { 'Fn::GetAtt': [storeId, 'Arn'] } }],
    });
    const code = router.Properties.FunctionCode['Fn::Join'][1];
    expect(code).toContainEqual({ 'Fn::GetAtt': [storeId, 'Id'] });
    expect(code.join('')).toMatch(/^import cf from 'cloudfront';\nconst [\w$]+=cf\.kvs\('/);
    expect(code.join('')).toMatch(/[\w$]+='';/);
    template.hasResourceProperties('AWS::CloudFront::KeyValueStore', {
      ImportSource: { SourceType: 'S3', SourceArn: Match.anyValue() },
    });
  });

  test('names the route table after its content, so changed routes get a new store', () => {
    const name = (routes: string[]) =>
      Object.values(routedCdn(routes).template.findResources('AWS::CloudFront::KeyValueStore'))[0].Properties
        .Name as string;
    expect(name(ROUTES)).toBe(name(ROUTES));
    expect(name(ROUTES)).not.toBe(name([...ROUTES, '/api/extra']));
    expect(name(ROUTES)).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    // KeyValueStore names are unique per account: the region keeps two regions' stores apart.
    expect(name(ROUTES)).toMatch(/^StackCdn[0-9A-F]{8}-us-east-1-[0-9a-f]{12}$/);
  });

  test('stages the route table from the cloud assembly folder, not from a new temporary folder per synth', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'cdn-router-test-'));
    try {
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Stack', { env: { region: 'us-east-1' } });
      // A route no other synth has, to find this table's data wherever it was written.
      const route = `/api/${randomUUID()}`;
      new Cdn(stack, 'Cdn', {
        originProtection: OriginProtection.oac(),
        routes: { [route]: plainFunction(stack, 'Fn') },
      });
      app.synth();
      const holding = (dir: string) =>
        readdirSync(dir).filter((name) => {
          const file = path.join(dir, name);
          const data = statSync(file).isDirectory() ? path.join(file, 'data.json') : file;
          return existsSync(data) && statSync(data).isFile() && readFileSync(data, 'utf8').includes(route);
        });
      // The staged asset the template's ImportSource names, and the file it was staged from.
      expect(holding(outdir)).toEqual([
        expect.stringMatching(/^asset\.[0-9a-f]{64}\.json$/),
        expect.stringMatching(/^vercel-functions-aws-route-table\.[0-9a-f]{64}\.json$/),
      ]);
      // ImportSource.fromInline wrote each table into a new os.tmpdir()/key-value-store* folder.
      expect(holding(tmpdir()).filter((name) => name.startsWith('key-value-store'))).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test.each([
    ['oac()', OriginProtection.oac()],
    ['oacWithBodySigning()', OriginProtection.oacWithBodySigning()],
  ])('protects every origin with origin access control under %s', (_, protection) => {
    const { template } = routedCdn(ROUTES, {}, protection);
    const origins = distributionConfig(template).Origins;
    expect(origins).toHaveLength(3);
    for (const origin of origins) expect(origin.OriginAccessControlId).toBeDefined();
    const urls = Object.values(template.findResources('AWS::Lambda::Url'));
    expect(urls.map((url) => url.Properties)).toEqual(
      Array(3).fill({
        AuthType: 'AWS_IAM',
        InvokeMode: 'RESPONSE_STREAM',
        TargetFunctionArn: expect.anything(),
      }),
    );
    // Each function may be invoked by this distribution only — none by '*'.
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (p) => p.Properties,
    );
    expect(permissions).toHaveLength(6);
    for (const permission of permissions) {
      expect(permission.Principal).toBe('cloudfront.amazonaws.com');
      expect(JSON.stringify(permission.SourceArn)).toContain(
        template.getResourceId('AWS::CloudFront::Distribution'),
      );
    }
  });

  test('runs the body signer on the router behaviour with oacWithBodySigning()', () => {
    const { template } = routedCdn(ROUTES, {}, OriginProtection.oacWithBodySigning());
    expect(distributionConfig(template).DefaultCacheBehavior.LambdaFunctionAssociations).toEqual([
      expect.objectContaining({ EventType: 'origin-request', IncludeBody: true }),
    ]);
  });

  test('sends the origin secret to every origin and gives every function its ARN with secretHeader()', () => {
    const { template } = routedCdn(ROUTES, {}, OriginProtection.secretHeader());
    const secretId = template.getResourceId('AWS::SecretsManager::Secret');
    for (const origin of distributionConfig(template).Origins) {
      expect(origin.OriginCustomHeaders).toEqual([
        expect.objectContaining({ HeaderName: 'x-vfa-origin-secret' }),
      ]);
    }
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(3);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables.VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN).toEqual({
        Ref: secretId,
      });
    }
    template.resourceCountIs('AWS::Lambda::Url', 3);
    template.allResourcesProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
  });

  test('routes unmatched paths to defaultFunction when given', () => {
    const stack = testStack('us-east-1');
    const fallback = plainFunction(stack, 'Fallback');
    new Cdn(stack, 'Cdn', {
      originProtection: OriginProtection.oac(),
      defaultFunction: fallback,
      routes: { '/api/hello': plainFunction(stack, 'Hello') },
    });
    const template = Template.fromStack(stack);
    expect(distributionConfig(template).DefaultCacheBehavior.TargetOriginId).toBe(Names.uniqueId(fallback));
    expect(routerFunction(template).Properties.FunctionCode['Fn::Join'][1].join('')).toMatch(
      new RegExp(`[\\w$]+='${Names.uniqueId(fallback)}';`),
    );
  });

  test('shares one origin between routes served by the same function', () => {
    const stack = testStack('us-east-1');
    const fn = plainFunction(stack, 'Fn');
    new Cdn(stack, 'Cdn', {
      originProtection: OriginProtection.oac(),
      routes: { '/api/a': fn, '/api/b': fn },
    });
    const template = Template.fromStack(stack);
    expect(distributionConfig(template).Origins).toHaveLength(1);
    template.resourceCountIs('AWS::Lambda::Url', 1);
  });

  test('keeps cache behaviours added with addFunction ahead of the router', () => {
    const stack = testStack('us-east-1');
    const cdn = new Cdn(stack, 'Cdn', {
      originProtection: OriginProtection.oac(),
      routes: Object.fromEntries(ROUTES.map((route, i) => [route, plainFunction(stack, `Fn${i}`)])),
    });
    cdn.addFunction('/legacy/*', plainFunction(stack, 'Legacy'));
    const config = distributionConfig(Template.fromStack(stack));
    expect(config.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual(['/legacy/*']);
    expect(config.Origins).toHaveLength(4);
  });

  test('warns when the functions exceed the documented origins quota, and not at it', () => {
    // Imported functions: a hundred created ones would outgrow CloudFormation's 500 resources per stack.
    const annotations = (count: number) => {
      const stack = testStack('us-east-1');
      const routes = Array.from({ length: count }, (_, i) => [
        `/api/r${i}`,
        lambda.Function.fromFunctionAttributes(stack, `Fn${i}`, {
          functionArn: `arn:aws:lambda:us-east-1:123456789012:function:r${i}`,
          sameEnvironment: true,
        }),
      ]);
      new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac(), routes: Object.fromEntries(routes) });
      return Annotations.fromStack(stack);
    };
    annotations(100).hasNoWarning('/Stack/Cdn', Match.stringLikeRegexp('origins'));
    annotations(101).hasWarning(
      '/Stack/Cdn',
      Match.stringLikeRegexp(
        '101 origins .* "Origins per distribution" quota has a documented default of 100',
      ),
    );
  });

  test('throws when a route is not a route path', () => {
    expect(() => routedCdn(['api/hello'])).toThrow(
      /Stack\/Cdn: routes has 'api\/hello': A route must be a path/,
    );
  });

  test('throws when two routes serve the same paths', () => {
    expect(() => routedCdn(['/api/[a]', '/api/[b]'])).toThrow(
      /routes cannot be routed at the edge: the routes \/api\/\[a\] and \/api\/\[b\] serve the same paths/,
    );
  });

  test('throws when a route segment has characters the route table cannot match', () => {
    expect(() => routedCdn(['/api/a*b'])).toThrow(
      /routes has '\/api\/a\*b', whose segment 'a\*b' has characters a route table cannot match/,
    );
  });

  test("throws when a function's existing URL does not stream", () => {
    const stack = testStack('us-east-1');
    const fn = plainFunction(stack, 'Fn');
    fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    expect(
      () => new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac(), routes: { '/api/x': fn } }),
    ).toThrow(
      /the Function URL of Stack\/Fn has invoke mode BUFFERED, but the adapter streams its responses/,
    );
  });
});

describe('Cdn edge router code size', () => {
  // 100 rewrites, the first one `pad` characters longer: the router's code grows by one byte a character.
  const rules = (pad: number) => ({
    rewrites: Array.from({ length: 100 }, (_, i) => ({
      source: `/old-page-${i}${i === 0 ? 'x'.repeat(pad) : ''}`,
      destination: '/api/hello',
    })),
  });
  // The code as CloudFront stores it: the route table id resolved to a 36-character KeyValueStore id.
  const deployedBytes = (pad: number) =>
    Buffer.byteLength(
      cloudFrontFunctionSource(
        'router',
        { __VFA_ROUTE_TABLE_ID__: 'a'.repeat(36), __VFA_FALLBACK_ORIGIN_ID__: '' },
        compileRoutingRules('routingRules', rules(pad))!.routes,
      ),
    );
  const fittingPad = 10_240 - deployedBytes(0);

  test('synthesizes a router whose code is exactly 10240 bytes once its KeyValueStore id is resolved', () => {
    expect(fittingPad).toBeGreaterThan(0);
    const { template } = routedCdn(['/api/hello'], { routingRules: rules(fittingPad) });
    const code = routerFunction(template).Properties.FunctionCode;
    // The id is a token CloudFormation resolves into the code: the rest is the code's literal text.
    const parts = code['Fn::Join'][1] as unknown[];
    expect(parts.filter((part) => typeof part !== 'string')).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^CdnRouteTable/), 'Id'] },
    ]);
    const literal = parts.filter((part): part is string => typeof part === 'string').join('');
    expect(Buffer.byteLength(literal) + 36).toBe(10_240);
  });

  test('throws at synth when the code would exceed 10240 bytes only once the KeyValueStore id is resolved', () => {
    expect(() => routedCdn(['/api/hello'], { routingRules: rules(fittingPad + 1) })).toThrow(
      /Stack\/Cdn: the 100 routing rules of routingRules .* do not fit in a CloudFront Function: with them, its router function is 10241 bytes/,
    );
  });
});
