import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { adapterEntrySource, projectAliases, vercelPackageAliases } from '../../../lib/bundling';
import { linkInstalledPackages } from './project-links';

// Which runtime code ends up in a function bundle: the adapter always, each optional feature (the
// Runtime Cache on DynamoDB, CloudFront purges, addCacheTag and its tag table rows, database pool
// hooks) only when the function imports it, from the runtime aliased in place of @vercel/functions
// or from a project's own real copy, which reaches them only through the request context. Built with
// the options bundleFunction uses, with esbuild's metafile listing the modules each output holds.

const REPO = path.resolve(__dirname, '..', '..', '..');
const REAL_PACKAGE = path.join(REPO, 'node_modules', '@vercel', 'functions', 'index.js');

let dir: string;
// A project that installed the real @vercel/functions (a link to this repository's copy).
let project: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vfa-bundle-features-'));
  project = path.join(dir, 'own-package');
  linkInstalledPackages(project, ['@vercel/functions']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Bundle {
  /** Repository-relative paths of the modules that put code into the output. */
  readonly modules: string[];
  readonly code: string;
}

/**
 * Bundles `source` as `<name>.ts` with the adapter, minified, AWS SDK external: with the runtime aliased
 * in, or with the real package of a project that installed its own copy.
 */
async function bundle(name: string, source: string, realVercelPackage = false): Promise<Bundle> {
  const entry = path.join(dir, `${name}.ts`);
  writeFileSync(entry, source);
  const result = await build({
    stdin: { contents: adapterEntrySource(entry), resolveDir: dir, loader: 'js' },
    bundle: true,
    write: false,
    outfile: path.join(dir, 'out', `${name}.js`),
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    external: ['@aws-sdk/*', '@smithy/*'],
    alias: realVercelPackage ? projectAliases(project) : vercelPackageAliases(),
    metafile: true,
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile.outputs);
  const modules = Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => path.relative(REPO, path.resolve(file)));
  return { modules, code: result.outputFiles[0].text };
}

const HELLO = `export default { fetch: () => new Response('hello') };`;

const FEATURE_MODULES = [
  'runtime/cache/dynamodb-cache.ts',
  'runtime/cache/persistent-cache.ts',
  'runtime/cache/value-codec.ts',
  'runtime/cdn/invalidation-manager.ts',
  'runtime/cdn/tag-table.ts',
  'runtime/cdn/overflow-rows.ts',
  'runtime/cdn/response-tags.ts',
  'runtime/handler/invocation-hooks.ts',
];

describe('function bundles', () => {
  test('hold none of the optional features when the function imports none of them', async () => {
    const { modules } = await bundle('hello', HELLO);
    expect(modules).toContain('runtime/handler/create-handler.ts');
    // A handler-set Vercel-Cache-Tag header is still rewritten into canonical CloudFront tags.
    expect(modules).toEqual(
      expect.arrayContaining(['runtime/cdn/tag-header.ts', 'runtime/cdn/cloudfront-tag.ts']),
    );
    for (const feature of FEATURE_MODULES) expect(modules).not.toContain(feature);
  });

  test('hold none of them when the function imports other exports of the @vercel/functions index', async () => {
    const { modules } = await bundle(
      'api-hello',
      `import { geolocation, waitUntil } from '@vercel/functions';
       export default { fetch(request: Request) { waitUntil(Promise.resolve()); return Response.json(geolocation(request)); } };`,
    );
    expect(modules).toContain('runtime/headers.ts');
    for (const feature of FEATURE_MODULES) expect(modules).not.toContain(feature);
  });

  test('load neither node:crypto nor node:zlib when a hello-world module is loaded', async () => {
    // Each costs milliseconds of every cold start (measured on Node 24): they are loaded on first use.
    const { code } = await bundle('hello-requires', HELLO);
    expect(code).not.toMatch(/require\("node:(crypto|zlib)"\)/);
  });

  test('hold the DynamoDB cache when the function imports getCache', async () => {
    const { modules } = await bundle(
      'cache',
      `import { getCache } from '@vercel/functions';
       export default { fetch: async () => Response.json(await getCache().get('k')) };`,
    );
    expect(modules).toEqual(
      expect.arrayContaining(['runtime/cache/dynamodb-cache.ts', 'runtime/cache/value-codec.ts']),
    );
    expect(modules).not.toContain('runtime/cdn/invalidation-manager.ts');
  });

  // And the DynamoDB cache: a tag purge expires the tag in the Runtime Cache too, as on Vercel.
  test('hold the invalidation manager, the overflow rows and the DynamoDB cache when the function imports invalidateByTag', async () => {
    const { modules } = await bundle(
      'purge',
      `import { invalidateByTag } from '@vercel/functions';
       export default { fetch: async () => { await invalidateByTag('t'); return new Response('ok'); } };`,
    );
    expect(modules).toEqual(
      expect.arrayContaining([
        'runtime/cdn/invalidation-manager.ts',
        'runtime/cdn/overflow-rows.ts',
        'runtime/cache/dynamodb-cache.ts',
      ]),
    );
  });

  test('hold the tag collection and the overflow rows when the function imports addCacheTag', async () => {
    const { modules } = await bundle(
      'tags',
      `import { addCacheTag } from '@vercel/functions';
       export default { fetch: async () => { await addCacheTag('t'); return new Response('ok'); } };`,
    );
    expect(modules).toEqual(
      expect.arrayContaining(['runtime/cdn/response-tags.ts', 'runtime/cdn/overflow-rows.ts']),
    );
    expect(modules).not.toContain('runtime/cdn/invalidation-manager.ts');
  });
});

describe('function bundles of a project with its own @vercel/functions', () => {
  const services: Record<string, string> = {
    cache: `import { getCache } from '@vercel/functions';
       export default { fetch: async () => Response.json(await getCache().get('k')) };`,
    purge: `import { invalidateByTag } from '@vercel/functions';
       export default { fetch: async () => { await invalidateByTag('t'); return new Response('ok'); } };`,
    tags: `import { addCacheTag } from '@vercel/functions';
       export default { fetch: async () => { await addCacheTag('t'); return new Response('ok'); } };`,
  };

  test('hold none of the optional features when the function imports none of them', async () => {
    const { modules } = await bundle(
      'real-hello',
      `import { geolocation, waitUntil } from '@vercel/functions';
       export default { fetch(request: Request) { waitUntil(Promise.resolve()); return Response.json(geolocation(request)); } };`,
      true,
    );
    expect(modules).toContain(path.relative(REPO, REAL_PACKAGE));
    expect(modules).toContain('runtime/handler/create-handler.ts');
    for (const feature of FEATURE_MODULES) expect(modules).not.toContain(feature);
    expect(modules).not.toContain('runtime/context-services.ts');
  });

  test('hold the DynamoDB cache alone when the function imports getCache', async () => {
    const { modules } = await bundle('real-cache', services.cache, true);
    expect(modules).toEqual(
      expect.arrayContaining(['runtime/cache/dynamodb-cache.ts', 'runtime/cache/value-codec.ts']),
    );
    expect(modules).not.toContain('runtime/cdn/invalidation-manager.ts');
    expect(modules).not.toContain('runtime/cdn/response-tags.ts');
  });

  test('hold the invalidation manager, the overflow rows and the DynamoDB cache when the function imports invalidateByTag', async () => {
    const { modules } = await bundle('real-purge', services.purge, true);
    expect(modules).toEqual(
      expect.arrayContaining([
        'runtime/cdn/invalidation-manager.ts',
        'runtime/cdn/overflow-rows.ts',
        'runtime/cache/dynamodb-cache.ts',
      ]),
    );
    expect(modules).not.toContain('runtime/cdn/response-tags.ts');
  });

  test('hold the tag collection and the overflow rows when the function imports addCacheTag', async () => {
    const { modules } = await bundle('real-tags', services.tags, true);
    expect(modules).toEqual(
      expect.arrayContaining(['runtime/cdn/response-tags.ts', 'runtime/cdn/overflow-rows.ts']),
    );
    expect(modules).not.toContain('runtime/cdn/invalidation-manager.ts');
    expect(modules).not.toContain('runtime/cache/dynamodb-cache.ts');
  });

  test('hold every feature when the function uses the whole @vercel/functions namespace', async () => {
    const { modules } = await bundle(
      'real-namespace',
      `import * as functions from '@vercel/functions';
       export default { fetch: () => Response.json(Object.keys(functions)) };`,
      true,
    );
    expect(modules).toEqual(
      expect.arrayContaining([
        'runtime/cache/dynamodb-cache.ts',
        'runtime/cdn/invalidation-manager.ts',
        'runtime/cdn/response-tags.ts',
      ]),
    );
  });
});
