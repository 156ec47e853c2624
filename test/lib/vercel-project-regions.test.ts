process.env.CDK_VALIDATION = 'false';

import { rmSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OidcIssuer } from '../../lib/oidc-issuer';
import { OidcRole } from '../../lib/oidc-role';
import { OriginProtection } from '../../lib/origin-protection';
import { Routing } from '../../lib/routing';
import { VercelProject } from '../../lib/vercel-project';
import { writeProject } from './helpers';

// "Deploy one stack per region": the same stack (same construct path) synthesized for two regions of
// one account. CloudFront names are unique per account, not per region, so every name CloudFront (or
// CloudFormation, for the us-east-1 support stack) would see twice fails the second deployment with
// AlreadyExists.

// Physical names CloudFront holds account-wide: the property holding the name, and its length limit.
const GLOBAL_NAMES: Record<string, { config?: string; max: number }> = {
  'AWS::CloudFront::OriginAccessControl': { config: 'OriginAccessControlConfig', max: 64 },
  'AWS::CloudFront::CachePolicy': { config: 'CachePolicyConfig', max: 128 },
  'AWS::CloudFront::OriginRequestPolicy': { config: 'OriginRequestPolicyConfig', max: 128 },
  'AWS::CloudFront::ResponseHeadersPolicy': { config: 'ResponseHeadersPolicyConfig', max: 128 },
  'AWS::CloudFront::KeyValueStore': { max: 64 },
  'AWS::CloudFront::Function': { max: 64 },
};

function nameOf(properties: Record<string, unknown>, config?: string): unknown {
  return ((config ? properties[config] : properties) as { Name?: unknown }).Name;
}

let projectDir: string;
beforeAll(() => {
  projectDir = writeProject(['api/hello.ts', 'api/users/[id].ts'], { images: { sizes: [640] } });
});
afterAll(() => rmSync(projectDir, { recursive: true, force: true }));

function deploy(region: string, props: { routing?: Routing } = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Site', { env: { region } });
  new VercelProject(stack, 'Project', { projectDir, ...props });
  const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);
  const names = new Map<string, string>();
  for (const [type, { config, max }] of Object.entries(GLOBAL_NAMES)) {
    for (const resource of Object.values(Template.fromStack(stack).findResources(type))) {
      const value = nameOf(resource.Properties, config);
      expect(typeof value).toBe('string');
      expect((value as string).length).toBeLessThanOrEqual(max);
      expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
      names.set(`${type} ${value}`, type);
    }
  }
  return { names, stackNames: stacks.map((s) => `${s.region} ${s.stackName}`) };
}

describe('VercelProject deployed to two regions of one account', () => {
  test.each([
    ['cache behaviours', Routing.cacheBehaviors()],
    ['the edge router', Routing.edgeRouter()],
  ])('shares no CloudFront name between the regions with %s', (_, routing) => {
    const ireland = deploy('eu-west-1', { routing });
    const frankfurt = deploy('eu-central-1', { routing });
    expect([...ireland.names.values()]).toEqual(
      expect.arrayContaining([
        'AWS::CloudFront::OriginAccessControl',
        'AWS::CloudFront::CachePolicy',
        'AWS::CloudFront::OriginRequestPolicy',
        'AWS::CloudFront::ResponseHeadersPolicy',
        'AWS::CloudFront::Function',
      ]),
    );
    if (routing.mode === 'edgeRouter')
      expect([...ireland.names.values()]).toContain('AWS::CloudFront::KeyValueStore');
    const shared = [...ireland.names.keys()].filter((name) => frankfurt.names.has(name));
    expect(shared).toEqual([]);
  });

  test('names the same resources identically when synthesized twice for one region', () => {
    expect([...deploy('eu-west-1').names.keys()]).toEqual([...deploy('eu-west-1').names.keys()]);
  });

  test('gives each region its own us-east-1 stack for the Lambda@Edge body signer', () => {
    const ireland = deploy('eu-west-1').stackNames;
    const frankfurt = deploy('eu-central-1').stackNames;
    const edge = (names: string[]) => names.filter((name) => name.startsWith('us-east-1 edge-lambda-stack-'));
    expect(edge(ireland)).toEqual([
      expect.stringMatching(/^us-east-1 edge-lambda-stack-eu-west-1-c8[0-9a-f]{40}-[0-9a-f]{8}$/),
    ]);
    expect(edge(frankfurt)).toEqual([
      expect.stringMatching(/^us-east-1 edge-lambda-stack-eu-central-1-c8[0-9a-f]{40}-[0-9a-f]{8}$/),
    ]);
  });

  test('puts the region into names from a region-agnostic stack as a deploy-time reference', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Site');
    new VercelProject(stack, 'Project', {
      projectDir,
      routing: Routing.edgeRouter(),
      originProtection: OriginProtection.oac(),
      enableLogging: false,
    });
    const template = Template.fromStack(stack);
    for (const [type, { config }] of Object.entries(GLOBAL_NAMES)) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(JSON.stringify(nameOf(resource.Properties, config))).toContain('{"Ref":"AWS::Region"}');
      }
    }
  });
});

describe('OidcRole deployed with the project', () => {
  test('shares one IAM OIDC provider between the roles of a stack trusting the same issuer', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Site', { env: { region: 'eu-west-1' } });
    const issuer = OidcIssuer.vercel({ team: 'acme' });
    const reader = new OidcRole(stack, 'Reader', {
      issuer,
      subjects: ['owner:acme:project:shop:environment:production'],
    });
    const writer = new OidcRole(stack, 'Writer', {
      issuer,
      subjects: ['owner:acme:project:shop:environment:preview'],
    });
    new VercelProject(stack, 'Project', { projectDir, awsRole: reader });
    expect(writer.provider).toBe(reader.provider);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::OIDCProvider', 1);
  });
});
