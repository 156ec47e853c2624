import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { Cdn } from '../cdn';
import { VercelProject } from '../vercel-project';
import { type AssemblyStack, readAssemblyStack } from './cloudfront';
import type { Route } from './routes';

/** The stack the dev server synthesizes its distribution in. */
export const DEV_STACK_NAME = 'VercelDevServer';

// Stands in for each route's code in the synthesized template: the dev server runs its own bundles
// in-process, so the functions' assets are never used — and never bundled, which keeps a synth fast
// and independent of whether the code currently compiles.
const PLACEHOLDER_CODE =
  "exports.handler = async () => { throw new Error('served in-process by the vercel-functions-aws dev server'); };";

/**
 * Synthesizes the distribution `cdk deploy` would give the project — the same `VercelProject` and
 * `Cdn` constructs: behaviours or edge router, CloudFront Functions, policies, origin access
 * control, the body-signing Lambda@Edge function (bundled, it runs in the emulation) — into
 * `outdir`. Only the route functions' code is a placeholder. A folder without routes gets the bare
 * `Cdn` (every path answers the edge 404), at the same construct path so the distribution keeps its id.
 *
 * @throws ConfigurationError when the project could not be deployed as it is (e.g. a route
 *   CloudFront path patterns cannot express)
 */
export function synthesizeDevDistribution(
  dir: string,
  routes: readonly Route[],
  outdir: string,
): AssemblyStack {
  const app = new App({ outdir });
  // One stack in us-east-1, where the body-signing Lambda@Edge function lives with the distribution.
  const stack = new Stack(app, DEV_STACK_NAME, { env: { region: 'us-east-1' } });
  if (routes.length === 0) {
    new Cdn(new Construct(stack, 'Project'), 'Cdn');
  } else {
    const functions: Record<string, lambda.Function> = {};
    for (const [i, route] of routes.entries()) {
      functions[route.path] = new lambda.Function(stack, `DevFunction${i}`, {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(PLACEHOLDER_CODE),
      });
    }
    // The sweeper is a scheduled function; locally nothing schedules it, and bundling it (1.7 MB with
    // the AWS SDK) would slow every dev-server start and re-synthesis.
    new VercelProject(stack, 'Project', { projectDir: dir, functions, enableInvalidationSweeper: false });
  }
  app.synth();
  return readAssemblyStack(outdir, DEV_STACK_NAME);
}
