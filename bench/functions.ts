import { App, Stack } from 'aws-cdk-lib';
import { vercelSystemEnvironment } from '../lib/private/vercel-environment';
import { CACHE_TABLE_ENV, TAG_TABLE_ENV } from '../runtime/constructs-contract';
import { type LocalFunction, startLocalFunction } from '../test/harness/local-function';
import { registerCleanup } from './cleanup';
import { BENCH_DISTRIBUTION, BENCH_FUNCTION_URL } from './fixtures/cloudfront-request';

/**
 * Runs a built bundle under the real aws-lambda-ric behind the harness's loopback Runtime API and
 * Function URL front, whose events are those of the `AWS_IAM` Function URL OAC signs requests to
 * (`BENCH_FUNCTION_URL`): every bench function gets the event shape a deployed one gets. Bundles
 * built in a bench workspace find the external AWS SDK through the
 * workspace's `node_modules` (see createWorkspace), as they find the runtime's copy on Lambda.
 * Until it is stopped, the function is stopped too when the bench is interrupted (cleanup.ts).
 */
export async function startBundled(
  code: { readonly taskRoot: string; readonly handler: string },
  env: Record<string, string> = {},
): Promise<LocalFunction> {
  const fn = await startLocalFunction({
    taskRoot: code.taskRoot,
    handler: code.handler,
    env,
    functionUrl: BENCH_FUNCTION_URL,
  });
  const unregister = registerCleanup(() => fn.stop());
  return {
    ...fn,
    // `logs` is a getter on the harness's object: a spread would freeze it at this moment.
    get logs() {
      return fn.logs;
    },
    stop: () => {
      unregister();
      return fn.stop();
    },
  };
}

/** Stops every function, even when one fails to stop. */
export async function stopAll(functions: readonly (LocalFunction | undefined)[]): Promise<void> {
  await Promise.allSettled(functions.map((fn) => fn?.stop()));
}

/**
 * The environment a `VercelProject` gives the function of `route` (us-east-1, default settings):
 * the `VERCEL_*` variables and the route from the constructs' own code
 * (lib/private/vercel-environment.ts), and the cache and tag table names it binds. With the route
 * set, the adapter checks every request against it, as deployed: a bench function without one
 * would skip that work.
 */
export function projectFunctionEnvironment(route: string): Record<string, string> {
  const stack = new Stack(new App(), 'Bench', { env: { region: 'us-east-1' } });
  return {
    ...vercelSystemEnvironment(stack, {
      route,
      deploymentUrl: BENCH_DISTRIBUTION.domain,
      productionUrl: BENCH_DISTRIBUTION.domain,
      deploymentId: 'dpl_0123456789abcdef01234567',
    }),
    [CACHE_TABLE_ENV]: 'Bench-CacheTable0123ABCD',
    [TAG_TABLE_ENV]: 'Bench-TagTable0123ABCD',
  };
}
