import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BundlingError, runtimeModulePath } from '../../../lib/bundling';
import { realPackageAliases } from '../../../lib/bundling/real-package-aliases';

describe('realPackageAliases', () => {
  let dir: string;
  let packageDir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vfa-real-package-aliases-'));
    packageDir = path.join(dir, 'node_modules', '@vercel', 'functions');
    mkdirSync(packageDir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function installManifest(manifest: unknown): void {
    writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify(manifest));
  }

  test('generates an index that re-exports the copy with the runtime attachDatabasePool when called', () => {
    installManifest({ exports: { '.': { import: './index.js', require: './index.js' } } });
    const index = realPackageAliases(dir)['@vercel/functions'];
    expect(index.startsWith(path.join(dir, 'node_modules', '.cache', 'vercel-functions-aws'))).toBe(true);
    const source = readFileSync(index, 'utf8');
    expect(source).toContain(`export * from ${JSON.stringify(path.join(packageDir, 'index.js'))};`);
    expect(source).toContain(
      `export { attachDatabasePool, experimental_attachDatabasePool } from ${JSON.stringify(runtimeModulePath('db-connections/index'))};`,
    );
  });

  test('maps each subpath of the exports map to its require target when the conditions differ', () => {
    installManifest({
      exports: {
        '.': { import: './esm/index.mjs', require: './cjs/index.js' },
        './headers': { import: './esm/headers.mjs', default: './cjs/headers.js' },
        './middleware': './middleware.js',
        './fallbacks': [{ worker: './worker.js' }, './fallback.js'],
        './features/*': './features/*.js',
        './browser-only': { browser: './browser.js' },
      },
    });
    const aliases = realPackageAliases(dir);
    expect(aliases).toEqual({
      '@vercel/functions': expect.any(String),
      '@vercel/functions/headers': path.join(packageDir, 'cjs', 'headers.js'),
      '@vercel/functions/middleware': path.join(packageDir, 'middleware.js'),
      '@vercel/functions/fallbacks': path.join(packageDir, 'fallback.js'),
    });
    expect(readFileSync(aliases['@vercel/functions'], 'utf8')).toContain(
      `export * from ${JSON.stringify(path.join(packageDir, 'cjs', 'index.js'))};`,
    );
  });

  test('uses main when the copy has no exports map', () => {
    installManifest({ main: 'lib/main.js' });
    const aliases = realPackageAliases(dir);
    expect(Object.keys(aliases)).toEqual(['@vercel/functions']);
    expect(readFileSync(aliases['@vercel/functions'], 'utf8')).toContain(
      `export * from ${JSON.stringify(path.join(packageDir, 'lib', 'main.js'))};`,
    );
  });

  test('uses index.js when the manifest names no entry point at all', () => {
    installManifest({ name: '@vercel/functions' });
    expect(readFileSync(realPackageAliases(dir)['@vercel/functions'], 'utf8')).toContain(
      `export * from ${JSON.stringify(path.join(packageDir, 'index.js'))};`,
    );
  });

  test('throws a BundlingError naming the file when package.json is not JSON', () => {
    writeFileSync(path.join(packageDir, 'package.json'), '{ not json');
    expect(() => realPackageAliases(dir)).toThrow(BundlingError);
    expect(() => realPackageAliases(dir)).toThrow(`could not read ${path.join(packageDir, 'package.json')}`);
  });

  test('throws a BundlingError when package.json holds no object', () => {
    installManifest(['@vercel/functions']);
    expect(() => realPackageAliases(dir)).toThrow(
      /package\.json must hold a JSON object, got \["@vercel\/functions"\]/,
    );
  });

  test('throws a BundlingError when the exports map has no main entry point', () => {
    installManifest({ exports: { './headers': './headers.js' } });
    expect(() => realPackageAliases(dir)).toThrow(
      `the @vercel/functions in ${packageDir} has no main entry point in its package.json "exports"`,
    );
  });
});
