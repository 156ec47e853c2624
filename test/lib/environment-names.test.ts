process.env.CDK_VALIDATION = 'false';

import * as path from 'node:path';
import { Lazy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { ConfigurationError } from '../../lib/errors';
import { invalidEnvironmentNames } from '../../lib/private/environment-names';
import { VercelFunction } from '../../lib/vercel-function';
import { VercelProject } from '../../lib/vercel-project';
import { VercelRuntimeBinding } from '../../lib/vercel-runtime-binding';
import { plainFunction, testStack } from './helpers';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const HELLO = path.join(EXAMPLES, 'api', 'hello.ts');
const PATTERN_RULE = 'a letter, then at least one letter, digit or underscore: [a-zA-Z][a-zA-Z0-9_]+';

function variables(stack: ReturnType<typeof testStack>): Record<string, unknown> {
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  return Object.values(functions)[0].Properties.Environment.Variables;
}

describe('invalidEnvironmentNames', () => {
  test('accepts names that start with a letter and go on with letters, digits and underscores', () => {
    expect(invalidEnvironmentNames(['NEXT_PUBLIC_FOO', 'db2', 'Ab', 'CRON_SECRET', 'x_1'])).toBeUndefined();
  });

  test('names each key that breaks the pattern, and the rule', () => {
    expect(invalidEnvironmentNames(['NEXT_PUBLIC-FOO', 'OK_NAME', '1PASSWORD_TOKEN'])).toBe(
      `"NEXT_PUBLIC-FOO" and "1PASSWORD_TOKEN" do not match Lambda's key pattern (${PATTERN_RULE})`,
    );
  });

  test('rejects one-character names, empty names and names with spaces, dots or non-ASCII letters', () => {
    expect(invalidEnvironmentNames(['A'])).toBe(`"A" does not match Lambda's key pattern (${PATTERN_RULE})`);
    for (const name of ['', 'MY VAR', 'app.name', 'CAFÉ', '_PRIVATE']) {
      expect(invalidEnvironmentNames([name])).toMatch(/does not match Lambda's key pattern/);
    }
  });

  test('names keys reserved by the Lambda runtime apart from malformed ones', () => {
    expect(invalidEnvironmentNames(['AWS_REGION', 'bad-name', 'AWS_DEFAULT_REGION', '_HANDLER'])).toBe(
      `"bad-name" does not match Lambda's key pattern (${PATTERN_RULE}); "AWS_REGION", "AWS_DEFAULT_REGION" and "_HANDLER" are reserved: the Lambda runtime sets them`,
    );
  });

  test('skips unresolved tokens, which are checked once resolved', () => {
    expect(invalidEnvironmentNames([Lazy.string({ produce: () => 'bad-name' })])).toBeUndefined();
  });
});

describe('VercelFunction environment names', () => {
  test('throws naming the environment prop, the keys and the rule when props.environment has names Lambda rejects', () => {
    const create = () =>
      new VercelFunction(testStack('eu-central-1'), 'Hello', {
        entry: HELLO,
        environment: { 'NEXT_PUBLIC-FOO': 'a', '1PASSWORD_TOKEN': 'b', FINE: 'c' },
      });
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(
      `Stack/Hello: environment has names Lambda rejects, so the deployment would fail: "NEXT_PUBLIC-FOO" and "1PASSWORD_TOKEN" do not match Lambda's key pattern (${PATTERN_RULE}). Rename or remove them`,
    );
  });

  test('throws naming the environment prop rather than a CDK error when props.environment sets a reserved key', () => {
    const stack = testStack('eu-central-1');
    expect(
      () => new VercelFunction(stack, 'Hello', { entry: HELLO, environment: { AWS_REGION: 'us-east-1' } }),
    ).toThrow(
      'Stack/Hello: environment has names Lambda rejects, so the deployment would fail: "AWS_REGION" is reserved: the Lambda runtime sets it. Rename or remove it',
    );
  });

  test('throws at synth naming the function and the key when addEnvironment adds a malformed name', () => {
    const stack = testStack('eu-central-1');
    const fn = new VercelFunction(stack, 'Hello', { entry: HELLO });
    fn.addEnvironment('feature.flag', 'on');
    expect(() => Template.fromStack(stack)).toThrow(ConfigurationError);
    expect(() => Template.fromStack(stack)).toThrow(
      `Stack/Hello: its environment has names Lambda rejects, so the deployment would fail: "feature.flag" does not match Lambda's key pattern (${PATTERN_RULE}). Rename or remove it`,
    );
  });

  test('checks a key given as a token once it resolves, including the reserved keys CDK only checks as literals', () => {
    const stack = testStack('eu-central-1');
    const fn = new VercelFunction(stack, 'Hello', {
      entry: HELLO,
      environment: { [Lazy.string({ produce: () => 'FROM_TOKEN' })]: 'ok' },
    });
    fn.addEnvironment(Lazy.string({ produce: () => 'AWS_LAMBDA_RUNTIME_API' }), '127.0.0.1:9001');
    expect(() => Template.fromStack(stack)).toThrow(
      'Stack/Hello: its environment has names Lambda rejects, so the deployment would fail: "AWS_LAMBDA_RUNTIME_API" is reserved: the Lambda runtime sets it. Rename or remove it',
    );
  });

  test('synthesizes a key given as a token that resolves to a valid name', () => {
    const stack = testStack('eu-central-1');
    new VercelFunction(stack, 'Hello', {
      entry: HELLO,
      environment: { [Lazy.string({ produce: () => 'FROM_TOKEN' })]: 'ok' },
    });
    expect(variables(stack)).toMatchObject({ FROM_TOKEN: 'ok', VERCEL: '1' });
  });
});

describe('VercelProject environment names', () => {
  test('throws naming the project environment prop, not a function, when a name is malformed', () => {
    const create = () =>
      new VercelProject(testStack('us-east-1'), 'Project', {
        projectDir: EXAMPLES,
        environment: { 'NEXT_PUBLIC-API-URL': 'https://api.example.com', STRIPE_KEY: 'sk' },
      });
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(
      `Stack/Project: environment has names Lambda rejects, so the deployment would fail: "NEXT_PUBLIC-API-URL" does not match Lambda's key pattern (${PATTERN_RULE}). Rename or remove it`,
    );
  });

  test('throws naming the project environment prop when a name is reserved', () => {
    const stack = testStack('us-east-1');
    expect(
      () =>
        new VercelProject(stack, 'Project', {
          projectDir: EXAMPLES,
          environment: { AWS_SECRET_ACCESS_KEY: 'from-vercel-env-pull', AWS_ACCESS_KEY_ID: 'AKIA' },
        }),
    ).toThrow(
      'Stack/Project: environment has names Lambda rejects, so the deployment would fail: "AWS_SECRET_ACCESS_KEY" and "AWS_ACCESS_KEY_ID" are reserved: the Lambda runtime sets them. Rename or remove them',
    );
  });
});

describe('VercelRuntimeBinding environment names', () => {
  test('throws at synth naming the bound function when it has a name Lambda rejects', () => {
    const stack = testStack('eu-central-1');
    const fn: lambda.Function = plainFunction(stack, 'Legacy');
    fn.addEnvironment('2FA_SECRET', 'x');
    new VercelRuntimeBinding(stack, 'Binding', { lambdaFunction: fn });
    expect(() => Template.fromStack(stack)).toThrow(
      `Stack/Legacy: its environment has names Lambda rejects, so the deployment would fail: "2FA_SECRET" does not match Lambda's key pattern (${PATTERN_RULE}). Rename or remove it`,
    );
  });
});
