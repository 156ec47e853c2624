import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { adapterEntrySource, projectAliases, vercelPackageAliases } from '../../../lib/bundling';
import { linkInstalledPackages } from './project-links';

// `import vercel from '@vercel/functions'` works on plain Node in an ES module (the default import of
// the CommonJS package is its module.exports), so it must bundle: with the runtime aliased in and
// with a project's own copy behind the generated index. The default object must cost nothing to the
// functions that import by name: esbuild must drop it from their bundles.

const REPO = path.resolve(__dirname, '..', '..', '..');

let dir: string;
// No @vercel/functions of its own: the runtime is aliased in.
let ownRuntime: string;
// The real @vercel/functions installed (a link to this repository's copy).
let realPackage: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vfa-default-import-'));
  ownRuntime = path.join(dir, 'own-runtime');
  realPackage = path.join(dir, 'real-package');
  mkdirSync(ownRuntime);
  linkInstalledPackages(realPackage, ['@vercel/functions']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modes = [
  ['the runtime aliased in', () => vercelPackageAliases()],
  ['a project with its own @vercel/functions', () => projectAliases(realPackage)],
] as const;

async function bundle(
  name: string,
  source: string,
  alias: Record<string, string>,
  entry: 'module' | 'adapter',
): Promise<{ outfile: string; metafile: Metafile }> {
  const file = path.join(dir, `${name}.ts`);
  writeFileSync(file, source);
  const outfile = path.join(dir, 'out', `${name}.js`);
  const { metafile } = await build({
    ...(entry === 'adapter'
      ? { stdin: { contents: adapterEntrySource(file), resolveDir: dir, loader: 'js' as const } }
      : { entryPoints: [file] }),
    bundle: true,
    outfile,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    external: ['@aws-sdk/*', '@smithy/*'],
    alias,
    metafile: true,
    logLevel: 'silent',
  });
  return { outfile, metafile };
}

// The default object as esbuild writes it unminified (`var runtime_default = {` and the like), found
// by its first key: the index lists the exports alphabetically.
const DEFAULT_OBJECT = /\b\w+_default = \{\s*addCacheTag\b/;

describe('a default import of @vercel/functions', () => {
  test.each(modes)('bundles to an object of every export when bundled with %s', async (mode, alias) => {
    const { outfile } = await bundle(
      `default-${mode.length}`,
      `import vercel, { attachDatabasePool, waitUntil } from '@vercel/functions';
module.exports = {
  keys: Object.keys(vercel).sort(),
  same: vercel.attachDatabasePool === attachDatabasePool && vercel.waitUntil === waitUntil,
};`,
      alias(),
      'module',
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', 'process.stdout.write(JSON.stringify(require(process.argv[1])))', outfile],
      { timeout: 30_000 },
    );
    const upstream = Object.keys(require('@vercel/functions')).sort();
    expect(JSON.parse(stdout)).toEqual({ keys: upstream, same: true });
    expect(readFileSync(outfile, 'utf8')).toMatch(DEFAULT_OBJECT);
  });

  test.each(modes)('carries the runtime attachDatabasePool when bundled with %s', async (mode, alias) => {
    const { metafile } = await bundle(
      `default-pool-${mode.length}`,
      `import vercel from '@vercel/functions';
export default { fetch: () => Response.json(typeof vercel.attachDatabasePool) };`,
      alias(),
      'adapter',
    );
    const [output] = Object.values(metafile.outputs);
    const pools = Object.entries(output.inputs).find(
      ([file]) => path.relative(REPO, path.resolve(file)) === 'runtime/db-connections/index.ts',
    );
    expect(pools?.[1].bytesInOutput).toBeGreaterThan(0);
  });
});

describe('a function importing @vercel/functions by name', () => {
  test.each(modes)('carries no default object when bundled with %s', async (mode, alias) => {
    const { outfile } = await bundle(
      `named-${mode.length}`,
      `import { geolocation, waitUntil } from '@vercel/functions';
export default { fetch(request: Request) { waitUntil(Promise.resolve()); return Response.json(geolocation(request)); } };`,
      alias(),
      'adapter',
    );
    expect(readFileSync(outfile, 'utf8')).not.toMatch(DEFAULT_OBJECT);
  });
});
