import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RuntimeCacheTable, TagTable, VercelRuntimeBinding } from '../../../lib';
import { projectAliasArgs, projectAliases, vercelBundling } from '../../../lib/bundling';
import { type LocalFunction, startLocalFunction } from '../../harness/local-function';
import { linkInstalledPackages } from './project-links';

// The README's "Bring your own Lambda": a NodejsFunction whose handler wraps a Vercel-style module with
// createHandler, bound with VercelRuntimeBinding. Its bundling needs the aliases: without the real
// @vercel/functions the imports do not resolve, and with it upstream's attachDatabasePool would hold
// every invocation open for the pool's idle timeout. The handler answers with the name of the error
// attachDatabasePool throws for an object no driver makes: the runtime's is typed, upstream's is not.

const LEGACY = `import { attachDatabasePool, geolocation, waitUntil } from '@vercel/functions';
import { createHandler } from 'vercel-functions-aws/runtime/handler';

export const handler = createHandler({
  default: {
    fetch(request: Request) {
      waitUntil(new Promise((resolve) => setTimeout(resolve, 50)).then(() => console.log('legacy waitUntil ran')));
      let pool = 'no error';
      try {
        attachDatabasePool({} as never);
      } catch (error) {
        pool = (error as Error).name;
      }
      return Response.json({ pool, country: geolocation(request).country ?? null });
    },
  },
});
`;

const folders: string[] = [];

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A throwaway CDK app folder with src/legacy.ts, NodejsFunction's esbuild and, optionally, the real package. */
function project(withRealPackage: boolean): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vfa-byo-'));
  folders.push(dir);
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src', 'legacy.ts'), LEGACY);
  writeFileSync(path.join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
  linkInstalledPackages(dir, withRealPackage ? ['esbuild', '@vercel/functions'] : ['esbuild']);
  mkdirSync(path.join(dir, 'node_modules', '.bin'));
  symlinkSync('../esbuild/bin/esbuild', path.join(dir, 'node_modules', '.bin', 'esbuild'));
  return dir;
}

interface LambdaResource {
  readonly Type: string;
  readonly Properties: {
    readonly Handler: string;
    readonly Code: { readonly S3Key: string };
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
}

/** The README example: a NodejsFunction bound to the tables by route, synthesized with `bundling`. */
function synthesizeExample(dir: string, bundlingFor?: (projectDir: string) => object) {
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'Byo', { env: { region: 'eu-central-1' } });
  const legacy = new NodejsFunction(stack, 'Legacy', {
    entry: path.join(dir, 'src', 'legacy.ts'),
    runtime: Runtime.NODEJS_24_X,
    projectRoot: dir,
    depsLockFilePath: path.join(dir, 'package-lock.json'),
    bundling: bundlingFor?.(dir),
  });
  new VercelRuntimeBinding(stack, 'LegacyBinding', {
    lambdaFunction: legacy,
    route: '/api/legacy/[id]',
    cacheTable: new RuntimeCacheTable(stack, 'Cache'),
    tagTable: new TagTable(stack, 'Tags'),
  });
  const assembly = app.synth();
  const template = JSON.parse(readFileSync(path.join(assembly.directory, 'Byo.template.json'), 'utf8'));
  const fn = (Object.values(template.Resources) as LambdaResource[]).find(
    (resource) => resource.Type === 'AWS::Lambda::Function',
  )!;
  return {
    taskRoot: path.join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace('.zip', '')}`),
    handler: fn.Properties.Handler,
    env: fn.Properties.Environment?.Variables ?? {},
  };
}

describe('vercelBundling', () => {
  test('adds the project aliases to esbuildArgs when given other bundling options', () => {
    const dir = project(false);
    const bundling = vercelBundling(dir, {
      minify: true,
      format: OutputFormat.CJS,
      esbuildArgs: { '--log-limit': '0', '--alias:@vercel/functions': 'elsewhere.js' },
    });
    expect(bundling).toMatchObject({ minify: true, format: OutputFormat.CJS });
    expect(bundling.esbuildArgs).toEqual({ '--log-limit': '0', ...projectAliasArgs(dir) });
  });

  test('returns only the aliases when given no bundling options', () => {
    const dir = project(false);
    expect(vercelBundling(dir)).toEqual({ esbuildArgs: projectAliasArgs(dir) });
  });
});

describe('projectAliasArgs', () => {
  test('renders each project alias as an --alias: argument when the project has its own package', () => {
    const dir = project(true);
    const aliases = projectAliases(dir);
    expect(projectAliasArgs(dir)).toEqual(
      Object.fromEntries(Object.entries(aliases).map(([from, to]) => [`--alias:${from}`, to])),
    );
    expect(Object.keys(aliases)).toContain('@vercel/functions/db-connections');
  });
});

describe('the README bring-your-own-Lambda example', () => {
  test('fails the synth when bundled without the aliases or the real package', () => {
    const dir = project(false);
    // esbuild prints 'Could not resolve "@vercel/functions"' to the inherited stderr.
    expect(() => synthesizeExample(dir)).toThrow(/Failed to bundle asset Byo\/Legacy\/Code/);
  });

  // CommonJS (NodejsFunction's default) and ESM (`format: OutputFormat.ESM`, index.mjs) alike: the
  // aliases point at the runtime's TypeScript sources, so nothing in an ESM bundle require()s a Node
  // built-in (esbuild's ESM shim would throw "Dynamic require of … is not supported" at init).
  test.each([
    ['without the real package, as CommonJS', false, OutputFormat.CJS],
    ['with the real package, as CommonJS', true, OutputFormat.CJS],
    ['without the real package, as ESM', false, OutputFormat.ESM],
    ['with the real package, as ESM', true, OutputFormat.ESM],
  ])(
    "runs the runtime's attachDatabasePool and waitUntil under the Lambda runtime when bundled with vercelBundling %s",
    async (_, withRealPackage, format) => {
      const dir = project(withRealPackage);
      const code = synthesizeExample(dir, (projectDir) => vercelBundling(projectDir, { format }));
      const file = format === OutputFormat.ESM ? 'index.mjs' : 'index.js';
      const bundle = readFileSync(path.join(code.taskRoot, file), 'utf8');
      // The real package's own code is in the bundle only when the project installed it.
      expect(bundle.includes('node_modules/@vercel/functions/')).toBe(withRealPackage);
      let fn: LocalFunction | undefined;
      try {
        fn = await startLocalFunction({
          taskRoot: code.taskRoot,
          handler: code.handler,
          env: Object.fromEntries(
            Object.entries(code.env).filter(
              (entry): entry is [string, string] => typeof entry[1] === 'string',
            ),
          ),
        });
        const response = await fetch(`${fn.url}/api/legacy/1`, {
          headers: { 'cloudfront-viewer-country': 'DE' },
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ pool: 'UnsupportedDatabasePoolError', country: 'DE' });
        await fn.runtime.waitForLog('legacy waitUntil ran');
      } finally {
        await fn?.stop();
      }
    },
    120_000,
  );
});
