process.env.CDK_VALIDATION = 'false';

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { OriginProtection } from '../../lib/origin-protection';
import { RuntimeCacheTable } from '../../lib/runtime-cache-table';
import { TagTable } from '../../lib/tag-table';
import { VercelFunction, type VercelFunctionProps } from '../../lib/vercel-function';
import { testStack } from './helpers';

const REPO = path.join(__dirname, '..', '..');
const HELLO = path.join(REPO, 'examples', 'api', 'hello.ts');
const OIDC_EXAMPLE = path.join(REPO, 'examples', 'oidc', 'api', 'aws.ts');

// The synth environment must not leak CI variables into the VERCEL_GIT_* assertions.
const CI_VARIABLES = /^(GITHUB_|GITLAB_CI$|CI_|BITBUCKET_|VERCEL_GIT_)/;
let savedEnv: NodeJS.ProcessEnv;
beforeEach(() => {
  savedEnv = { ...process.env };
  for (const name of Object.keys(process.env)) if (CI_VARIABLES.test(name)) delete process.env[name];
});
afterEach(() => {
  process.env = savedEnv;
});

function functionProps(template: Template) {
  const fns = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(fns).toHaveLength(1);
  return fns[0].Properties;
}

function synthHello(props: Partial<VercelFunctionProps> = {}, region: string | null = 'eu-central-1') {
  const stack = testStack(region ?? undefined);
  const fn = new VercelFunction(stack, 'Hello', { entry: HELLO, ...props });
  return { stack, fn, template: Template.fromStack(stack) };
}

// Bundles for real (local esbuild) and returns the bundled index.js of the function.
function bundledCode(stack: Stack): string {
  const assembly = App.of(stack)!.synth();
  const key = functionPropsOf(stack).Code.S3Key as string;
  return readFileSync(path.join(assembly.directory, `asset.${key.replace('.zip', '')}`, 'index.js'), 'utf8');
}

function functionPropsOf(stack: Stack) {
  return functionProps(Template.fromStack(stack));
}

describe('VercelFunction', () => {
  test('runs on Node.js 24, arm64, 300 s and 2048 MB with a streaming Function URL by default', () => {
    const { template } = synthHello();
    expect(functionProps(template)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
      MemorySize: 2048,
      Handler: 'index.handler',
    });
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      InvokeMode: 'RESPONSE_STREAM',
    });
  });

  test('sets the getEnv() environment: VERCEL=1, VERCEL_ENV and the Vercel code of the stack region', () => {
    const { template } = synthHello();
    expect(functionProps(template).Environment.Variables).toEqual({
      VERCEL: '1',
      VERCEL_ENV: 'production',
      VERCEL_REGION: 'fra1',
    });
  });

  test('keeps the AWS region name as VERCEL_REGION when Vercel has no code for it', () => {
    const { template } = synthHello({}, 'eu-south-1');
    expect(functionProps(template).Environment.Variables.VERCEL_REGION).toBe('eu-south-1');
  });

  test('leaves VERCEL_REGION unset when the stack is region-agnostic (its region is unknown at synth)', () => {
    const { template } = synthHello({ originProtection: OriginProtection.oac() }, null);
    expect(functionProps(template).Environment.Variables.VERCEL_REGION).toBeUndefined();
  });

  test('maps maxDuration, memory, architecture, environment and the deployment props', () => {
    const { template } = synthHello({
      maxDuration: 60,
      memory: 512,
      architecture: lambda.Architecture.X86_64,
      environment: { DATABASE_URL: 'postgres://db', VERCEL_ENV: 'overridden' },
      vercelEnv: 'preview',
      deploymentUrl: 'preview.example.com',
      productionUrl: 'example.com',
      deploymentId: 'dpl_123',
      route: '/api/hello',
    });
    const props = functionProps(template);
    expect(props).toMatchObject({ Timeout: 60, MemorySize: 512, Architectures: ['x86_64'] });
    expect(props.Environment.Variables).toEqual({
      VERCEL: '1',
      VERCEL_ENV: 'overridden',
      VERCEL_REGION: 'fra1',
      VERCEL_URL: 'preview.example.com',
      VERCEL_PROJECT_PRODUCTION_URL: 'example.com',
      VERCEL_DEPLOYMENT_ID: 'dpl_123',
      VERCEL_FUNCTIONS_AWS_ROUTE: '/api/hello',
      DATABASE_URL: 'postgres://db',
    });
  });

  test('injects VERCEL_GIT_* from the CI environment at synth', () => {
    Object.assign(process.env, {
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: 'abc123',
      GITHUB_REF_NAME: 'main',
    });
    const { template } = synthHello();
    expect(functionProps(template).Environment.Variables).toMatchObject({
      VERCEL_GIT_PROVIDER: 'github',
      VERCEL_GIT_REPO_OWNER: 'acme',
      VERCEL_GIT_REPO_SLUG: 'shop',
      VERCEL_GIT_COMMIT_SHA: 'abc123',
      VERCEL_GIT_COMMIT_REF: 'main',
    });
  });

  test('creates a NONE-auth Function URL for secretHeader() and none()', () => {
    for (const originProtection of [OriginProtection.secretHeader(), OriginProtection.none()]) {
      synthHello({ originProtection }).template.hasResourceProperties('AWS::Lambda::Url', {
        AuthType: 'NONE',
      });
    }
  });

  test('wires the cache and tag tables: names in the environment, read/write access', () => {
    const stack = testStack('eu-central-1');
    const cacheTable = new RuntimeCacheTable(stack, 'Cache');
    const tagTable = new TagTable(stack, 'Tags');
    new VercelFunction(stack, 'Hello', { entry: HELLO, cacheTable, tagTable });
    const template = Template.fromStack(stack);
    const tableIds = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'));
    expect(functionProps(template).Environment.Variables).toMatchObject({
      VERCEL_FUNCTIONS_AWS_CACHE_TABLE: { Ref: tableIds.find((id) => id.startsWith('Cache')) },
      VERCEL_FUNCTIONS_AWS_TAG_TABLE: { Ref: tableIds.find((id) => id.startsWith('Tags')) },
    });
    const statements = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    for (const id of tableIds) expect(statements).toContain(id);
    expect(statements).toContain('dynamodb:PutItem');
  });

  test('logs to its own log group instead of using AWSLambdaBasicExecutionRole', () => {
    const { template } = synthHello();
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const fnId = template.getResourceId('AWS::Lambda::Function');
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: fnId }]] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [template.getResourceId('AWS::Logs::LogGroup'), 'Arn'] },
          },
        ],
      },
    });
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
  });

  test('uses the CDK-managed log group when @aws-cdk/aws-lambda:useCdkManagedLogGroup is on', () => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true },
    });
    const stack = new Stack(app, 'Stack', { env: { region: 'eu-central-1' } });
    new VercelFunction(stack, 'Hello', { entry: HELLO });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('logs:PutLogEvents');
  });

  test('accepts regions that include the stack region, by Vercel code or AWS name', () => {
    expect(() => synthHello({ regions: ['fra1'] })).not.toThrow();
    expect(() => synthHello({ regions: ['eu-central-1'] })).not.toThrow();
  });

  test('warns when regions lists more than the region the function runs in', () => {
    const { stack } = synthHello({ regions: ['fra1', 'iad1'] });
    Annotations.fromStack(stack).hasWarning('/Stack/Hello', Match.stringLikeRegexp('runs only in its stack'));
  });

  test('guards regions with a CloudFormation rule in a region-agnostic stack', () => {
    const { template } = synthHello(
      { regions: ['fra1', 'dub1'], originProtection: OriginProtection.oac() },
      null,
    );
    const rules = template.toJSON().Rules;
    const regionRules = Object.keys(rules).filter((id) => id.startsWith('HelloRegionRule'));
    expect(regionRules.map((id) => rules[id])).toEqual([
      {
        Assertions: [
          {
            Assert: { 'Fn::Contains': [['eu-central-1', 'eu-west-1'], { Ref: 'AWS::Region' }] },
            AssertDescription: 'Stack/Hello may only run in fra1, dub1 (its regions prop)',
          },
        ],
      },
    ]);
  });

  test('writes the generated entry to a stable folder under node_modules/.cache', () => {
    synthHello();
    const folder = path.join(REPO, 'node_modules', '.cache', 'vercel-functions-aws', 'entries');
    const entry = path.join(folder, 'examples-api-hello-ts-df832ee0', 'index.mjs');
    expect(existsSync(entry)).toBe(true);
    const source = readFileSync(entry, 'utf8');
    expect(source).toContain(`import * as userModule from ${JSON.stringify(HELLO)};`);
    expect(source).toContain('export const handler = createHandler(userModule);');
  });

  test("bundles the adapter with @vercel/functions aliased to the package's runtime", () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { region: 'eu-central-1' } });
    new VercelFunction(stack, 'Hello', { entry: HELLO });
    const code = bundledCode(stack);
    expect(code).toContain('// runtime/headers.ts');
    expect(code).toContain('// runtime/handler/create-handler.ts');
    expect(code).not.toContain('node_modules/@vercel/functions');
  });

  test('leaves the AWS SDK to the Lambda runtime by default, as NodejsFunction does', () => {
    const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-central-1' } });
    new VercelFunction(stack, 'Aws', { entry: OIDC_EXAMPLE });
    const code = bundledCode(stack);
    // The user's DynamoDB client and the runtime's STS client resolve to the runtime's SDK at run time
    // (STS on the first call that needs it: a dynamic import).
    expect(code).toContain('import("@aws-sdk/client-sts")');
    expect(code).toContain('require("@aws-sdk/client-dynamodb")');
    expect(code).not.toContain('// node_modules/@aws-sdk/');
    expect(code).not.toContain('// node_modules/@smithy/');
  });

  test('bundles the lock file AWS SDK when bundling.bundleAwsSDK is true', () => {
    const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-central-1' } });
    new VercelFunction(stack, 'Aws', { entry: OIDC_EXAMPLE, bundling: { bundleAwsSDK: true } });
    const code = bundledCode(stack);
    // GetWebIdentityToken (client-sts 3.1174) and the user's own DynamoDB client, both from the lock file.
    expect(code).toContain('// node_modules/@aws-sdk/client-sts/');
    expect(code).toContain('GetWebIdentityTokenCommand');
    expect(code).toContain('// node_modules/@aws-sdk/client-dynamodb/');
    expect(code).not.toMatch(/(require|import)\("@aws-sdk\/client-/);
  });

  test('keeps the origin secret check SDK out of a hello-world bundle that leaves the SDK external', () => {
    const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-central-1' } });
    new VercelFunction(stack, 'Hello', { entry: HELLO, originProtection: OriginProtection.secretHeader() });
    const code = bundledCode(stack);
    // Loaded with import() on the first check: resolved from the Lambda runtime then, not compiled at init.
    expect(code).toContain('// runtime/handler/origin-secret.ts');
    expect(code).toContain('import("@aws-sdk/client-secrets-manager")');
    expect(code).not.toContain('// node_modules/@aws-sdk/');
  });

  test('bundles neither the origin secret check nor the route check, but the headers rules, when the function needs no check', () => {
    const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-central-1' } });
    new VercelFunction(stack, 'Hello', { entry: HELLO });
    const code = bundledCode(stack);
    expect(code).toContain('// runtime/handler/request-guard.ts');
    expect(code).not.toContain('// runtime/handler/origin-secret.ts');
    expect(code).not.toContain('// runtime/handler/route.ts');
    // A Cdn in front may have vercel.json headers rules: a standalone function cannot know.
    expect(code).toContain('// runtime/handler/route-headers.ts');
  });

  // As bench/bundles.ts DEPLOYED_FEATURES models it: a VercelProject route without vercel.json.
  test('bundles the route check, and neither the origin secret check nor the headers rules, for a project route behind the default protection', () => {
    const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-central-1' } });
    new VercelFunction(stack, 'Hello', { entry: HELLO, route: '/api/hello', routeHeaders: false });
    const code = bundledCode(stack);
    expect(code).toContain('// runtime/handler/route.ts');
    expect(code).not.toContain('// runtime/handler/origin-secret.ts');
    expect(code).not.toContain('// runtime/handler/route-headers.ts');
  });

  test('throws a ConfigurationError naming routeHeaders when it is not a boolean', () => {
    expect(() => synthHello({ routeHeaders: 'no' as unknown as boolean })).toThrow(
      'Stack/Hello: routeHeaders must be a boolean, got "no"',
    );
  });

  test('produces the same asset hash in separate synths', () => {
    const hashes = [0, 1].map(() => {
      const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-central-1' } });
      new VercelFunction(stack, 'Hello', { entry: HELLO });
      return functionPropsOf(stack).Code.S3Key;
    });
    expect(hashes[0]).toBe(hashes[1]);
  });

  describe('with a project that brings its own @vercel/functions', () => {
    let project: string;
    beforeAll(() => {
      project = mkdtempSync(path.join(tmpdir(), 'vercel-function-test-'));
      mkdirSync(path.join(project, 'api'));
      mkdirSync(path.join(project, 'node_modules', '@vercel', 'functions'), { recursive: true });
      // NodejsFunction runs the project's own esbuild, as it would in a real project.
      mkdirSync(path.join(project, 'node_modules', '.bin'));
      symlinkSync(path.join(REPO, 'node_modules', 'esbuild'), path.join(project, 'node_modules', 'esbuild'));
      symlinkSync('../esbuild/bin/esbuild', path.join(project, 'node_modules', '.bin', 'esbuild'));
      writeFileSync(path.join(project, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
      writeFileSync(
        path.join(project, 'node_modules', '@vercel', 'functions', 'package.json'),
        '{"name":"@vercel/functions","version":"0.0.0-test","main":"index.js"}',
      );
      writeFileSync(
        path.join(project, 'node_modules', '@vercel', 'functions', 'index.js'),
        'exports.waitUntil = () => "the project\'s own copy";\n',
      );
      writeFileSync(
        path.join(project, 'api', 'hello.ts'),
        "import { waitUntil } from '@vercel/functions';\nexport default { fetch: () => new Response(String(waitUntil)) };\n",
      );
      writeFileSync(
        path.join(project, 'api', 'token.ts'),
        [
          "import { getVercelOidcToken } from '@vercel/oidc';",
          "import { awsCredentialsProvider } from '@vercel/oidc-aws-credentials-provider';",
          'export default { fetch: async () => new Response(String([getVercelOidcToken, awsCredentialsProvider])) };',
          '',
        ].join('\n'),
      );
    });
    afterAll(() => rmSync(project, { recursive: true, force: true }));

    test('bundles that copy instead of aliasing it', () => {
      const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-central-1' } });
      new VercelFunction(stack, 'Hello', { entry: path.join(project, 'api', 'hello.ts') });
      const code = bundledCode(stack);
      expect(code).toContain("the project's own copy");
      expect(code).not.toContain('// runtime/headers.ts');
    });

    test('still aliases @vercel/oidc and @vercel/oidc-aws-credentials-provider to the runtime', () => {
      const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-central-1' } });
      new VercelFunction(stack, 'Token', {
        entry: path.join(project, 'api', 'token.ts'),
        bundling: { bundleAwsSDK: true },
      });
      const code = bundledCode(stack);
      // Paths in esbuild's comments are relative to the project, which lives outside this repository.
      expect(code).toMatch(/\/\/ \S*runtime\/vercel-oidc\/get-vercel-oidc-token\.ts\n/);
      expect(code).toMatch(/\/\/ \S*runtime\/oidc-aws-credentials-provider\/aws-credentials-provider\.ts\n/);
      // With bundleAwsSDK (as VercelProject sets it for oidcAudiences) GetWebIdentityToken comes from
      // the bundled STS client, not the Lambda runtime's SDK.
      expect(code).toMatch(/\/\/ \S*node_modules\/@aws-sdk\/client-sts\//);
      expect(code).toContain('GetWebIdentityTokenCommand');
    });
  });

  test('throws when entry is not a file', () => {
    expect(() => synthHello({ entry: 'api/missing.ts' })).toThrow(
      /Stack\/Hello: entry 'api\/missing\.ts' is not a file/,
    );
  });

  test.each([0, 901, 1.5])('throws when maxDuration is %p', (maxDuration) => {
    expect(() => synthHello({ maxDuration })).toThrow(
      new RegExp(
        `maxDuration must be a whole number of seconds from 1 to 900 \\(Lambda's limit\\), got ${maxDuration}`,
      ),
    );
  });

  test.each([64, 10_241])('throws when memory is %p', (memory) => {
    expect(() => synthHello({ memory })).toThrow(
      new RegExp(
        `memory must be a whole number of MB from 128 to 10240 \\(Lambda's limits\\), got ${memory}`,
      ),
    );
  });

  test('throws when runtime is not Node.js', () => {
    expect(() => synthHello({ runtime: lambda.Runtime.PYTHON_3_13 })).toThrow(
      /runtime must be a Node\.js runtime, got python3\.13/,
    );
  });

  test('throws when regions does not include the stack region', () => {
    expect(() => synthHello({ regions: ['iad1'] })).toThrow(
      /regions \(iad1\) does not include the stack's region eu-central-1 \(fra1\)/,
    );
  });

  test('throws when regions contains an unknown region', () => {
    expect(() => synthHello({ regions: ['atlantis1'] })).toThrow(
      /regions contains 'atlantis1', which is neither a Vercel region code/,
    );
  });

  test('throws when regions is empty', () => {
    expect(() => synthHello({ regions: [] })).toThrow(/regions is empty/);
  });

  test('throws when there is no lock file above the project', () => {
    const project = mkdtempSync(path.join(tmpdir(), 'vercel-function-nolock-'));
    try {
      mkdirSync(path.join(project, 'api'));
      writeFileSync(path.join(project, 'api', 'x.ts'), 'export default { fetch: () => new Response() };\n');
      expect(() => synthHello({ entry: path.join(project, 'api', 'x.ts') })).toThrow(
        /no lock file \(package-lock\.json, yarn\.lock, pnpm-lock\.yaml, bun\.lock\) at or above projectDir/,
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
