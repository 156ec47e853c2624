process.env.CDK_VALIDATION = 'false';

import { rmSync } from 'node:fs';
import { App, type CfnElement, NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Cdn } from '../../lib/cdn';
import { ConfigurationError } from '../../lib/errors';
import { OriginProtection } from '../../lib/origin-protection';
import { RuntimeCacheTable } from '../../lib/runtime-cache-table';
import { TagTable } from '../../lib/tag-table';
import { VercelProject } from '../../lib/vercel-project';
import { VercelRuntimeBinding } from '../../lib/vercel-runtime-binding';
import { plainFunction, writeProject } from './helpers';

// Constructs composed across stacks of one app: a function in one stack served by a Cdn in another.
// The Cdn's stack needs the function's URL, so nothing of the function's stack may need the Cdn's.

/** A shared stack (tables), a stack for the functions and one for the Cdn, in one region. */
function stacks() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const env = { region: 'eu-west-1' };
  return {
    shared: new Stack(app, 'Shared', { env }),
    functions: new Stack(app, 'Functions', { env }),
    cdnStack: new Stack(app, 'CdnStack', { env }),
  };
}

// The IAM statements of a template's standalone policies, with the roles each is attached to.
function policies(stack: Stack) {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).map((policy) => ({
    roles: policy.Properties.Roles,
    actions: policy.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) =>
      [s.Action].flat(),
    ),
  }));
}

describe('Cdn serving a function of another stack', () => {
  test.each([
    ['oac()', OriginProtection.oac()],
    ['oacWithBodySigning()', OriginProtection.oacWithBodySigning()],
    ['none()', OriginProtection.none()],
  ])('binds the function without a cycle between the stacks with %s', (_, protection) => {
    const { shared, functions, cdnStack } = stacks();
    const cacheTable = new RuntimeCacheTable(shared, 'Cache');
    const tagTable = new TagTable(shared, 'Tags');
    const cdn = new Cdn(cdnStack, 'Cdn', { originProtection: protection });
    const fn = plainFunction(functions, 'Legacy');
    new VercelRuntimeBinding(functions, 'Binding', {
      lambdaFunction: fn,
      cdn,
      route: '/api/legacy',
      cacheTable,
      tagTable,
    });

    // Synthesizing either stack resolves every cross-stack reference: a cycle would throw here.
    const cdnTemplate = Template.fromStack(cdnStack);
    Template.fromStack(functions);
    expect(cdnStack.dependencies).toContain(functions);
    expect(functions.dependencies).not.toContain(cdnStack);
    // The invalidation grant lives in the Cdn's stack, attached to the function's role.
    expect(policies(functions).flatMap((p) => p.actions)).not.toContain('cloudfront:CreateInvalidation');
    expect(policies(cdnStack)).toEqual([
      {
        roles: [{ 'Fn::ImportValue': expect.stringMatching(/^Functions:ExportsOutputRefLegacyServiceRole/) }],
        actions: ['cloudfront:CreateInvalidation'],
      },
    ]);
    const distribution = cdnStack.getLogicalId(cdn.distribution.node.defaultChild as CfnElement);
    const [policy] = Object.values(cdnTemplate.findResources('AWS::IAM::Policy'));
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain(`{"Ref":"${distribution}"}`);
  });

  test('puts the grants of two functions of one stack into a policy each', () => {
    const { functions, cdnStack } = stacks();
    const cdn = new Cdn(cdnStack, 'Cdn', { originProtection: OriginProtection.oac() });
    for (const id of ['One', 'Two']) {
      const fn = plainFunction(functions, id);
      cdn.addFunction(`/api/${id.toLowerCase()}`, fn);
      cdn.grantCreateInvalidation(fn);
      cdn.grantCreateInvalidation(fn);
    }
    expect(policies(cdnStack)).toHaveLength(2);
  });

  test('keeps the policy next to the role when the function is in the Cdn stack', () => {
    const { cdnStack } = stacks();
    const cdn = new Cdn(cdnStack, 'Cdn', { originProtection: OriginProtection.oac() });
    const fn = plainFunction(cdnStack, 'Fn');
    cdn.addFunction('/api/fn', fn);
    cdn.grantCreateInvalidation(fn);
    expect(cdnStack.node.tryFindChild('Fn')?.node.tryFindChild('ServiceRoleStandalonePolicy')).toBeDefined();
  });

  test('works with secretHeader() and a secret of a stack both use', () => {
    const { shared, functions, cdnStack } = stacks();
    const secret = new secretsmanager.Secret(shared, 'OriginSecret', {
      generateSecretString: { excludePunctuation: true },
    });
    const cdn = new Cdn(cdnStack, 'Cdn', { originProtection: OriginProtection.secretHeader({ secret }) });
    const fn = plainFunction(functions, 'Legacy');
    new VercelRuntimeBinding(functions, 'Binding', { lambdaFunction: fn, cdn, route: '/api/legacy' });
    Template.fromStack(cdnStack);
    Template.fromStack(functions).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN: {
            'Fn::ImportValue': Match.stringLikeRegexp('^Shared:ExportsOutputRefOriginSecret'),
          },
        }),
      },
    });
    expect(functions.dependencies).not.toContain(cdnStack);
  });

  test("throws when secretHeader() generates the secret in the Cdn's stack", () => {
    const { functions, cdnStack } = stacks();
    const cdn = new Cdn(cdnStack, 'Cdn', { originProtection: OriginProtection.secretHeader() });
    const fn = plainFunction(functions, 'Legacy');
    let id = 0;
    const bind = () =>
      new VercelRuntimeBinding(functions, `Binding${id++}`, {
        lambdaFunction: fn,
        cdn,
        route: '/api/legacy',
      });
    expect(bind).toThrow(ConfigurationError);
    expect(bind).toThrow(
      /^CdnStack\/Cdn: Functions\/Legacy is in stack Functions, but OriginProtection\.secretHeader\(\) keeps the origin secret CdnStack\/Cdn\/OriginSecret in this Cdn's stack CdnStack: .*pass OriginProtection\.secretHeader\(\{ secret \}\)/,
    );
  });
});

describe('VercelProject functions from another stack', () => {
  let projectDir: string;
  beforeAll(() => {
    projectDir = writeProject(['api/hello.ts']);
  });
  afterAll(() => rmSync(projectDir, { recursive: true, force: true }));

  test('throws naming the function when it is in another stack', () => {
    const { functions, cdnStack } = stacks();
    const own = plainFunction(functions, 'Own');
    expect(
      () => new VercelProject(cdnStack, 'Project', { projectDir, functions: { '/api/legacy': own } }),
    ).toThrow(
      /^CdnStack\/Project: functions has '\/api\/legacy': Functions\/Own is in stack Functions, but it must be in the project's stack CdnStack/,
    );
  });

  test("serves a function of a nested stack of the project's stack", () => {
    const { cdnStack } = stacks();
    const nested = new NestedStack(cdnStack, 'Legacy');
    const own = plainFunction(nested, 'Own');
    const project = new VercelProject(cdnStack, 'Project', { projectDir, functions: { '/api/legacy': own } });
    expect(project.functions.get('/api/legacy')).toBe(own);
    Template.fromStack(cdnStack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [Match.objectLike({ Action: 'cloudfront:CreateInvalidation' })],
      },
    });
    Template.fromStack(nested).hasResourceProperties('AWS::Lambda::Url', { InvokeMode: 'RESPONSE_STREAM' });
  });
});
