process.env.CDK_VALIDATION = 'false';

import { rmSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Routing } from '../../lib/routing';
import { VercelProject } from '../../lib/vercel-project';
import { writeProject } from './helpers';

// Two stages of one app in one account and region: the same code, the same construct ids, only the
// stack name differs (`new Stack(app, 'Shop', { stackName: `shop-${stage}` })`). Every name CloudFront
// holds per account, and every name of the us-east-1 support stack (its own stack name, the SSM
// parameter carrying the signer's version ARN), must differ, or the second stage's deploy fails with
// AlreadyExists — or, for the support stack, silently takes over the first stage's.

// Physical names CloudFront holds account-wide: the property holding the name, and its length limit.
const GLOBAL_NAMES: Record<string, { config?: string; max: number }> = {
  'AWS::CloudFront::OriginAccessControl': { config: 'OriginAccessControlConfig', max: 64 },
  'AWS::CloudFront::CachePolicy': { config: 'CachePolicyConfig', max: 128 },
  'AWS::CloudFront::OriginRequestPolicy': { config: 'OriginRequestPolicyConfig', max: 128 },
  'AWS::CloudFront::ResponseHeadersPolicy': { config: 'ResponseHeadersPolicyConfig', max: 128 },
  'AWS::CloudFront::KeyValueStore': { max: 64 },
  'AWS::CloudFront::Function': { max: 64 },
  // The us-east-1 support stack's: SSM parameter names are unique per account and region.
  'AWS::SSM::Parameter': { max: 2048 },
};

function nameOf(properties: Record<string, unknown>, config?: string): unknown {
  return ((config ? properties[config] : properties) as { Name?: unknown }).Name;
}

let projectDir: string;
beforeAll(() => {
  projectDir = writeProject(['api/hello.ts', 'api/users/[id].ts'], { images: { sizes: [640] } });
});
afterAll(() => rmSync(projectDir, { recursive: true, force: true }));

/** One stage's synth: every account-global name by resource type, and the stacks' names. */
function deploy(stage: string, routing: Routing) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Shop', { stackName: `shop-${stage}`, env: { region: 'eu-west-1' } });
  new VercelProject(stack, 'Project', { projectDir, routing });
  const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);
  const names = new Map<string, string>();
  for (const each of stacks) {
    for (const [type, { config, max }] of Object.entries(GLOBAL_NAMES)) {
      for (const resource of Object.values(Template.fromStack(each).findResources(type))) {
        const value = nameOf(resource.Properties, config);
        expect(typeof value).toBe('string');
        expect((value as string).length).toBeLessThanOrEqual(max);
        if (type !== 'AWS::SSM::Parameter') expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
        names.set(`${each.region} ${type} ${value}`, type);
      }
    }
  }
  return { names, stackNames: stacks.map((s) => `${s.region} ${s.stackName}`) };
}

describe('VercelProject deployed as two stages of one account and region', () => {
  test.each([
    ['cache behaviours', Routing.cacheBehaviors()],
    ['the edge router', Routing.edgeRouter()],
  ])('shares no account-wide name between the stages with %s', (_, routing) => {
    const prod = deploy('prod', routing);
    const preview = deploy('preview', routing);
    expect(new Set(prod.names.values())).toEqual(
      new Set([
        'AWS::CloudFront::OriginAccessControl',
        'AWS::CloudFront::CachePolicy',
        'AWS::CloudFront::OriginRequestPolicy',
        'AWS::CloudFront::ResponseHeadersPolicy',
        'AWS::CloudFront::Function',
        'AWS::SSM::Parameter',
        ...(routing.mode === 'edgeRouter' ? ['AWS::CloudFront::KeyValueStore'] : []),
      ]),
    );
    const shared = [...prod.names.keys()].filter((name) => preview.names.has(name));
    expect(shared).toEqual([]);
  });

  test('gives each stage its own us-east-1 stack for the Lambda@Edge body signer', () => {
    const edge = (names: string[]) => names.filter((name) => name.startsWith('us-east-1 '));
    const prod = edge(deploy('prod', Routing.cacheBehaviors()).stackNames);
    const preview = edge(deploy('preview', Routing.cacheBehaviors()).stackNames);
    expect(prod).toHaveLength(1);
    expect(preview).toHaveLength(1);
    expect(prod).not.toEqual(preview);
  });

  test('names the same resources identically when one stage is synthesized twice', () => {
    const first = deploy('prod', Routing.edgeRouter());
    const second = deploy('prod', Routing.edgeRouter());
    expect([...first.names.keys()]).toEqual([...second.names.keys()]);
    expect(first.stackNames).toEqual(second.stackNames);
  });
});
