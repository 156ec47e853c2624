import * as path from 'node:path';
import { projectHasOwnVercelPackage } from './project-package';

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
 * The entry points that stay aliased even when the project installed its own `@vercel/functions`.
 *
 * The rule: a real module is kept only when everything it reads from Vercel's platform also exists
 * on AWS. The runtime provides the request-context global (`waitUntil`, the cache, purges), the
 * `x-real-ip` / `x-vercel-ip-*` / `x-vercel-id` headers (the adapter writes them from CloudFront's)
 * and the `VERCEL_*` variables the constructs set; so the real index, `/headers`, `/middleware`
 * (it only builds Responses) and `/db-connections` (the request context's `waitUntil`, `VERCEL_URL`,
 * `VERCEL_REGION`) run as upstream wrote them. The index also imports its own `./db-connections`
 * and `./headers` by relative path, which no alias reaches: aliasing those subpaths alone would put
 * two implementations in one bundle. The OIDC modules read the `x-vercel-oidc-token` header and
 * `VERCEL_OIDC_TOKEN`, which only Vercel injects: the real `@vercel/functions/oidc`
 * `awsCredentialsProvider` calls `getVercelOidcTokenSync()` first and throws before anything could
 * fall back, so all three stay ours — they get tokens from STS.
 */
const ALWAYS_ALIASED: ReadonlySet<string> = new Set([
  '@vercel/functions/oidc',
  '@vercel/oidc',
  '@vercel/oidc-aws-credentials-provider',
]);

/** Options of {@link vercelPackageAliases}. */
export interface VercelPackageAliasOptions {
  /**
   * Whether to alias `@vercel/functions` and its subpaths. `false` leaves them to a real copy the
   * project installed, except `@vercel/functions/oidc`, which stays aliased with `@vercel/oidc` and
   * `@vercel/oidc-aws-credentials-provider` (the real ones need tokens only Vercel injects).
   *
   * @default true
   */
  readonly functionsPackage?: boolean;
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
export function vercelPackageAliases(options: VercelPackageAliasOptions = {}): Record<string, string> {
  const functionsPackage = options.functionsPackage ?? true;
  const aliases: Record<string, string> = {};
  for (const [specifier, modulePath] of Object.entries(VERCEL_PACKAGE_ENTRY_POINTS)) {
    if (!functionsPackage && !ALWAYS_ALIASED.has(specifier)) continue;
    aliases[specifier] = runtimeModulePath(modulePath);
  }
  return aliases;
}

/**
 * The aliases for bundling a function of `projectDir`: all of them, or — when the project installed
 * its own real `@vercel/functions` ({@link projectHasOwnVercelPackage}) — only the OIDC entry points
 * (`@vercel/functions/oidc`, `@vercel/oidc`, `@vercel/oidc-aws-credentials-provider`).
 *
 * Why the OIDC entry points stay aliased: the real ones only read tokens Vercel's platform injects
 * (`x-vercel-oidc-token`, `VERCEL_OIDC_TOKEN`), which do not exist on AWS; the runtime's copies get
 * them from STS `GetWebIdentityToken` and let the execution role assume the role. The rest of the
 * real `@vercel/functions` works unchanged through the request-context global the runtime publishes.
 *
 * @example
 * import { projectAliases } from '../lib/bundling';
 * await esbuild.build({ entryPoints: ['api/hello.ts'], bundle: true, alias: projectAliases('.') });
 */
export function projectAliases(projectDir: string): Record<string, string> {
  return vercelPackageAliases({ functionsPackage: !projectHasOwnVercelPackage(projectDir) });
}
