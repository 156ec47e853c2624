import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { projectAliases, runtimeModulePath, vercelPackageAliases } from '../../../lib/bundling';

const RUNTIME = path.resolve(__dirname, '..', '..', '..', 'runtime');
const REAL_PACKAGE = realpathSync(path.resolve(RUNTIME, '..', 'node_modules', '@vercel', 'functions'));

// The Vercel packages' aliases, without this package's own runtime entry points.
function vercelOnly(aliases: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(aliases).filter(([key]) => key.startsWith('@vercel/')));
}

describe('vercelPackageAliases', () => {
  test('maps @vercel/functions and each upstream subpath to the runtime source when run from source', () => {
    expect(vercelOnly(vercelPackageAliases())).toEqual({
      // The index plus the default export a bundled default import needs.
      '@vercel/functions': path.join(RUNTIME, 'bundle-index.ts'),
      '@vercel/functions/headers': path.join(RUNTIME, 'headers.ts'),
      '@vercel/functions/middleware': path.join(RUNTIME, 'middleware.ts'),
      '@vercel/functions/db-connections': path.join(RUNTIME, 'db-connections', 'index.ts'),
      '@vercel/functions/oidc': path.join(RUNTIME, 'oidc', 'index.ts'),
      '@vercel/oidc': path.join(RUNTIME, 'vercel-oidc', 'index.ts'),
      '@vercel/oidc-aws-credentials-provider': path.join(
        RUNTIME,
        'oidc-aws-credentials-provider',
        'index.ts',
      ),
    });
  });

  test('covers every entry point of the real package exports map', () => {
    const manifestPath = path.resolve(RUNTIME, '..', 'node_modules', '@vercel', 'functions', 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, unknown> };
    const upstream = Object.keys(manifest.exports).map((key) => key.replace(/^\./, '@vercel/functions'));
    const ours = Object.keys(vercelPackageAliases()).filter((key) => key.startsWith('@vercel/functions'));
    expect(ours.sort()).toEqual(upstream.sort());
  });

  test("maps every runtime entry of this package's exports map to its source, in both modes", () => {
    const manifest = JSON.parse(readFileSync(path.resolve(RUNTIME, '..', 'package.json'), 'utf8')) as {
      exports: Record<string, { default: string }>;
    };
    const runtimeEntries = Object.entries(manifest.exports).filter(([key]) => key.startsWith('./runtime'));
    expect(runtimeEntries.length).toBeGreaterThan(0);
    for (const functionsPackage of [true, false]) {
      const aliases = vercelPackageAliases({ functionsPackage });
      for (const [key, target] of runtimeEntries) {
        // ./dist/runtime/handler/index.js → runtime/handler/index.ts: one copy of the runtime per bundle.
        // The package root bundles through bundle-index.ts: the index plus its default export.
        const compiled = target.default.replace(/^\.\/dist\/runtime\//, '').replace(/\.js$/, '');
        const source = compiled === 'index' ? 'bundle-index' : compiled;
        expect(aliases[key.replace(/^\./, 'vercel-functions-aws')]).toBe(runtimeModulePath(source));
      }
    }
  });

  test('returns absolute paths of existing files inside the runtime folder', () => {
    for (const target of Object.values(vercelPackageAliases())) {
      expect(path.isAbsolute(target)).toBe(true);
      expect(path.relative(RUNTIME, target).startsWith('..')).toBe(false);
      expect(existsSync(target)).toBe(true);
    }
  });

  test('leaves @vercel/functions and its subpaths out but keeps db-connections and the OIDC entry points when functionsPackage is false', () => {
    expect(Object.keys(vercelOnly(vercelPackageAliases({ functionsPackage: false }))).sort()).toEqual([
      '@vercel/functions/db-connections',
      '@vercel/functions/oidc',
      '@vercel/oidc',
      '@vercel/oidc-aws-credentials-provider',
    ]);
  });
});

describe('projectAliases', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vfa-aliases-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('aliases every Vercel package when the project has no copy of @vercel/functions', () => {
    expect(projectAliases(dir)).toEqual(vercelPackageAliases());
  });

  test('keeps the project copy but not its attachDatabasePool or OIDC when the project installed its own @vercel/functions', () => {
    mkdirSync(path.join(dir, 'node_modules', '@vercel'), { recursive: true });
    symlinkSync(REAL_PACKAGE, path.join(dir, 'node_modules', '@vercel', 'functions'));
    const aliases = projectAliases(dir);
    expect(aliases).toEqual({
      '@vercel/functions': expect.stringContaining(
        path.join(dir, 'node_modules', '.cache', 'vercel-functions-aws'),
      ),
      '@vercel/functions/headers': path.join(REAL_PACKAGE, 'headers.js'),
      '@vercel/functions/middleware': path.join(REAL_PACKAGE, 'middleware.js'),
      ...vercelPackageAliases({ functionsPackage: false }),
    });
    // Each export of the real index by name, so the bundle keeps only those the function imports.
    const index = readFileSync(aliases['@vercel/functions'], 'utf8');
    expect(index).toMatch(
      new RegExp(
        `^import \\{ [^}]*\\bwaitUntil as vercel\\d+\\b[^}]* \\} from ${JSON.stringify(path.join(REAL_PACKAGE, 'index.js'))};$`,
        'm',
      ),
    );
    expect(index).toMatch(/^export \{ [^}]*\bvercel\d+ as waitUntil\b[^}]* \};$/m);
    expect(index).not.toContain('export *');
  });
});

describe('runtimeModulePath', () => {
  test('points at an existing runtime module when given one', () => {
    const file = runtimeModulePath('get-context');
    expect(file).toBe(path.join(RUNTIME, 'get-context.ts'));
    expect(existsSync(file)).toBe(true);
  });
});
