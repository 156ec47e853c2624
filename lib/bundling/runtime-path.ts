import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const PACKAGE_NAME = 'vercel-functions-aws';

// This file is lib/bundling/runtime-path.ts in the source tree and dist/lib/bundling/runtime-path.js
// once compiled. Functions are bundled from the runtime's TypeScript sources in both: the package ships
// runtime/**/*.ts next to dist/, because esbuild cannot tree-shake the CommonJS that tsc emits into
// dist/runtime/ (a hello world would carry the cache, the invalidation manager and the database pools),
// and the `__VFA_*__` defines and `/* @__PURE__ */` annotations only take effect on the ES module
// sources. Resolving from this file rather than from the working directory keeps bundling correct
// wherever the app runs from.
const PACKAGE_ROOT = findPackageRoot(__dirname);
const SOURCE_RUNTIME_DIR = PACKAGE_ROOT === undefined ? undefined : path.join(PACKAGE_ROOT, 'runtime');
// The compiled runtime sits two folders up from the compiled file (dist/runtime/*.js).
const COMPILED_RUNTIME_DIR = path.resolve(__dirname, '..', '..', 'runtime');

/**
 * Absolute path of a module of the Lambda runtime shim, e.g. `runtimeModulePath('handler/index')`: its
 * TypeScript source (`<package>/runtime/<module>.ts`), from the source tree and the installed package
 * alike.
 *
 * @param modulePath path inside `runtime/`, without extension
 */
export function runtimeModulePath(modulePath: string): string {
  if (SOURCE_RUNTIME_DIR !== undefined) {
    const source = path.join(SOURCE_RUNTIME_DIR, `${modulePath}.ts`);
    if (existsSync(source)) return source;
  }
  // Only a copy of the package without its runtime sources gets here (e.g. dist/ alone, copied by
  // hand): its compiled runtime still bundles and runs, just without tree-shaking.
  return path.join(COMPILED_RUNTIME_DIR, `${modulePath}.js`);
}

// The nearest folder above `dir` whose package.json names this package: the repository root from
// lib/bundling/, the installed package's root from dist/lib/bundling/. The name check skips any other
// package.json on the way, such as one a build tool left in between.
function findPackageRoot(dir: string): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    if (packageName(path.join(current, 'package.json')) === PACKAGE_NAME) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

function packageName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}
