import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { type AdapterFeatureOptions, bundleFunction } from '../lib/bundling';
import { registerCleanup } from './cleanup';

/**
 * The function bundles the benchmarks compare, built the way a deployment builds them: minified
 * CommonJS for Node 24 with the AWS SDK left external, as the Lambda runtime provides it (the
 * externals NodejsFunction uses with this app's `sdkV3ExcludeSmithyPackages` flag), and with the
 * adapter's bundle-time switches `VercelFunction` sets ({@link DEPLOYED_FEATURES}).
 */

export const REPO_ROOT = path.resolve(__dirname, '..');
export const FIXTURES = path.join(__dirname, 'fixtures');
export const LAMBDA_PROVIDED_MODULES = ['@aws-sdk/*', '@smithy/*'];

/**
 * The handler variants: bare baseline, the Fetch-API floor (the least any adapter does), adapter
 * only, adapter + our runtime, adapter + the real package.
 */
export type Variant = 'bare' | 'fetch-floor' | 'adapter' | 'runtime-api' | 'real-package';

export const VARIANT_LABELS: Readonly<Record<Variant, string>> = {
  bare: 'bare awslambda handler',
  'fetch-floor': 'hello via a minimal Fetch-API handler (Request in, Response out, nothing else)',
  adapter: 'hello via adapter',
  'runtime-api': 'hello + waitUntil/geolocation via adapter, our runtime',
  'real-package': 'hello + waitUntil/geolocation via adapter, real @vercel/functions 3.9.9',
};

export interface BuiltFunction<V extends string = Variant> {
  readonly variant: V;
  /** The folder to load it from (`LAMBDA_TASK_ROOT`). */
  readonly taskRoot: string;
  /** The Lambda handler string. */
  readonly handler: string;
  readonly outfile: string;
  /** Size of the minified bundle. */
  readonly bytes: number;
  /** Size after gzip -9, close to what the deployment zip stores. */
  readonly gzipBytes: number;
}

/** A scratch folder for one bench run; `remove()` deletes it. */
export interface Workspace {
  readonly dir: string;
  remove(): void;
}

/**
 * A scratch folder whose `node_modules` is this repository's, so bundles built inside it find the
 * AWS SDK they leave external — the Lambda runtime provides it — through both `require()` and
 * `import()` (ESM resolution ignores `NODE_PATH`, so a symlink on the lookup path is needed).
 */
export function createWorkspace(): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), 'vfa-bench-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  // Removed on Ctrl-C too, where the owner's `finally` never runs (cleanup.ts).
  const unregister = registerCleanup(remove);
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return {
    dir,
    remove: () => {
      unregister();
      remove();
    },
  };
}

/** Whether the variant's handler runs through our adapter (and so is deployed with a route). */
export function usesAdapter(variant: Variant): boolean {
  return variant !== 'bare' && variant !== 'fetch-floor';
}

export async function buildVariant(workspace: Workspace, variant: Variant): Promise<BuiltFunction> {
  const outdir = path.join(workspace.dir, variant);
  switch (variant) {
    case 'bare':
      return finish(variant, await buildBare(path.join(FIXTURES, 'bare-hello.mjs'), outdir));
    case 'fetch-floor':
      return finish(variant, await buildBare(path.join(FIXTURES, 'fetch-floor.mjs'), outdir));
    case 'adapter':
      return finish(variant, await buildWithAdapter(path.join(FIXTURES, 'hello.ts'), outdir));
    case 'runtime-api':
      return finish(variant, await buildWithAdapter(path.join(FIXTURES, 'api-hello.ts'), outdir));
    case 'real-package': {
      const project = realPackageProject(workspace, 'api-hello.ts');
      return finish(
        variant,
        await buildWithAdapter(path.join(project, 'api', 'api-hello.ts'), outdir, project),
      );
    }
  }
}

/**
 * The adapter's bundle-time switches as `VercelFunction` sets them for a route of a `VercelProject`
 * with the default origin protection (`oacWithBodySigning()`, an `AWS_IAM` Function URL) and no
 * vercel.json: the route check in (every project function has a route), the origin secret check out
 * (only `secretHeader()` needs it), the vercel.json headers rules out (the project has none).
 * test/lib/vercel-function.test.ts and test/lib/vercel-project-bundle-switches.test.ts check that the
 * constructs decide the same.
 */
export const DEPLOYED_FEATURES: AdapterFeatureOptions = {
  originSecretCheck: false,
  routeCheck: true,
  routeHeaders: false,
};

/** A Vercel-style function bundled with the adapter, as `bundleFunction` does for the constructs. */
export async function buildWithAdapter(
  entry: string,
  outdir: string,
  projectDir?: string,
): Promise<{ outfile: string; handler: string }> {
  return bundleFunction({
    entry,
    outdir,
    projectDir,
    minify: true,
    external: LAMBDA_PROVIDED_MODULES,
    ...DEPLOYED_FEATURES,
  });
}

/** A hand-written Lambda handler bundled with the same esbuild options as `bundleFunction`. */
async function buildBare(entry: string, outdir: string): Promise<{ outfile: string; handler: string }> {
  const outfile = path.join(outdir, 'index.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    external: LAMBDA_PROVIDED_MODULES,
    logLevel: 'silent',
  });
  writeFileSync(path.join(outdir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  return { outfile, handler: 'index.handler' };
}

/**
 * A user project that installs the real `@vercel/functions` (a symlink to this repository's
 * devDependency), so the bundler uses it instead of aliasing our runtime.
 */
function realPackageProject(workspace: Workspace, fixture: string): string {
  const project = path.join(workspace.dir, 'real-package-project');
  mkdirSync(path.join(project, 'api'), { recursive: true });
  mkdirSync(path.join(project, 'node_modules', '@vercel'), { recursive: true });
  const link = path.join(project, 'node_modules', '@vercel', 'functions');
  rmSync(link, { force: true });
  symlinkSync(path.join(REPO_ROOT, 'node_modules', '@vercel', 'functions'), link);
  cpSync(path.join(FIXTURES, fixture), path.join(project, 'api', fixture));
  return project;
}

function finish(variant: Variant, built: { outfile: string; handler: string }): BuiltFunction {
  const code = readFileSync(built.outfile);
  return {
    variant,
    taskRoot: path.dirname(built.outfile),
    handler: built.handler,
    outfile: built.outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
  };
}
