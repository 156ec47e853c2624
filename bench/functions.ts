import { type LocalFunction, startLocalFunction } from '../test/harness/local-function';

/**
 * Runs a built bundle under the real aws-lambda-ric behind the harness's loopback Runtime API and
 * Function URL front. Bundles built in a bench workspace find the external AWS SDK through the
 * workspace's `node_modules` (see createWorkspace), as they find the runtime's copy on Lambda.
 */
export function startBundled(
  code: { readonly taskRoot: string; readonly handler: string },
  env: Record<string, string> = {},
): Promise<LocalFunction> {
  return startLocalFunction({ taskRoot: code.taskRoot, handler: code.handler, env });
}

/** Stops every function, even when one fails to stop. */
export async function stopAll(functions: readonly (LocalFunction | undefined)[]): Promise<void> {
  await Promise.allSettled(functions.map((fn) => fn?.stop()));
}
