import * as path from 'node:path';

// This file is lib/bundling/aliases.ts in the source tree and dist/lib/bundling/aliases.js once
// compiled; the runtime sits two folders up in both (runtime/*.ts, dist/runtime/*.js). Resolving from
// here rather than from the working directory keeps bundling correct wherever the app runs from.
const RUNTIME_DIR = path.resolve(__dirname, '..', '..', 'runtime');
const RUNTIME_EXTENSION = path.extname(__filename) === '.ts' ? '.ts' : '.js';

/**
 * Where each public entry point of the Vercel packages lives in `runtime/`: `@vercel/functions`
 * (upstream's `exports` map), `@vercel/oidc` and `@vercel/oidc-aws-credentials-provider`.
 */
const VERCEL_PACKAGE_ENTRY_POINTS: Readonly<Record<string, string>> = {
  '@vercel/functions': 'index',
  '@vercel/functions/headers': 'headers',
  '@vercel/functions/middleware': 'middleware',
  '@vercel/functions/db-connections': 'db-connections/index',
  '@vercel/functions/oidc': 'oidc/index',
  '@vercel/oidc': 'vercel-oidc/index',
  '@vercel/oidc-aws-credentials-provider': 'oidc-aws-credentials-provider/index',
};

/**
 * Absolute path of a module of the Lambda runtime shim, e.g. `runtimeModulePath('handler/index')`.
 *
 * @param modulePath path inside `runtime/`, without extension
 */
export function runtimeModulePath(modulePath: string): string {
  return path.join(RUNTIME_DIR, `${modulePath}${RUNTIME_EXTENSION}`);
}

/**
 * esbuild alias map: `@vercel/functions` and its subpaths (`/headers`, `/middleware`,
 * `/db-connections`, `/oidc`), `@vercel/oidc` and `@vercel/oidc-aws-credentials-provider` → the
 * matching `runtime/` source files, so user code keeps its imports and gets the AWS-backed
 * implementation.
 *
 * @example
 * import { vercelPackageAliases } from '../lib/bundling';
 * await esbuild.build({ entryPoints: ['api/hello.ts'], bundle: true, alias: vercelPackageAliases() });
 */
export function vercelPackageAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const [specifier, modulePath] of Object.entries(VERCEL_PACKAGE_ENTRY_POINTS)) {
    aliases[specifier] = runtimeModulePath(modulePath);
  }
  return aliases;
}
