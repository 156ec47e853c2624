import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { projectAliases } from './aliases';

/**
 * {@link projectAliases} as `NodejsFunction` `esbuildArgs`: one `--alias:<specifier>` key per alias,
 * the form NodejsFunction renders as esbuild's `--alias:<specifier>=<file>`.
 *
 * @throws {BundlingError} when the project's own `@vercel/functions` has an unreadable `package.json`.
 * @example
 * import { projectAliasArgs } from 'vercel-functions-aws/bundling';
 * projectAliasArgs('.'); // { '--alias:@vercel/functions': '/…/runtime/index.ts', … }
 */
export function projectAliasArgs(projectDir: string): Record<string, string> {
  const args: Record<string, string> = {};
  for (const [specifier, file] of Object.entries(projectAliases(projectDir))) {
    args[`--alias:${specifier}`] = file;
  }
  return args;
}

/**
 * `bundling` options for a `NodejsFunction` running Vercel-style code through `createHandler` (or
 * middy with `vercelExecutionMode`): `bundling` with the aliases of {@link projectAliases} added to
 * its `esbuildArgs`. Without them, `@vercel/functions` does not resolve unless the project installs
 * the real package — and then its `attachDatabasePool` holds every invocation open for the pool's
 * idle timeout and its OIDC entry points look for tokens only Vercel injects. The aliases win over
 * `esbuildArgs` of the same name.
 *
 * `projectDir` is the folder holding the project's `node_modules`, resolved against the working
 * directory as `NodejsFunction` resolves `entry`.
 *
 * @throws {BundlingError} when the project's own `@vercel/functions` has an unreadable `package.json`.
 * @example
 * import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
 * import { vercelBundling } from 'vercel-functions-aws/bundling';
 * new NodejsFunction(this, 'Legacy', { entry: 'src/legacy.ts', bundling: vercelBundling('.', { minify: true }) });
 */
export function vercelBundling(projectDir: string, bundling: BundlingOptions = {}): BundlingOptions {
  return { ...bundling, esbuildArgs: { ...bundling.esbuildArgs, ...projectAliasArgs(projectDir) } };
}
