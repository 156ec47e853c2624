import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  assignFunctions,
  functionEntryFor,
  ignoredFunctionKeysMessage,
  ignoredKeysMessage,
  ownFunctionsOnlyMessage,
  readVercelJson,
  type VercelJson,
  VercelJsonError,
} from '../../lib/private/vercel-json';

// vercel.json `functions` as Vercel's build reads it (vercel/vercel packages/fs-detectors
// detect-builders.ts, packages/build-utils schemas.ts), checked against Lambda's limits.

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

// Reads a vercel.json holding `contents`; returns the file's path with the result.
function read(contents: unknown): { file: string; json: VercelJson } {
  const dir = mkdtempSync(path.join(tmpdir(), 'vercel-json-test-'));
  folders.push(dir);
  writeFileSync(path.join(dir, 'vercel.json'), JSON.stringify(contents));
  return { file: path.join(dir, 'vercel.json'), json: readVercelJson(dir)! };
}

// The error readVercelJson throws for `functions`.
function errorFor(functions: unknown): { file: string; error: VercelJsonError } {
  const dir = mkdtempSync(path.join(tmpdir(), 'vercel-json-test-'));
  folders.push(dir);
  const file = path.join(dir, 'vercel.json');
  writeFileSync(file, JSON.stringify({ functions }));
  try {
    readVercelJson(dir);
  } catch (error) {
    return { file, error: error as VercelJsonError };
  }
  throw new Error('readVercelJson did not throw');
}

const generated = (...sources: string[]) => sources.map((source) => ({ source, own: false }));

describe('readVercelJson functions', () => {
  test('reads each entry in file order with its memory, maxDuration and architecture', () => {
    const { json } = read({
      functions: {
        'api/report.ts': { maxDuration: 60, memory: 3008 },
        'api/**/*.ts': { memory: 512, architecture: 'x86_64' },
      },
    });
    expect(json.functions).toEqual([
      {
        pattern: 'api/report.ts',
        memory: 3008,
        maxDuration: 60,
        architecture: undefined,
        ignoredKeys: [],
      },
      {
        pattern: 'api/**/*.ts',
        memory: 512,
        maxDuration: undefined,
        architecture: lambda.Architecture.X86_64,
        ignoredKeys: [],
      },
    ]);
    expect(json.ignoredKeys).toEqual([]);
  });

  test('has no entries when the file sets no functions', () => {
    expect(read({ images: { sizes: [640] } }).json.functions).toEqual([]);
  });

  test('reads maxDuration "max" as Lambda\'s longest timeout, 900 seconds', () => {
    expect(read({ functions: { 'api/a.ts': { maxDuration: 'max' } } }).json.functions[0].maxDuration).toBe(
      900,
    );
  });

  test('accepts the limits of Lambda, beyond those of Vercel plans', () => {
    const [entry] = read({ functions: { 'api/a.ts': { memory: 10_240, maxDuration: 900 } } }).json.functions;
    expect(entry).toMatchObject({ memory: 10_240, maxDuration: 900 });
  });

  test('lists the documented keys with no effect on AWS per entry', () => {
    const { json } = read({
      functions: {
        'api/a.ts': { runtime: 'vercel-php@0.7.0', memory: 1024, includeFiles: 'data/**' },
        'api/b.ts': { supportsCancellation: true, regions: ['fra1'] },
      },
    });
    expect(json.functions.map((entry) => entry.ignoredKeys)).toEqual([
      ['runtime', 'includeFiles'],
      ['supportsCancellation', 'regions'],
    ]);
  });

  test('throws when functions is not an object', () => {
    const { file, error } = errorFor([{ 'api/a.ts': { memory: 1024 } }]);
    expect(error).toBeInstanceOf(VercelJsonError);
    expect(error.name).toBe('VercelJsonError');
    expect(error.message).toBe(
      `${file}: functions must be an object of file patterns to settings, got an array`,
    );
  });

  test('throws when an entry is not an object', () => {
    const { file, error } = errorFor({ 'api/a.ts': 1024 });
    expect(error.message).toBe(`${file}: functions['api/a.ts'] must be an object, got 1024`);
  });

  test('throws when an entry sets nothing', () => {
    const { file, error } = errorFor({ 'api/a.ts': {} });
    expect(error.message).toBe(
      `${file}: functions['api/a.ts'] sets nothing: set at least one of memory, maxDuration, architecture (Vercel refuses an empty entry)`,
    );
  });

  test('throws when an entry has a field Vercel does not know', () => {
    const { file, error } = errorFor({ 'api/a.ts': { timeout: 30 } });
    expect(error.message).toBe(
      `${file}: functions['api/a.ts'] has an unknown field 'timeout' (known: memory, maxDuration, architecture, runtime, includeFiles, excludeFiles, supportsCancellation, experimentalTriggers, maxConcurrency, regions, functionFailoverRegions)`,
    );
  });

  test('throws when a pattern starts with a slash', () => {
    const { file, error } = errorFor({ '/api/a.ts': { memory: 1024 } });
    expect(error.message).toBe(
      `${file}: functions has the pattern '/api/a.ts', which starts with a slash: patterns are relative to the project folder (e.g. 'api/a.ts')`,
    );
  });

  test('throws when a pattern is empty or longer than 256 characters', () => {
    expect(errorFor({ '': { memory: 1024 } }).error.message).toMatch(
      /: functions has a pattern of 0 characters; a pattern has 1 to 256$/,
    );
    expect(errorFor({ [`api/${'a'.repeat(253)}`]: { memory: 1024 } }).error.message).toMatch(
      /: functions has a pattern of 257 characters; a pattern has 1 to 256$/,
    );
  });

  test.each([
    [127, '127'],
    [10_241, '10241'],
    [1024.5, '1024.5'],
    ['1024', '"1024"'],
  ])("throws when memory is %p, outside Lambda's whole MB from 128 to 10240", (memory, shown) => {
    const { file, error } = errorFor({ 'api/a.ts': { memory } });
    expect(error.message).toBe(
      `${file}: functions['api/a.ts'].memory must be a whole number of MB from 128 to 10240 (Lambda's limits, not Vercel's plan limits), got ${shown}`,
    );
  });

  test.each([
    [0, '0'],
    [901, '901'],
    [1.5, '1.5'],
    ['60', '"60"'],
  ])("throws when maxDuration is %p, outside Lambda's whole seconds from 1 to 900", (maxDuration, shown) => {
    const { file, error } = errorFor({ 'api/a.ts': { maxDuration } });
    expect(error.message).toBe(
      `${file}: functions['api/a.ts'].maxDuration must be a whole number of seconds from 1 to 900 (Lambda's limit, not Vercel's plan limits) or "max", got ${shown}`,
    );
  });

  test('throws when architecture is neither arm64 nor x86_64', () => {
    const { file, error } = errorFor({ 'api/a.ts': { architecture: 'arm' } });
    expect(error.message).toBe(
      `${file}: functions['api/a.ts'].architecture must be "arm64" or "x86_64", got "arm"`,
    );
  });
});

describe('functionEntryFor', () => {
  const { json } = read({
    functions: {
      'api/report.ts': { maxDuration: 60 },
      'api/users/[id].ts': { memory: 256 },
      'api/**/*.ts': { memory: 512 },
    },
  });

  test('gives a file the first matching pattern, without merging later ones', () => {
    expect(functionEntryFor(json.functions, 'api/report.ts')).toMatchObject({
      pattern: 'api/report.ts',
      maxDuration: 60,
      memory: undefined,
    });
  });

  test('matches a file by its literal path when it has brackets, which minimatch reads as a class', () => {
    expect(functionEntryFor(json.functions, 'api/users/[id].ts')?.pattern).toBe('api/users/[id].ts');
  });

  test('matches files at any depth with ** and none with another extension', () => {
    expect(functionEntryFor(json.functions, 'api/hello.ts')?.pattern).toBe('api/**/*.ts');
    expect(functionEntryFor(json.functions, 'api/a/b/c.ts')?.pattern).toBe('api/**/*.ts');
    expect(functionEntryFor(json.functions, 'api/hello.js')).toBeUndefined();
  });

  test('expands braces as Vercel does', () => {
    const { json: braces } = read({ functions: { 'api/{a,b}.{ts,js}': { memory: 1024 } } });
    expect(functionEntryFor(braces.functions, 'api/b.js')?.pattern).toBe('api/{a,b}.{ts,js}');
    expect(functionEntryFor(braces.functions, 'api/c.ts')).toBeUndefined();
  });
});

describe('assignFunctions', () => {
  test('maps each generated function to its entry and leaves unmatched ones out', () => {
    const { json } = read({
      functions: { 'api/report.ts': { maxDuration: 60 }, 'api/*.ts': { memory: 512 } },
    });
    const { bySource, ownOnly } = assignFunctions(
      json,
      generated('api/report.ts', 'api/hello.ts', 'api/x/y.ts'),
    );
    expect([...bySource].map(([source, entry]) => [source, entry.pattern])).toEqual([
      ['api/report.ts', 'api/report.ts'],
      ['api/hello.ts', 'api/*.ts'],
    ]);
    expect(ownOnly).toEqual([]);
  });

  test('names the patterns that configure only functions the user brings', () => {
    const { json } = read({
      functions: { 'api/legacy/*.ts': { memory: 512 }, 'api/*.ts': { memory: 1024 } },
    });
    const { bySource, ownOnly } = assignFunctions(json, [
      { source: 'api/legacy/[id].ts', own: true },
      { source: 'api/hello.ts', own: false },
    ]);
    expect([...bySource.keys()]).toEqual(['api/hello.ts']);
    expect(ownOnly).toEqual(['api/legacy/*.ts']);
  });

  test('throws when a pattern matches no function, as Vercel refuses it', () => {
    const { file, json } = read({ functions: { 'api/reports/*.ts': { memory: 512 } } });
    expect(() => assignFunctions(json, generated('api/hello.ts'))).toThrow(
      new VercelJsonError(
        file,
        `functions has the pattern 'api/reports/*.ts', which matches no function in api/: Vercel refuses it too ("doesn't match any Serverless Functions inside the \`api\` directory"). Patterns are relative to the project folder, e.g. 'api/report.ts' or 'api/**/*.ts'.`,
      ),
    );
  });

  test('throws when every function a pattern matches takes an earlier pattern', () => {
    const { file, json } = read({
      functions: { 'api/**/*.ts': { memory: 512 }, 'api/report.ts': { maxDuration: 60 } },
    });
    expect(() => assignFunctions(json, generated('api/report.ts', 'api/hello.ts'))).toThrow(
      `${file}: functions has the pattern 'api/report.ts', but every function it matches takes the settings of an earlier pattern ('api/**/*.ts'): the first matching pattern applies, and Vercel refuses it too ("doesn't match any Serverless Functions inside the \`api\` directory"). Move 'api/report.ts' before it.`,
    );
  });
});

describe('vercel.json warnings', () => {
  test('names each pattern with the keys that have no effect on AWS', () => {
    const { file, json } = read({
      functions: {
        'api/a.ts': { runtime: 'vercel-php@0.7.0', includeFiles: 'data/**' },
        'api/b.ts': { memory: 512 },
        'api/c.ts': { excludeFiles: 'test/**' },
      },
    });
    expect(ignoredFunctionKeysMessage(file, json.functions)).toBe(
      `${file}: functions 'api/a.ts' sets runtime, includeFiles; 'api/c.ts' sets excludeFiles: VercelProject does not apply these keys, so they have no effect on AWS (functions run on Node.js 24, bundled by esbuild from what they import, in the stack's region). Only memory, maxDuration, architecture are applied.`,
    );
  });

  test('has no warning about entry keys when every key takes effect', () => {
    const { file, json } = read({ functions: { 'api/b.ts': { memory: 512 } } });
    expect(ignoredFunctionKeysMessage(file, json.functions)).toBeUndefined();
  });

  test('says patterns for functions the user brings have no effect', () => {
    expect(ownFunctionsOnlyMessage('/p/vercel.json', ['api/legacy/*.ts'])).toBe(
      "/p/vercel.json: functions 'api/legacy/*.ts' matches only routes served by functions you bring (VercelProject's functions prop), so it has no effect: set memory and timeout on those functions themselves.",
    );
  });

  test('no longer lists functions or the routing rules among the top-level keys it ignores', () => {
    const { json } = read({
      functions: { 'api/b.ts': { memory: 512 } },
      crons: [],
      rewrites: [],
      redirects: [],
      headers: [],
      trailingSlash: false,
      cleanUrls: true,
    });
    expect(json.ignoredKeys).toEqual(['cleanUrls']);
    expect(ignoredKeysMessage('/p/vercel.json', json.ignoredKeys)).toBe(
      '/p/vercel.json sets cleanUrls: VercelProject does not apply it, so it has no effect on AWS. Only images (an ImageOptimizer at /_vercel/image), functions (memory, maxDuration and architecture per function), crons (EventBridge Scheduler schedules) and redirects, rewrites, headers and trailingSlash (CloudFront Functions) are applied.',
    );
  });
});

describe('readVercelJson proxy', () => {
  // `proxy` is vercel.json's Routing Middleware setting (https://vercel.com/docs/routing-middleware/api:
  // "To use a different name or directory, set proxy.entrypoint in vercel.json"), not an unknown key.
  test('throws a VercelJsonError naming the middleware entry point when the file sets proxy', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vercel-json-test-'));
    folders.push(dir);
    const file = path.join(dir, 'vercel.json');
    writeFileSync(file, JSON.stringify({ proxy: { entrypoint: 'proxy.ts' }, cleanUrls: true }));
    let error: unknown;
    try {
      readVercelJson(dir);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(VercelJsonError);
    expect((error as VercelJsonError).file).toBe(file);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: proxy configures Vercel Routing Middleware \\('proxy\\.ts'\\), which runs before the functions`,
      ),
    );
    expect((error as Error).message).not.toContain('not a documented vercel.json key');
  });
});
