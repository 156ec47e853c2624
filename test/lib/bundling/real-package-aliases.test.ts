import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { transformSync } from 'esbuild';
import { BundlingError, runtimeModulePath } from '../../../lib/bundling';
import { commonJsExportNames, realPackageAliases } from '../../../lib/bundling/real-package-aliases';

const RUNTIME_POOLS = JSON.stringify(runtimeModulePath('db-connections/index'));
const METRIC_CHANNEL = JSON.stringify(runtimeModulePath('handler/metric-channel'));
const SERVICES = JSON.stringify(runtimeModulePath('real-package-services'));
const ALL_SERVICES = JSON.stringify(runtimeModulePath('context-services'));

// A CommonJS index as esbuild builds the real package's, with the annotation naming its exports.
function commonJsIndex(esmSource: string, minify = false): string {
  return transformSync(esmSource, { format: 'cjs', platform: 'node', minify }).code;
}

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

  test('generates an index that re-exports every export of the copy by name when its index lists them', () => {
    installManifest({ exports: { '.': { import: './index.js', require: './index.js' } } });
    writeFileSync(
      path.join(packageDir, 'index.js'),
      commonJsIndex(
        'export const waitUntil = 1, geolocation = 2, attachDatabasePool = 3, experimental_attachDatabasePool = 4, metric = 5; export default 6;',
      ),
    );
    const index = JSON.stringify(path.join(packageDir, 'index.js'));
    const source = readFileSync(realPackageAliases(dir)['@vercel/functions'], 'utf8');
    expect(source).toContain(`import { geolocation as vercel0, waitUntil as vercel1 } from ${index};`);
    expect(source).toContain('export { vercel0 as geolocation, vercel1 as waitUntil };');
    expect(source).toContain(
      `import { attachDatabasePool, experimental_attachDatabasePool } from ${RUNTIME_POOLS};`,
    );
    expect(source).toContain('export { attachDatabasePool, experimental_attachDatabasePool };');
    expect(source).not.toContain('export *');
    // Every export of the index, for `import vercel from '@vercel/functions'`; the copy's own default
    // is not one (Node's default import of a CommonJS module is its whole module.exports).
    expect(source).toContain(
      'export default { attachDatabasePool, experimental_attachDatabasePool, geolocation: vercel0, metric, waitUntil: vercel1 };',
    );
  });

  test("wraps the copy's metric to install the runtime's channel on its first call when the copy exports metric", () => {
    installManifest({ main: 'index.js' });
    writeFileSync(path.join(packageDir, 'index.js'), commonJsIndex('export const metric = () => {};'));
    const source = readFileSync(realPackageAliases(dir)['@vercel/functions'], 'utf8');
    expect(source).toContain(
      `import { metric as vercelMetric } from ${JSON.stringify(path.join(packageDir, 'index.js'))};`,
    );
    expect(source).toContain(`import { installMetricChannel } from ${METRIC_CHANNEL};`);
    expect(source).toContain(
      'export function metric(...args) {\n  installMetricChannel();\n  return vercelMetric(...args);\n}',
    );
    // Only inside metric(): a top-level call would keep the channel in every bundle.
    expect(source).not.toMatch(/^installMetricChannel\(\);$/m);
  });

  test('registers each request-context service with the exports of the copy that use it, in pure calls', () => {
    installManifest({ main: 'index.js' });
    writeFileSync(
      path.join(packageDir, 'index.js'),
      commonJsIndex(
        'export const waitUntil = 1, getCache = 2, invalidateByTag = 3, dangerouslyDeleteByTag = 4, invalidateBySrcImage = 5, dangerouslyDeleteBySrcImage = 6, addCacheTag = 7;',
      ),
    );
    const index = JSON.stringify(path.join(packageDir, 'index.js'));
    const source = readFileSync(realPackageAliases(dir)['@vercel/functions'], 'utf8');
    expect(source).toContain(`import { waitUntil as vercel0 } from ${index};`);
    expect(source).toContain(
      `import { addCacheTag as vercelAddCacheTag, dangerouslyDeleteBySrcImage as vercelDangerouslyDeleteBySrcImage, dangerouslyDeleteByTag as vercelDangerouslyDeleteByTag, getCache as vercelGetCache, invalidateBySrcImage as vercelInvalidateBySrcImage, invalidateByTag as vercelInvalidateByTag } from ${index};`,
    );
    expect(source).toContain(`import { withCacheTags, withCdnPurge, withRuntimeCache } from ${SERVICES};`);
    for (const line of [
      'export const getCache = /* @__PURE__ */ withRuntimeCache(vercelGetCache);',
      'export const invalidateByTag = /* @__PURE__ */ withCdnPurge(vercelInvalidateByTag);',
      'export const dangerouslyDeleteByTag = /* @__PURE__ */ withCdnPurge(vercelDangerouslyDeleteByTag);',
      'export const invalidateBySrcImage = /* @__PURE__ */ withCdnPurge(vercelInvalidateBySrcImage);',
      'export const dangerouslyDeleteBySrcImage = /* @__PURE__ */ withCdnPurge(vercelDangerouslyDeleteBySrcImage);',
      'export const addCacheTag = /* @__PURE__ */ withCacheTags(vercelAddCacheTag);',
    ]) {
      expect(source).toContain(line);
    }
    expect(source).not.toContain('context-services');
  });

  test('imports no service registration when the copy exports none of the calls that use one', () => {
    installManifest({ main: 'index.js' });
    writeFileSync(
      path.join(packageDir, 'index.js'),
      commonJsIndex('export const waitUntil = 1, getEnv = 2;'),
    );
    const source = readFileSync(realPackageAliases(dir)['@vercel/functions'], 'utf8');
    expect(source).not.toContain('real-package-services');
    expect(source).not.toContain('context-services');
  });

  test('leaves metric out when the copy does not export it', () => {
    installManifest({ main: 'index.js' });
    writeFileSync(path.join(packageDir, 'index.js'), commonJsIndex('export const waitUntil = 1;'));
    const source = readFileSync(realPackageAliases(dir)['@vercel/functions'], 'utf8');
    expect(source).not.toContain('metric');
  });

  test('quotes export names that are not identifiers when the copy exports them', () => {
    installManifest({ main: 'index.js' });
    writeFileSync(
      path.join(packageDir, 'index.js'),
      commonJsIndex(`const v = 1; export { v as "kebab-name", v as if, v as café, v as '"q' };`),
    );
    const source = readFileSync(realPackageAliases(dir)['@vercel/functions'], 'utf8');
    expect(source).toContain(
      `import { "\\"q" as vercel0, café as vercel1, if as vercel2, "kebab-name" as vercel3 } from ${JSON.stringify(path.join(packageDir, 'index.js'))};`,
    );
    expect(source).toContain(
      'export { vercel0 as "\\"q", vercel1 as café, vercel2 as if, vercel3 as "kebab-name" };',
    );
    expect(source).toContain(
      'export default { "\\"q": vercel0, café: vercel1, if: vercel2, "kebab-name": vercel3, attachDatabasePool, experimental_attachDatabasePool };',
    );
  });

  test('falls back to export * with the metric channel and every service registered at load when the index lists no names', () => {
    installManifest({ main: 'index.js' });
    writeFileSync(path.join(packageDir, 'index.js'), 'exports.waitUntil = () => {};\n');
    const source = readFileSync(realPackageAliases(dir)['@vercel/functions'], 'utf8');
    expect(source).toContain(`export * from ${JSON.stringify(path.join(packageDir, 'index.js'))};`);
    expect(source).toContain('lists no export names');
    expect(source).toContain(`import { installMetricChannel } from ${METRIC_CHANNEL};`);
    expect(source).toMatch(/^installMetricChannel\(\);$/m);
    // Every request-context service too: which exports a function uses cannot be told apart.
    expect(source).toContain(`import ${ALL_SERVICES};`);
    // The default import: the copy's exports with the runtime's attachDatabasePool over upstream's.
    expect(source).toContain(
      `import * as vercelCopy from ${JSON.stringify(path.join(packageDir, 'index.js'))};`,
    );
    expect(source).toContain('return { ...copy, attachDatabasePool, experimental_attachDatabasePool };');
  });

  test('generates an index that re-exports the copy with the runtime attachDatabasePool when called', () => {
    installManifest({ exports: { '.': { import: './index.js', require: './index.js' } } });
    const index = realPackageAliases(dir)['@vercel/functions'];
    expect(index.startsWith(path.join(dir, 'node_modules', '.cache', 'vercel-functions-aws'))).toBe(true);
    const source = readFileSync(index, 'utf8');
    expect(source).toContain(`export * from ${JSON.stringify(path.join(packageDir, 'index.js'))};`);
    expect(source).toContain(
      `import { attachDatabasePool, experimental_attachDatabasePool } from ${RUNTIME_POOLS};`,
    );
    expect(source).toContain('export { attachDatabasePool, experimental_attachDatabasePool };');
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

describe('commonJsExportNames', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vfa-cjs-export-names-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function namesOf(code: string): string[] | undefined {
    const file = path.join(dir, 'index.js');
    writeFileSync(file, code);
    return commonJsExportNames(file);
  }

  test('lists the names of the real @vercel/functions index when given it', () => {
    const names = commonJsExportNames(require.resolve('@vercel/functions'));
    expect(names).toEqual(
      expect.arrayContaining(['attachDatabasePool', 'metric', 'waitUntil', 'geolocation']),
    );
  });

  test('reads the annotation when the index is minified', () => {
    expect(namesOf(commonJsIndex('export const a = 1, b = 2;', true))).toEqual(['a', 'b']);
  });

  test('reads string keys, reserved words and escapes when they are export names', () => {
    const code = commonJsIndex(
      `const v = 1; export { v as "a-b", v as "x}y", v as '"q', v as default, v as if, v as café, v as "😀\\n" };`,
    );
    expect(code).toContain('caf\\u00E9');
    expect(namesOf(code)?.sort()).toEqual(['"q', '😀\n', 'a-b', 'café', 'if', 'x}y'].sort());
  });

  test('returns undefined when an escape in the annotation names no character', () => {
    expect(namesOf('0 && (module.exports = { "\\u{FFFFFFF}": null });\n')).toBeUndefined();
  });

  test('uses the last annotation when the file holds several', () => {
    const code = `${commonJsIndex('export const inner = 1;')}\n${commonJsIndex('export const outer = 1;')}`;
    expect(namesOf(code)).toEqual(['outer']);
  });

  test('returns undefined when the file has no annotation', () => {
    expect(namesOf('module.exports = { a: 1 };\n')).toBeUndefined();
  });

  test('returns undefined when an entry of the annotation is not a name', () => {
    expect(namesOf('0 && (module.exports = { a, b: compute() });\n')).toBeUndefined();
    expect(namesOf('0 && (module.exports = { a b });\n')).toBeUndefined();
  });

  test('returns undefined when the annotation lists nothing', () => {
    expect(namesOf('0 && (module.exports = {});\n')).toBeUndefined();
  });

  test('returns undefined when the file does not exist', () => {
    expect(commonJsExportNames(path.join(dir, 'missing.js'))).toBeUndefined();
  });
});
