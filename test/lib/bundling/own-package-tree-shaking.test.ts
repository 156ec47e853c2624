import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { build, transformSync } from 'esbuild';
import { bundleFunction, projectAliases } from '../../../lib/bundling';
import { linkInstalledPackages } from './project-links';

// A project with its own @vercel/functions gets an index that re-exports the copy by name
// (lib/bundling/real-package-aliases.ts), so the runtime code it puts over upstream's is bundled only
// when the function imports it: attachDatabasePool (the runtime's db-connections), metric() (the
// channel it sends through, with the runtime's metric) and the request-context services the copy's
// getCache, purge calls and addCacheTag use (the Runtime Cache on DynamoDB, the invalidation manager,
// the tag collection). Checked on the bundles bundleFunction writes, unminified, where esbuild heads
// each module's code with its path.

const REPO = path.resolve(__dirname, '..', '..', '..');

const HELLO = `
import { geolocation, waitUntil } from '@vercel/functions';
export default {
  fetch(request: Request): Response {
    waitUntil(Promise.resolve());
    return new Response(geolocation(request).country ?? 'hello');
  },
};`;

const POOL = `
import { attachDatabasePool } from '@vercel/functions';
export const attach = attachDatabasePool;
export default { fetch: () => new Response('pool') };`;

const CACHE = `
import { getCache } from '@vercel/functions';
export default { fetch: async () => Response.json(await getCache().get('k')) };`;

const METRIC = `
import { metric } from '@vercel/functions';
export default {
  fetch(): Response {
    metric('hello.count', 1);
    return new Response('metric');
  },
};`;

/** The path comment esbuild writes above a module's code in an unminified bundle. */
function moduleMark(repoPath: string): string {
  return `// ${path.relative(process.cwd(), path.join(REPO, repoPath))}\n`;
}

const RUNTIME_POOLS = moduleMark('runtime/db-connections/index.ts');
// The runtime's metric() itself (runtime/metric.ts), found by what only it holds: its module mark is
// no proof, as esbuild keeps the module's `2 ** 360` limit (unminified) wherever the channel module is
// imported, used or not.
const RUNTIME_METRIC = 'CloudWatchMetrics';
const METRIC_CHANNEL = moduleMark('runtime/handler/metric-channel.ts');
const REAL_INDEX = moduleMark('node_modules/@vercel/functions/index.js');
const SERVICE_MODULES = [
  moduleMark('runtime/cache/dynamodb-cache.ts'),
  moduleMark('runtime/cdn/invalidation-manager.ts'),
  moduleMark('runtime/cdn/response-tags.ts'),
  moduleMark('runtime/context-services.ts'),
];
// The DynamoDB operations only the Runtime Cache sends: no module mark needed to find its code.
const DYNAMODB_CACHE_CALLS = /TransactWriteItemsCommand|BatchGetItemCommand/;

let project: string;
beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'vfa-own-package-shaking-'));
  mkdirSync(path.join(project, 'api'));
  linkInstalledPackages(project, ['@vercel/functions']);
});
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

async function bundled(name: string, source: string): Promise<string> {
  const entry = path.join(project, 'api', `${name}.ts`);
  writeFileSync(entry, source);
  const { outfile } = await bundleFunction({
    entry,
    outdir: path.join(project, 'out', name),
    projectDir: project,
    external: ['@aws-sdk/*', '@smithy/*'],
  });
  return readFileSync(outfile, 'utf8');
}

describe('a function bundle of a project with its own @vercel/functions', () => {
  test('carries neither the runtime db-connections nor its metric when the function imports neither', async () => {
    const code = await bundled('hello', HELLO);
    expect(code).toContain(REAL_INDEX);
    expect(code).not.toContain(RUNTIME_POOLS);
    expect(code).not.toContain(RUNTIME_METRIC);
    expect(code).not.toContain(METRIC_CHANNEL);
  });

  test('carries none of the request-context services when the function imports no call that uses one', async () => {
    const code = await bundled('hello-services', HELLO);
    for (const service of SERVICE_MODULES) expect(code).not.toContain(service);
    expect(code).not.toMatch(DYNAMODB_CACHE_CALLS);
  });

  test('carries the DynamoDB cache alone when the function imports getCache', async () => {
    const code = await bundled('cache', CACHE);
    const [cache, ...others] = SERVICE_MODULES;
    expect(code).toContain(cache);
    expect(code).toMatch(DYNAMODB_CACHE_CALLS);
    for (const other of others) expect(code).not.toContain(other);
  });

  test('carries the runtime db-connections when the function imports attachDatabasePool', async () => {
    const code = await bundled('pool', POOL);
    expect(code).toContain(RUNTIME_POOLS);
    expect(code).not.toContain(METRIC_CHANNEL);
  });

  test('carries the metric channel and the runtime metric when the function imports metric', async () => {
    const code = await bundled('metric', METRIC);
    expect(code).toContain(METRIC_CHANNEL);
    expect(code).toContain(RUNTIME_METRIC);
    expect(code).not.toContain(RUNTIME_POOLS);
  });
});

async function runModule(name: string, source: string, script: string): Promise<string> {
  const entry = path.join(project, 'api', `${name}.ts`);
  writeFileSync(entry, source);
  const outfile = path.join(project, 'out', `${name}.js`);
  await build({
    entryPoints: [entry],
    bundle: true,
    outfile,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    alias: projectAliases(project),
    logLevel: 'silent',
  });
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, outfile], {
    timeout: 30_000,
  });
  return stdout;
}

describe("the real package's metric() in a bundle of the project", () => {
  test('installs the channel on its first call and writes the CloudWatch EMF line when called', async () => {
    const script = `
const ipc = Symbol.for('@vercel/rusty-runtime-ipc');
const { metric } = require(process.argv[1]);
const before = globalThis[ipc] !== undefined;
metric('probe.ms', 3, { route: 'hello' });
process.stdout.write(JSON.stringify({ before, after: typeof globalThis[ipc]?.sendMetric }) + '\\n');`;
    const [emf, state] = (
      await runModule('metric-probe', `export { metric } from '@vercel/functions';`, script)
    )
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(state).toEqual({ before: false, after: 'function' });
    expect(emf).toMatchObject({
      'probe.ms': 3,
      route: 'hello',
      _aws: { CloudWatchMetrics: [{ Namespace: 'VercelFunctions', Metrics: [{ Name: 'probe.ms' }] }] },
    });
  });
});

describe('the generated index of a copy whose export names are not identifiers', () => {
  test('re-exports each of them with its value when a function imports them', async () => {
    const copy = path.join(project, 'odd-copy');
    const packageDir = path.join(copy, 'node_modules', '@vercel', 'functions');
    mkdirSync(path.join(copy, 'api'), { recursive: true });
    mkdirSync(packageDir, { recursive: true });
    writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify({ main: 'index.js' }));
    writeFileSync(
      path.join(packageDir, 'index.js'),
      transformSync(
        `export const plain = 'p'; const k = 'k', r = 'r', c = 'c';
export { k as "kebab-name", r as if, c as café };`,
        { format: 'cjs', platform: 'node' },
      ).code,
    );
    const entry = path.join(copy, 'api', 'odd.ts');
    writeFileSync(
      entry,
      `import * as functions from '@vercel/functions';
export const values = [functions.plain, functions['kebab-name'], functions.if, functions.café];`,
    );
    const outfile = path.join(copy, 'out', 'odd.js');
    await build({
      entryPoints: [entry],
      bundle: true,
      outfile,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      alias: projectAliases(copy),
      logLevel: 'silent',
    });
    const script = 'process.stdout.write(JSON.stringify(require(process.argv[1]).values));';
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, outfile], {
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual(['p', 'k', 'r', 'c']);
  });
});
