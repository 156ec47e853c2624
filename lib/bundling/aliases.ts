import { projectHasOwnVercelPackage } from './project-package';
import { realPackageAliases } from './real-package-aliases';
import { runtimeModulePath } from './runtime-path';

/**
 * Where each public entry point of the Vercel packages lives in `runtime/`: `@vercel/functions`
 * (upstream's `exports` map), `@vercel/oidc` and `@vercel/oidc-aws-credentials-provider`.
 */
const VERCEL_PACKAGE_ENTRY_POINTS: Readonly<Record<string, string>> = {
  // With a default export for bundles (bundle-index.ts).
  '@vercel/functions': 'bundle-index',
  '@vercel/functions/headers': 'headers',
  '@vercel/functions/middleware': 'middleware',
  '@vercel/functions/db-connections': 'db-connections/index',
  '@vercel/functions/oidc': 'oidc/index',
  '@vercel/oidc': 'vercel-oidc/index',
  '@vercel/oidc-aws-credentials-provider': 'oidc-aws-credentials-provider/index',
};

/**
 * This package's own runtime entry points (its `exports` map) → the same `runtime/` sources, always:
 * a hand-written handler imports `createHandler` from `vercel-functions-aws/runtime/handler`, which
 * the `exports` map resolves to the compiled `dist/runtime`, while the `@vercel/functions` aliases
 * reach the shipped sources. Two copies of the runtime in one bundle share the request context
 * (a `Symbol.for` global) but not the service registry, so what one copy registers
 * (`attachDatabasePool`'s invocation hooks, the purge sweep) never reaches the other's handler.
 */
const OWN_RUNTIME_ENTRY_POINTS: Readonly<Record<string, string>> = {
  'vercel-functions-aws/runtime': 'bundle-index',
  'vercel-functions-aws/runtime/headers': 'headers',
  'vercel-functions-aws/runtime/middleware': 'middleware',
  'vercel-functions-aws/runtime/db-connections': 'db-connections/index',
  'vercel-functions-aws/runtime/oidc': 'oidc/index',
  'vercel-functions-aws/runtime/handler': 'handler/index',
  'vercel-functions-aws/runtime/handler/middy': 'handler/middy',
  'vercel-functions-aws/runtime/image-optimizer': 'image-optimizer/index',
  'vercel-functions-aws/runtime/cdn/sweeper': 'cdn/sweeper',
};

/**
 * The entry points that stay aliased even when the project installed its own `@vercel/functions`.
 *
 * The rule: a real module is kept only when its behaviour is right on AWS. The runtime provides the
 * request-context global (`waitUntil`, the cache, purges), the `x-real-ip` / `x-vercel-ip-*` /
 * `x-vercel-id` headers (the adapter writes them from CloudFront's) and the `VERCEL_*` variables the
 * constructs set; so the real index, `/headers` and `/middleware` (it only builds Responses) run as
 * upstream wrote them. `/db-connections` does not: with `VERCEL_URL` and `VERCEL_REGION` set (as the
 * constructs set them) upstream's `attachDatabasePool` hands `waitUntil` a promise that settles the
 * pool's idle timeout + 100 ms after each release, so that Vercel keeps the instance up until the
 * driver's idle reaper has closed its sockets. The adapter drains `waitUntil`, so every invocation
 * that used the pool would last 10 s (pg) to 60 s (mysql2) longer, billed, while a classic
 * environment takes no other request; the runtime's closes idle connections as the invocation ends
 * instead. The real index imports its own `./db-connections` by relative path, which no alias
 * reaches: {@link realPackageAliases} gives the index the runtime's `attachDatabasePool`. The OIDC
 * modules read the `x-vercel-oidc-token` header and `VERCEL_OIDC_TOKEN`, which only Vercel injects:
 * the real `@vercel/functions/oidc` `awsCredentialsProvider` calls `getVercelOidcTokenSync()` first
 * and throws before anything could fall back, so all three stay ours — they get tokens from STS.
 */
const ALWAYS_ALIASED: ReadonlySet<string> = new Set([
  '@vercel/functions/db-connections',
  '@vercel/functions/oidc',
  '@vercel/oidc',
  '@vercel/oidc-aws-credentials-provider',
]);

/** Options of {@link vercelPackageAliases}. */
export interface VercelPackageAliasOptions {
  /**
   * Whether to alias `@vercel/functions` and its subpaths. `false` leaves them to a real copy the
   * project installed, except `@vercel/functions/db-connections` (upstream's holds invocations open)
   * and `@vercel/functions/oidc`, which stay aliased with `@vercel/oidc` and
   * `@vercel/oidc-aws-credentials-provider` (the real ones need tokens only Vercel injects). The real
   * index then still carries upstream's `attachDatabasePool`: {@link projectAliases} also replaces
   * that one.
   *
   * @default true
   */
  readonly functionsPackage?: boolean;
}

/**
 * esbuild alias map: `@vercel/functions` and its subpaths (`/headers`, `/middleware`,
 * `/db-connections`, `/oidc`), `@vercel/oidc` and `@vercel/oidc-aws-credentials-provider` → the
 * matching `runtime/` source files, so user code keeps its imports and gets the AWS-backed
 * implementation; and this package's own `vercel-functions-aws/runtime…` entry points → the same
 * sources, so a bundle holds one copy of the runtime.
 *
 * @example
 * import { vercelPackageAliases } from '../lib/bundling';
 * await esbuild.build({ entryPoints: ['api/hello.ts'], bundle: true, alias: vercelPackageAliases() });
 */
export function vercelPackageAliases(options: VercelPackageAliasOptions = {}): Record<string, string> {
  const functionsPackage = options.functionsPackage ?? true;
  const aliases: Record<string, string> = {};
  for (const [specifier, modulePath] of Object.entries(OWN_RUNTIME_ENTRY_POINTS)) {
    aliases[specifier] = runtimeModulePath(modulePath);
  }
  for (const [specifier, modulePath] of Object.entries(VERCEL_PACKAGE_ENTRY_POINTS)) {
    if (!functionsPackage && !ALWAYS_ALIASED.has(specifier)) continue;
    aliases[specifier] = runtimeModulePath(modulePath);
  }
  return aliases;
}

/**
 * The aliases for bundling a function of `projectDir`: all of them, or — when the project installed
 * its own real `@vercel/functions` ({@link projectHasOwnVercelPackage}) — that copy's entry points,
 * except the ones whose behaviour is wrong on AWS, which stay the runtime's: `attachDatabasePool`
 * (also as exported by the real index; upstream's holds every invocation open for the pool's idle
 * timeout) and the OIDC entry points (`@vercel/functions/oidc`, `@vercel/oidc`,
 * `@vercel/oidc-aws-credentials-provider`; the real ones only read tokens Vercel's platform injects,
 * the runtime's get them from STS `GetWebIdentityToken`). The rest of the real `@vercel/functions`
 * works unchanged through the request-context global the runtime publishes.
 *
 * For a project with its own copy this writes a generated index under
 * `<projectDir>/node_modules/.cache/vercel-functions-aws/` (see `realPackageAliases`). The map
 * works with esbuild's `alias` option and with its CLI's `--alias:<specifier>=<file>`.
 *
 * @throws {BundlingError} when the project's copy has an unreadable `package.json`.
 * @example
 * import { projectAliases } from '../lib/bundling';
 * await esbuild.build({ entryPoints: ['api/hello.ts'], bundle: true, alias: projectAliases('.') });
 */
export function projectAliases(projectDir: string): Record<string, string> {
  if (!projectHasOwnVercelPackage(projectDir)) return vercelPackageAliases();
  return { ...realPackageAliases(projectDir), ...vercelPackageAliases({ functionsPackage: false }) };
}
