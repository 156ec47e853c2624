process.env.CDK_VALIDATION = 'false';

import { rmSync } from 'node:fs';
import { App, type CfnElement, Lazy, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Cdn } from '../../lib/cdn';
import { OriginProtection } from '../../lib/origin-protection';
import { VercelProject } from '../../lib/vercel-project';
import { VercelRuntimeBinding } from '../../lib/vercel-runtime-binding';
import { plainFunction, writeProject } from './helpers';

// Constructs in a NestedStack. A nested stack's stackName is a token (`${Token[TOKEN.19]}`) whose
// number depends on how many tokens the process created before it: names derived from it change
// between synths, and messages print it instead of a stack.

// Account-wide physical names: the property holding the name.
const GLOBAL_NAMES: Record<string, string | undefined> = {
  'AWS::CloudFront::OriginAccessControl': 'OriginAccessControlConfig',
  'AWS::CloudFront::CachePolicy': 'CachePolicyConfig',
  'AWS::CloudFront::ResponseHeadersPolicy': 'ResponseHeadersPolicyConfig',
  'AWS::CloudFront::KeyValueStore': undefined,
  'AWS::CloudFront::Function': undefined,
  'AWS::SSM::Parameter': undefined,
};

/**
 * One synth of a Cdn (default protection) in a nested stack, after `unrelatedTokens` tokens that
 * have nothing to do with it: the app's stack names and every account-wide name of every stack.
 */
function synthNested(unrelatedTokens: number, stackName = 'shop-prod') {
  for (let i = 0; i < unrelatedTokens; i++) Lazy.string({ produce: () => 'unrelated' });
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Shop', { stackName, env: { region: 'eu-west-1' } });
  const nested = new NestedStack(stack, 'Edge');
  // With a route, the Cdn has a route table (a KeyValueStore) and a router function too.
  const cdn = new Cdn(nested, 'Cdn', { routes: { '/api/users/[id]': plainFunction(nested, 'Fn') } });
  const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);
  const names: string[] = [];
  for (const each of [...stacks, nested]) {
    for (const [type, config] of Object.entries(GLOBAL_NAMES)) {
      for (const resource of Object.values(Template.fromStack(each).findResources(type))) {
        const properties = config ? resource.Properties[config] : resource.Properties;
        names.push(`${type} ${JSON.stringify(properties.Name)}`);
      }
    }
  }
  return {
    stackNames: stacks.map((s) => s.stackName).sort(),
    signerIds: cdn.node.children.map((c) => c.node.id).filter((id) => id.startsWith('BodySigner')),
    names: names.sort(),
  };
}

describe('Cdn in a nested stack', () => {
  test('keeps the us-east-1 signer stack, signer id and every account-wide name across synths', () => {
    const first = synthNested(0);
    expect(first.stackNames).toHaveLength(2);
    expect(first.signerIds).toHaveLength(1);
    // Each type the Cdn creates is there, so the comparison below covers it.
    for (const type of Object.keys(GLOBAL_NAMES)) {
      expect(first.names.some((name) => name.startsWith(`${type} `))).toBe(true);
    }
    expect(JSON.stringify(first)).not.toContain('Token');
    expect(synthNested(1)).toEqual(first);
    expect(synthNested(7)).toEqual(first);
  });

  test('names the signer stack and every account-wide name after the deployed stack: two stages differ', () => {
    const prod = synthNested(0, 'shop-prod');
    const preview = synthNested(0, 'shop-preview');
    const edgeStack = (names: string[]) => names.filter((name) => name.startsWith('edge-lambda-stack-'));
    expect(edgeStack(prod.stackNames)).toHaveLength(1);
    expect(edgeStack(prod.stackNames)).not.toEqual(edgeStack(preview.stackNames));
    expect(prod.signerIds).not.toEqual(preview.signerIds);
    for (const name of prod.names) expect(preview.names).not.toContain(name);
  });
});

describe('secretHeader() serving a function of a nested stack', () => {
  function stacks() {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const env = { region: 'eu-west-1' };
    return { functions: new Stack(app, 'Functions', { env }), cdnStack: new Stack(app, 'CdnStack', { env }) };
  }

  let projectDir: string;
  beforeAll(() => {
    projectDir = writeProject(['api/hello.ts']);
  });
  afterAll(() => rmSync(projectDir, { recursive: true, force: true }));

  test("of the Cdn's stack: the function gets the generated secret through a nested stack parameter", () => {
    const { cdnStack } = stacks();
    const nested = new NestedStack(cdnStack, 'Legacy');
    const own = plainFunction(nested, 'Own');
    new VercelProject(cdnStack, 'Project', {
      projectDir,
      originProtection: OriginProtection.secretHeader(),
      functions: { '/api/legacy': own },
    });
    // Synthesizing resolves every reference between the stacks: a cycle would throw here.
    const parent = Template.fromStack(cdnStack);
    const variables =
      Template.fromStack(nested).findResources('AWS::Lambda::Function')[
        nested.getLogicalId(own.node.defaultChild as CfnElement)
      ].Properties.Environment.Variables;
    const parameter = variables.VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN.Ref;
    const nestedResource = parent.findResources('AWS::CloudFormation::Stack')[
      cdnStack.getLogicalId(nested.nestedStackResource as CfnElement)
    ];
    expect(nestedResource.Properties.Parameters[parameter]).toEqual({
      Ref: parent.getResourceId('AWS::SecretsManager::Secret'),
    });
  });

  test("of a nested stack of the Cdn's nested stack, with Cdn.addFunction", () => {
    const { cdnStack } = stacks();
    const outer = new NestedStack(cdnStack, 'Outer');
    const inner = new NestedStack(outer, 'Inner');
    const cdn = new Cdn(outer, 'Cdn', { originProtection: OriginProtection.secretHeader() });
    expect(() => cdn.addFunction('/api/*', plainFunction(inner, 'Fn'))).not.toThrow();
    Template.fromStack(cdnStack);
  });

  test('of another stack: throws naming the stacks by their paths', () => {
    const { functions, cdnStack } = stacks();
    const cdn = new Cdn(new NestedStack(cdnStack, 'Edge'), 'Cdn', {
      originProtection: OriginProtection.secretHeader(),
    });
    const fn = plainFunction(new NestedStack(functions, 'Inner'), 'Legacy');
    const bind = () =>
      new VercelRuntimeBinding(functions, 'Binding', { lambdaFunction: fn, cdn, route: '/api/legacy' });
    expect(bind).toThrow(
      /^CdnStack\/Edge\/Cdn: Functions\/Inner\/Legacy is in stack Functions\/Inner, but OriginProtection\.secretHeader\(\) keeps the origin secret CdnStack\/Edge\/Cdn\/OriginSecret in this Cdn's stack CdnStack\/Edge: /,
    );
  });

  test("of a parent of the Cdn's nested stack: throws, the stacks would need each other", () => {
    const { cdnStack } = stacks();
    const cdn = new Cdn(new NestedStack(cdnStack, 'Edge'), 'Cdn', {
      originProtection: OriginProtection.secretHeader(),
    });
    expect(() => cdn.addFunction('/api/*', plainFunction(cdnStack, 'Fn'))).toThrow(
      /^CdnStack\/Edge\/Cdn: CdnStack\/Fn is in stack CdnStack, but .* in this Cdn's stack CdnStack\/Edge: /,
    );
  });
});

describe('VercelProject functions of a nested stack of another stack', () => {
  let projectDir: string;
  beforeAll(() => {
    projectDir = writeProject(['api/hello.ts']);
  });
  afterAll(() => rmSync(projectDir, { recursive: true, force: true }));

  test('throw naming the stacks by their paths', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const functions = new Stack(app, 'Functions', { env: { region: 'eu-west-1' } });
    const projectStack = new Stack(app, 'ProjectStack', { env: { region: 'eu-west-1' } });
    const own = plainFunction(new NestedStack(functions, 'Inner'), 'Own');
    expect(
      () =>
        new VercelProject(new NestedStack(projectStack, 'Web'), 'Project', {
          projectDir,
          functions: { '/api/legacy': own },
        }),
    ).toThrow(
      /^ProjectStack\/Web\/Project: functions has '\/api\/legacy': Functions\/Inner\/Own is in stack Functions\/Inner, but it must be in the project's stack ProjectStack\/Web: /,
    );
  });
});
