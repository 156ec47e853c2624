process.env.CDK_VALIDATION = 'false';

import * as path from 'node:path';
import { App, CfnOutput, CfnParameter, Fn, SecretValue, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Cdn } from '../../lib/cdn';
import { ConfigurationError } from '../../lib/errors';
import {
  literalEnvironmentBytes,
  measureEnvironment,
  type Reference,
} from '../../lib/private/environment-size';
import { RuntimeCacheTable } from '../../lib/runtime-cache-table';
import { TagTable } from '../../lib/tag-table';
import { VercelFunction, type VercelFunctionProps } from '../../lib/vercel-function';
import { VercelProject } from '../../lib/vercel-project';
import { testStack } from './helpers';

const REPO = path.join(__dirname, '..', '..');
const EXAMPLES = path.join(REPO, 'examples');
const HELLO = path.join(EXAMPLES, 'api', 'hello.ts');
const WARNING_ID = 'vercel-functions-aws:environmentSize';

// The synth environment must not add VERCEL_GIT_* variables to the sizes measured here.
const CI_VARIABLES = /^(GITHUB_|GITLAB_CI$|CI_|BITBUCKET_|VERCEL_GIT_)/;
let savedEnv: NodeJS.ProcessEnv;
beforeEach(() => {
  savedEnv = { ...process.env };
  for (const name of Object.keys(process.env)) if (CI_VARIABLES.test(name)) delete process.env[name];
});
afterEach(() => {
  process.env = savedEnv;
});

// What VercelFunction sets by itself in eu-central-1.
const SYSTEM = { VERCEL: '1', VERCEL_ENV: 'production', VERCEL_REGION: 'fra1' };

function jsonBytes(variables: Record<string, string>): number {
  return Buffer.byteLength(JSON.stringify(variables));
}

function helloFunction(props: Partial<VercelFunctionProps> = {}): { stack: Stack; fn: VercelFunction } {
  const stack = testStack('eu-central-1');
  return { stack, fn: new VercelFunction(stack, 'Hello', { entry: HELLO, ...props }) };
}

function sizeWarnings(stack: Stack) {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNING_ID));
}

describe('measureEnvironment', () => {
  const noReferences = () => {
    throw new Error('no reference expected');
  };

  test('counts literal variables as the compact JSON Lambda measures when every value is a string', () => {
    const variables = { VERCEL: '1', QUOTED: 'say "hi"\n', ACCENTED: 'café ✓' };
    const size = measureEnvironment(variables, noReferences);
    expect(size.literalBytes).toBe(jsonBytes(variables));
    expect(size.estimatedBytes).toBe(size.literalBytes);
    expect(literalEnvironmentBytes({ VERCEL: '1' })).toBe('{"VERCEL":"1"}'.length);
  });

  test('counts the empty object when there are no variables', () => {
    expect(measureEnvironment({}, noReferences)).toEqual({
      literalBytes: 2,
      estimatedBytes: 2,
      variables: [],
    });
  });

  test('counts literal parts of a Fn::Join exactly and its references at their bound', () => {
    const seen: Reference[] = [];
    const size = measureEnvironment(
      { TABLE_ARN: { 'Fn::Join': ['', ['prefix-', { Ref: 'Table' }, { 'Fn::GetAtt': ['Fn', 'Arn'] }]] } },
      (reference) => {
        seen.push(reference);
        return 100;
      },
    );
    const literal = jsonBytes({ TABLE_ARN: 'prefix-' });
    expect(size.literalBytes).toBe(literal);
    expect(size.estimatedBytes).toBe(literal + 200);
    expect(seen).toEqual([
      { kind: 'ref', target: 'Table' },
      { kind: 'getAtt', target: 'Fn', attribute: 'Arn' },
    ]);
  });

  test('estimates a dynamic reference at the whole limit and leaves its text out of the literal part', () => {
    const size = measureEnvironment(
      {
        SECRET: {
          'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'Secret' }, ':SecretString:::}}']],
        },
      },
      () => 600,
    );
    expect(size.literalBytes).toBe(jsonBytes({ SECRET: '' }));
    expect(size.estimatedBytes).toBe(jsonBytes({ SECRET: '' }) + 4096);
  });

  test('resolves Fn::Sub placeholders as references and keeps escaped placeholders as text', () => {
    const size = measureEnvironment({ URL: { 'Fn::Sub': `https://\${Api.Domain}/\${!path}` } }, () => 50);
    expect(size.literalBytes).toBe(jsonBytes({ URL: `https:///\${path}` }));
    expect(size.estimatedBytes).toBe(size.literalBytes + 50);
  });

  test('lists variables largest first', () => {
    const size = measureEnvironment(
      { SMALL: 'x', BIG: 'x'.repeat(100), MIDDLE: 'x'.repeat(10) },
      noReferences,
    );
    expect(size.variables.map((v) => v.name)).toEqual(['BIG', 'MIDDLE', 'SMALL']);
    expect(size.variables[0]).toEqual({ name: 'BIG', literalBytes: 109, estimatedBytes: 109 });
  });
});

describe('VercelFunction environment size', () => {
  test('synthesizes without a warning when the variables are under the limit', () => {
    const environment = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`FEATURE_FLAG_${i}`, `value-${i}-${'x'.repeat(40)}`]),
    );
    const { stack } = helloFunction({ environment });
    const template = Template.fromStack(stack);
    expect(
      Object.keys(
        Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables,
      ),
    ).toHaveLength(43);
    expect(sizeWarnings(stack)).toEqual([]);
  });

  test('throws naming the function, the total, the limit and the largest variables when literal variables exceed 4 KB', () => {
    const environment: Record<string, string> = {
      BIG_A: 'a'.repeat(1500),
      BIG_B: 'b'.repeat(1200),
      BIG_C: 'c'.repeat(900),
      BIG_D: 'd'.repeat(300),
      BIG_E: 'e'.repeat(120),
      SMALL: 's',
    };
    const total = jsonBytes({ ...SYSTEM, ...environment });
    expect(total).toBeGreaterThanOrEqual(4100);
    const { stack } = helloFunction({ environment });
    expect(() => Template.fromStack(stack)).toThrow(ConfigurationError);
    expect(() => Template.fromStack(stack)).toThrow(
      `Stack/Hello: its environment variables take ${total} bytes, more than Lambda's 4096-byte limit (keys and values as JSON, in UTF-8), so the deployment would fail. Largest: BIG_A (1511 bytes), BIG_B (1211 bytes), BIG_C (911 bytes), BIG_D (311 bytes), BIG_E (131 bytes).`,
    );
  });

  test('throws at synth when addEnvironment after construction takes it over the limit', () => {
    const { stack, fn } = helloFunction({ environment: { CONFIG: 'x'.repeat(3900) } });
    fn.addEnvironment('LATE_ADDITION', 'y'.repeat(300));
    expect(() => Template.fromStack(stack)).toThrow(
      /Largest: CONFIG \(3912 bytes\), LATE_ADDITION \(319 bytes\)/,
    );
  });

  test('warns when only the bounds of table names would take it over the limit', () => {
    const stack = testStack('eu-central-1');
    const cacheTable = new RuntimeCacheTable(stack, 'Cache');
    const tagTable = new TagTable(stack, 'Tags');
    const environment = { CONFIG: 'x'.repeat(3600) };
    new VercelFunction(stack, 'Hello', { entry: HELLO, environment, cacheTable, tagTable });
    const template = Template.fromStack(stack);
    // Deployable as far as synth can tell: the literal text is under the limit.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ VERCEL_FUNCTIONS_AWS_CACHE_TABLE: { Ref: Match.anyValue() } }),
      },
    });
    const warnings = sizeWarnings(stack);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].id).toBe('/Stack/Hello');
    expect(warnings[0].entry.data).toMatch(
      /may exceed Lambda's 4096-byte limit once CloudFormation resolves them: \d+ bytes are known at synth, up to \d+ with table names.*Largest: CONFIG \(3612 bytes\), VERCEL_FUNCTIONS_AWS_CACHE_TABLE \(up to 293 bytes\), VERCEL_FUNCTIONS_AWS_TAG_TABLE \(up to 291 bytes\)/,
    );
  });

  test('does not warn for the same tables when there is room for their longest names', () => {
    const stack = testStack('eu-central-1');
    const cacheTable = new RuntimeCacheTable(stack, 'Cache');
    const tagTable = new TagTable(stack, 'Tags');
    new VercelFunction(stack, 'Hello', { entry: HELLO, cacheTable, tagTable });
    Template.fromStack(stack);
    expect(sizeWarnings(stack)).toEqual([]);
  });

  test('counts a template parameter at its maxLength', () => {
    const { stack, fn } = helloFunction();
    fn.addEnvironment('BOUNDED', new CfnParameter(stack, 'Bounded', { maxLength: 100 }).valueAsString);
    Template.fromStack(stack);
    expect(sizeWarnings(stack)).toEqual([]);
  });

  test('warns for a template parameter without maxLength, whose value may take 4 KB', () => {
    const { stack, fn } = helloFunction();
    fn.addEnvironment('UNBOUNDED', new CfnParameter(stack, 'Unbounded').valueAsString);
    Template.fromStack(stack);
    expect(sizeWarnings(stack)[0].entry.data).toMatch(/UNBOUNDED \(up to 4111 bytes\)/);
  });

  test('warns for a secret value resolved by CloudFormation, which can be as large as the limit', () => {
    const { stack, fn } = helloFunction();
    fn.addEnvironment('API_KEY', SecretValue.secretsManager('prod/api-key').unsafeUnwrap());
    Template.fromStack(stack);
    expect(sizeWarnings(stack)[0].entry.data).toMatch(/API_KEY \(up to 4109 bytes\)/);
  });
});

describe('VercelFunction environment size across stacks', () => {
  // The layout of split-stacks.test.ts: tables in a shared stack, functions in another, the Cdn in a third.
  function splitStacks() {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const env = { region: 'eu-west-1' };
    return {
      app,
      shared: new Stack(app, 'Shared', { env }),
      functions: new Stack(app, 'Functions', { env }),
      cdnStack: new Stack(app, 'CdnStack', { env }),
    };
  }

  test('bounds tables of a shared stack by their names, not as unknown imports', () => {
    const { app, shared, functions, cdnStack } = splitStacks();
    const cacheTable = new RuntimeCacheTable(shared, 'Cache');
    const tagTable = new TagTable(shared, 'Tags');
    const fn = new VercelFunction(functions, 'Hello', { entry: HELLO, cacheTable, tagTable });
    new Cdn(cdnStack, 'Cdn').addFunction('/api/hello', fn);
    app.synth();
    const variables = Object.values(Template.fromStack(functions).findResources('AWS::Lambda::Function'))[0]
      .Properties.Environment.Variables;
    expect(variables.VERCEL_FUNCTIONS_AWS_CACHE_TABLE).toEqual({
      'Fn::ImportValue': expect.stringMatching(/^Shared:ExportsOutputRef/),
    });
    expect(sizeWarnings(functions)).toEqual([]);
  });

  test('counts an imported table name at the bound of a table name in its own stack', () => {
    const { shared, functions } = splitStacks();
    const cacheTable = new RuntimeCacheTable(shared, 'Cache');
    new VercelFunction(functions, 'Hello', {
      entry: HELLO,
      cacheTable,
      environment: { CONFIG: 'x'.repeat(3800) },
    });
    Template.fromStack(functions);
    const warnings = sizeWarnings(functions);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(/VERCEL_FUNCTIONS_AWS_CACHE_TABLE \(up to 293 bytes\)/);
  });

  test('still warns for a cross-stack value that may be too large', () => {
    const { shared, functions } = splitStacks();
    const fn = new VercelFunction(functions, 'Hello', { entry: HELLO });
    // A parameter without maxLength may hold 4 KB, in whichever stack it is.
    fn.addEnvironment('IMPORTED', new CfnParameter(shared, 'Unbounded').valueAsString);
    fn.addEnvironment('CONFIG', 'x'.repeat(2500));
    Template.fromStack(functions);
    expect(sizeWarnings(functions)[0].entry.data).toMatch(/IMPORTED \(up to 4110 bytes\)/);
  });

  test('counts an export of another stack of the app by the value exported, and an unknown one at 2,048 bytes', () => {
    const { shared, functions } = splitStacks();
    const queue = new sqs.Queue(shared, 'Queue');
    new CfnOutput(shared, 'QueueArn', { value: queue.queueArn, exportName: 'shared-queue-arn' });
    const fn = new VercelFunction(functions, 'Hello', { entry: HELLO });
    fn.addEnvironment('QUEUE_ARN', Fn.importValue('shared-queue-arn'));
    fn.addEnvironment('ELSEWHERE', Fn.importValue('not-in-this-app'));
    fn.addEnvironment('CONFIG', 'x'.repeat(1900));
    Template.fromStack(functions);
    const [warning] = sizeWarnings(functions);
    expect(warning.entry.data).toMatch(/ELSEWHERE \(up to 2063 bytes\)/);
    expect(warning.entry.data).toMatch(/QUEUE_ARN \(up to 175 bytes\)/);
  });

  test('counts exports that import each other as unknown rather than measuring them forever', () => {
    const { shared, functions } = splitStacks();
    new CfnOutput(shared, 'A', { value: Fn.importValue('export-b'), exportName: 'export-a' });
    new CfnOutput(functions, 'B', { value: Fn.importValue('export-a'), exportName: 'export-b' });
    const fn = new VercelFunction(functions, 'Hello', { entry: HELLO });
    fn.addEnvironment('LOOP', Fn.importValue('export-a'));
    fn.addEnvironment('CONFIG', 'x'.repeat(2100));
    Template.fromStack(functions);
    expect(sizeWarnings(functions)[0].entry.data).toMatch(/LOOP \(up to 2058 bytes\)/);
  });

  test('does not take an export of a stack in another region for the import', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const other = new Stack(app, 'Other', { env: { region: 'us-east-1' } });
    const functions = new Stack(app, 'Functions', { env: { region: 'eu-west-1' } });
    new CfnOutput(other, 'Name', { value: 'short', exportName: 'shared-name' });
    const fn = new VercelFunction(functions, 'Hello', { entry: HELLO });
    fn.addEnvironment('NAME', Fn.importValue('shared-name'));
    fn.addEnvironment('CONFIG', 'x'.repeat(2100));
    Template.fromStack(functions);
    expect(sizeWarnings(functions)[0].entry.data).toMatch(/NAME \(up to 2058 bytes\)/);
  });
});

describe('VercelProject environment size', () => {
  test('synthesizes the example project without a size warning', () => {
    const stack = testStack('us-east-1');
    new VercelProject(stack, 'Project', { projectDir: EXAMPLES, environment: { FEATURE: 'on' } });
    Template.fromStack(stack);
    expect(sizeWarnings(stack)).toEqual([]);
  });

  test('throws naming a function and the largest variables when the project environment exceeds 4 KB', () => {
    const stack = testStack('us-east-1');
    const environment = Object.fromEntries(
      Array.from({ length: 41 }, (_, i) => [
        `VAR_${String(i).padStart(2, '0')}`,
        'v'.repeat(i === 7 ? 500 : 80),
      ]),
    );
    new VercelProject(stack, 'Project', { projectDir: EXAMPLES, environment });
    expect(() => Template.fromStack(stack)).toThrow(
      /^Stack\/Project\/.+: its environment variables take \d+ bytes, more than Lambda's 4096-byte limit .*Largest: VAR_07 \(512 bytes\), VAR_00 \(92 bytes\)/,
    );
  });
});
