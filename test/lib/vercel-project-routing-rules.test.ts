process.env.CDK_VALIDATION = 'false';

import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { Cdn } from '../../lib/cdn';
import { ConfigurationError } from '../../lib/errors';
import { OriginProtection } from '../../lib/origin-protection';
import { REWRITE_PATH_HEADER, ROUTE_HEADERS_HEADER } from '../../lib/private/constructs-contract';
import { Routing } from '../../lib/routing';
import { VercelProject, type VercelProjectProps } from '../../lib/vercel-project';
import { plainFunction, testStack, writeProject } from './helpers';

// vercel.json redirects, rewrites, headers and trailingSlash → the distribution's CloudFront
// Functions (what they do per request is tested in cloudfront-functions-routes.test.ts).

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function projectDir(vercelJson: unknown, files = ['api/index.ts', 'api/hello.ts']) {
  const dir = writeProject(files, vercelJson);
  folders.push(dir);
  return dir;
}

function synth(projectDir: string, props: Partial<VercelProjectProps> = {}) {
  const stack = testStack('us-east-1');
  const vercelProject = new VercelProject(stack, 'Project', {
    projectDir,
    originProtection: OriginProtection.oac(),
    enableInvalidationSweeper: false,
    ...props,
  });
  return { project: vercelProject, template: Template.fromStack(stack) };
}

function functionCode(template: Template, name: string): string {
  const fn = Object.values(template.findResources('AWS::CloudFront::Function')).find((resource) =>
    String(resource.Properties.FunctionConfig.Comment).endsWith(` ${name}`),
  );
  const code = fn!.Properties.FunctionCode;
  // The router's code joins the route table's id (a token) into the string.
  return typeof code === 'string'
    ? code
    : (code['Fn::Join'][1] as unknown[]).filter((part) => typeof part === 'string').join('');
}

function cacheKeyHeaders(template: Template): string[] {
  const policy = Object.values(template.findResources('AWS::CloudFront::CachePolicy'))[0];
  return policy.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig.Headers;
}

const HONO = { rewrites: [{ source: '/(.*)', destination: '/api' }] };

describe('VercelProject with vercel.json routing rules', () => {
  test('routes at the edge when vercel.json has rewrites, however few the routes', () => {
    const { project, template } = synth(projectDir(HONO));
    expect(project.edgeRouted).toBe(true);
    expect(functionCode(template, 'router')).toContain('r:[{s:/^(?:\\/(.*))$/,d:"/api"}]');
    expect(cacheKeyHeaders(template)).toEqual(['x-forwarded-host', REWRITE_PATH_HEADER]);
  });

  test('fails the synth for rewrites under Routing.cacheBehaviors(), naming both', () => {
    const dir = projectDir(HONO);
    expect(() => synth(dir, { routing: Routing.cacheBehaviors() })).toThrow(
      `${path.join(dir, 'vercel.json')} has rewrites, which Routing.cacheBehaviors() cannot serve`,
    );
  });

  test('keeps cache behaviours for redirects and headers, and puts them in every viewer-request function', () => {
    const { project, template } = synth(
      projectDir({
        redirects: [{ source: '/old', destination: '/api/hello' }],
        headers: [{ source: '/api/(.*)', headers: [{ key: 'X-Frame-Options', value: 'DENY' }] }],
      }),
    );
    expect(project.edgeRouted).toBe(false);
    for (const name of ['viewer-request', 'not-found']) {
      expect(functionCode(template, name)).toContain('{s:/^\\/old$/,h:{"Location":"/api/hello"},t:308}');
    }
    expect(cacheKeyHeaders(template)).toEqual(['x-forwarded-host', ROUTE_HEADERS_HEADER]);
  });

  test('leaves the cache key and functions without rules when vercel.json has none', () => {
    const { template } = synth(projectDir({ crons: [] }));
    expect(cacheKeyHeaders(template)).toEqual(['x-forwarded-host']);
    expect(functionCode(template, 'viewer-request')).toContain('={b:[],r:[]}');
  });

  test('fails the synth with the file, the entry and the reason for a rule it cannot apply', () => {
    const dir = projectDir({ rewrites: [{ source: '/ext/:p', destination: 'https://api.example.com/:p' }] });
    expect(() => synth(dir)).toThrow(ConfigurationError);
    expect(() => synth(dir)).toThrow(
      `${path.join(dir, 'vercel.json')}: rewrites[0].destination 'https://api.example.com/:p' is an external URL`,
    );
  });

  test('fails the synth naming vercel.json, the number of rules and the byte counts when they exceed 10 KB', () => {
    const redirects = Array.from({ length: 120 }, (_unused, i) => ({
      source: `/old-page-${i}`,
      destination: `/api/hello?from=${i}`,
    }));
    const dir = projectDir({ redirects, trailingSlash: false });
    expect(() => synth(dir)).toThrow(
      new RegExp(
        `the 121 routing rules of ${path.join(dir, 'vercel.json').replace(/[.\\/]/g, '\\$&')} \\(redirects, rewrites, headers, trailingSlash\\) do not fit in a CloudFront Function: with them, its viewer-request function is \\d+ bytes \\(the rules take \\d+\\), and CloudFront allows 10240`,
      ),
    );
  });
});

describe('Cdn routingRules', () => {
  test('refuses rewrites without the edge router, which alone can select their origin', () => {
    const stack = testStack('us-east-1');
    expect(
      () =>
        new Cdn(stack, 'Cdn', {
          originProtection: OriginProtection.oac(),
          routingRules: { rewrites: [{ source: '/a', destination: '/api/b' }] },
        }),
    ).toThrow('the rewrites of routingRules need the edge router: pass the functions as routes');
  });

  test('applies rules given as props, naming the prop in errors', () => {
    const stack = testStack('us-east-1');
    expect(
      () =>
        new Cdn(stack, 'Cdn', {
          originProtection: OriginProtection.oac(),
          routes: { '/api/b': plainFunction(stack, 'B') },
          routingRules: { redirects: [{ source: '/a', destination: '/b', statusCode: 200 }] },
        }),
    ).toThrow('routingRules: redirects[0].statusCode must be a redirect status (300-399), got 200');
  });
});
