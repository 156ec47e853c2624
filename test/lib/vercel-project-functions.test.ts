process.env.CDK_VALIDATION = 'false';

import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { VercelProject, type VercelProjectProps } from '../../lib/vercel-project';
import { plainFunction, testStack, writeProject } from './helpers';

// vercel.json `functions` on a VercelProject: per-function memory, maxDuration and architecture, as
// Vercel applies them, over the project-wide props.

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

const ROUTES = ['api/report.ts', 'api/hello.ts', 'api/users/[id].ts', 'api/legacy.ts'];

// A project with `ROUTES` and a vercel.json holding `functions` (bundling is skipped).
function projectWithFunctions(functions: unknown): { dir: string; file: string } {
  const dir = writeProject(ROUTES, { functions });
  folders.push(dir);
  return { dir, file: path.join(dir, 'vercel.json') };
}

function synth(projectDir: string, props: Partial<VercelProjectProps> = {}) {
  const stack = testStack('us-east-1');
  const project = new VercelProject(stack, 'Project', { projectDir, ...props });
  return { stack, project, template: Template.fromStack(stack) };
}

// MemorySize, Timeout and Architectures of each route's function in the template.
function settingsByRoute(project: VercelProject, template: Template) {
  const resources = template.findResources('AWS::Lambda::Function');
  const settings: Record<string, unknown> = {};
  for (const [route, fn] of project.functions) {
    const id = Stack.of(project).getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
    const { MemorySize, Timeout, Architectures } = resources[id].Properties;
    settings[route] = { MemorySize, Timeout, Architectures };
  }
  return settings;
}

describe('VercelProject with vercel.json functions', () => {
  test('gives each function the first matching entry, and the others the project defaults', () => {
    const { dir } = projectWithFunctions({
      'api/report.ts': { maxDuration: 60, memory: 3008 },
      'api/users/[id].ts': { architecture: 'x86_64' },
      'api/*.ts': { memory: 512 },
    });
    const { stack, project, template } = synth(dir);
    expect(settingsByRoute(project, template)).toEqual({
      '/api/hello': { MemorySize: 512, Timeout: 300, Architectures: ['arm64'] },
      '/api/legacy': { MemorySize: 512, Timeout: 300, Architectures: ['arm64'] },
      '/api/report': { MemorySize: 3008, Timeout: 60, Architectures: ['arm64'] },
      '/api/users/[id]': { MemorySize: 2048, Timeout: 300, Architectures: ['x86_64'] },
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test("falls back to the project's maxDuration, memory and architecture for what an entry leaves out", () => {
    const { dir } = projectWithFunctions({ 'api/report.ts': { maxDuration: 'max' } });
    const { project, template } = synth(dir, {
      maxDuration: 30,
      memory: 1024,
      architecture: lambda.Architecture.X86_64,
    });
    expect(settingsByRoute(project, template)).toMatchObject({
      '/api/report': { MemorySize: 1024, Timeout: 900, Architectures: ['x86_64'] },
      '/api/hello': { MemorySize: 1024, Timeout: 30, Architectures: ['x86_64'] },
    });
  });

  test('leaves functions the user brings as they are, with a warning when a pattern matches only them', () => {
    const { dir, file } = projectWithFunctions({
      'api/legacy.ts': { memory: 4096 },
      'api/report.ts': { memory: 1024 },
    });
    const stack = testStack('us-east-1');
    const legacy = plainFunction(stack, 'Legacy');
    const project = new VercelProject(stack, 'Project', {
      projectDir: dir,
      functions: { '/api/legacy': legacy },
    });
    const template = Template.fromStack(stack);
    expect(project.functions.get('/api/legacy')).toBe(legacy);
    const legacyId = stack.getLogicalId(legacy.node.defaultChild as lambda.CfnFunction);
    expect(template.findResources('AWS::Lambda::Function')[legacyId].Properties.MemorySize).toBeUndefined();
    expect(settingsByRoute(project, template)['/api/report']).toMatchObject({ MemorySize: 1024 });
    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Project', Match.anyValue());
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      `${file}: functions 'api/legacy.ts' matches only routes served by functions you bring (VercelProject's functions prop), so it has no effect: set memory and timeout on those functions themselves. [ack: vercel-functions-aws:vercelJsonFunctionsOwnOnly]`,
    ]);
  });

  test('warns once, naming each pattern with the keys that have no effect on AWS', () => {
    const { dir, file } = projectWithFunctions({
      'api/report.ts': { maxDuration: 60, includeFiles: 'data/**', runtime: '@vercel/node@5' },
      'api/*.ts': { supportsCancellation: true },
    });
    const { stack, project, template } = synth(dir);
    expect(settingsByRoute(project, template)['/api/report']).toMatchObject({ Timeout: 60 });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      `${file}: functions 'api/report.ts' sets includeFiles, runtime; 'api/*.ts' sets supportsCancellation: VercelProject does not apply these keys, so they have no effect on AWS (functions run on Node.js 24, bundled by esbuild from what they import, in the stack's region). Only memory, maxDuration, architecture are applied. [ack: vercel-functions-aws:vercelJsonFunctionKeysIgnored]`,
    ]);
  });

  test('throws when a pattern matches no function, as Vercel refuses it', () => {
    const { dir, file } = projectWithFunctions({ 'api/reports/*.ts': { memory: 512 } });
    expect(() => synth(dir)).toThrow(
      `Stack/Project: ${file}: functions has the pattern 'api/reports/*.ts', which matches no function in api/: Vercel refuses it too`,
    );
  });

  test('throws when an entry asks for more memory than Lambda has', () => {
    const { dir, file } = projectWithFunctions({ 'api/report.ts': { memory: 16_384 } });
    expect(() => synth(dir)).toThrow(
      `Stack/Project: ${file}: functions['api/report.ts'].memory must be a whole number of MB from 128 to 10240 (Lambda's limits, not Vercel's plan limits), got 16384`,
    );
  });

  test('throws when an entry asks for a longer duration than Lambda allows', () => {
    const { dir, file } = projectWithFunctions({ 'api/report.ts': { maxDuration: 1800 } });
    expect(() => synth(dir)).toThrow(
      `Stack/Project: ${file}: functions['api/report.ts'].maxDuration must be a whole number of seconds from 1 to 900 (Lambda's limit, not Vercel's plan limits) or "max", got 1800`,
    );
  });
});

describe('functions the user brings, Lambda environment size', () => {
  test('a brought function over 4 KB once bound fails synth naming its largest variable', () => {
    const { dir } = projectWithFunctions({});
    const stack = testStack('us-east-1');
    const legacy = plainFunction(stack, 'Legacy');
    legacy.addEnvironment('LEGACY_CONFIG', 'x'.repeat(4000));
    new VercelProject(stack, 'Project', { projectDir: dir, functions: { '/api/legacy': legacy } });
    expect(() => Template.fromStack(stack)).toThrow(
      /^Stack\/Legacy: its environment variables take \d+ bytes, more than Lambda's 4096-byte limit .*Largest: LEGACY_CONFIG/,
    );
  });
});
