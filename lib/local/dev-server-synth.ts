import { Annotations, App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { Cdn, type CdnRoutingRules } from '../cdn';
import { ImageOptimizer, type ImageOptimizerProps } from '../image-optimizer';
import { rejectRoutingMiddleware } from '../private/routing-middleware';
import {
  functionEntryFor,
  ignoredKeysMessage,
  readVercelJson,
  VERCEL_JSON_IMAGES_ID,
} from '../private/vercel-json';
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
 * `Cdn` (every path answers the edge 404) with vercel.json's routing rules (its redirects and headers
 * apply; rewrites have no function to go to, which the `Cdn` refuses), at the same construct path so
 * the distribution keeps its id.
 * `VercelProject` reads the project's vercel.json as at `cdk deploy`: with `images`, its
 * `ImageOptimizer` serves `/_vercel/image` (for a folder without routes, one at the same construct
 * path). The optimizer function's bundle (sharp installed for Lambda) is not built, as the dev
 * server runs the optimizer in-process.
 *
 * The synth's warning and error annotations go to `log`, one line each with its construct path, as
 * `cdk synth` prints them: a vercel.json key the constructs ignore (`"rewrite"` for `"rewrites"`)
 * would otherwise do nothing without a word. Not VercelProject's warning that vercel.json `functions`
 * entries match only brought-in functions: here every route's function is brought in, with those
 * entries' maxDuration as its timeout, so the warning would be false.
 *
 * @throws ConfigurationError when the project could not be deployed as it is (e.g. a route
 *   CloudFront path patterns cannot express)
 */
export function synthesizeDevDistribution(
  dir: string,
  routes: readonly Route[],
  outdir: string,
  log: (line: string) => void = () => undefined,
): AssemblyStack {
  const app = new App({ outdir });
  // One stack in us-east-1, where the body-signing Lambda@Edge function lives with the distribution.
  const stack = new DevStack(app, DEV_STACK_NAME, { env: { region: 'us-east-1' } });
  const vercelJson = readVercelJson(dir);
  if (routes.length === 0) {
    // No VercelProject (it refuses a project without functions, where the dev server keeps serving so
    // the first one can be written), so no one else reads vercel.json: its routing rules go to the
    // Cdn as VercelProject passes them, and run on the edge 404 as deployed.
    const project = new Construct(stack, 'Project');
    // Refused as VercelProject refuses it, so adding the first function changes nothing about it.
    rejectRoutingMiddleware(project, dir);
    const rules = vercelJson?.routingRules;
    const cdn = new Cdn(project, 'Cdn', {
      routingRules: rules && { ...(rules.input as CdnRoutingRules), file: vercelJson.file },
    });
    if (vercelJson && vercelJson.ignoredKeys.length > 0) {
      // VercelProject's warning, at its construct path.
      Annotations.of(project).addWarningV2(
        'vercel-functions-aws:vercelJsonKeysIgnored',
        ignoredKeysMessage(vercelJson.file, vercelJson.ignoredKeys),
      );
    }
    const images = vercelJson?.images;
    if (images) {
      stack.withoutBundling(() => new ImageOptimizer(project, VERCEL_JSON_IMAGES_ID, images)).addToCdn(cdn);
    }
  } else {
    const functions: Record<string, lambda.Function> = {};
    for (const [i, route] of routes.entries()) {
      // The route's vercel.json `functions` maxDuration, which the dev server reads back from the
      // template as its timeout (VercelProject leaves functions it is given as they are).
      const maxDuration = functionEntryFor(vercelJson?.functions ?? [], route.source)?.maxDuration;
      functions[route.path] = new lambda.Function(stack, `DevFunction${i}`, {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(PLACEHOLDER_CODE),
        timeout: maxDuration === undefined ? undefined : Duration.seconds(maxDuration),
      });
    }
    // Every route's function above is brought in, so VercelProject would say of each vercel.json
    // `functions` entry that it has no effect, though the dev server applies its maxDuration above.
    Annotations.of(stack).acknowledgeWarning(
      'vercel-functions-aws:vercelJsonFunctionsOwnOnly',
      "the dev server brings each route's function itself, with vercel.json's functions settings applied",
    );
    // The sweeper is a scheduled function; locally nothing schedules it, and bundling it (1.7 MB with
    // the AWS SDK) would slow every dev-server start and re-synthesis.
    new DevProject(stack, 'Project', { projectDir: dir, functions, enableInvalidationSweeper: false });
  }
  for (const line of synthMessageLines(app.synth())) log(line);
  return readAssemblyStack(outdir, DEV_STACK_NAME);
}

/**
 * The assembly's warnings and errors as the CDK CLI prints them after a synth:
 * `[Warning at /VercelDevServer/Project] <message>`. Info annotations stay out, as they do in
 * `cdk synth`'s default output.
 */
export function synthMessageLines(assembly: CloudAssembly): string[] {
  const lines: string[] = [];
  for (const stack of assembly.stacksRecursively) {
    for (const message of stack.messages) {
      if (message.level === 'info') continue;
      const level = message.level === 'error' ? 'Error' : 'Warning';
      const data = message.entry.data;
      lines.push(`[${level} at ${message.id}] ${typeof data === 'string' ? data : JSON.stringify(data)}`);
    }
  }
  return lines;
}

/**
 * `VercelProject` as `cdk deploy` synthesizes it, except that the image optimizer it creates from
 * vercel.json's `images` is not bundled. Skipping it needs the stack's help (CDK decides per stack
 * whether assets are bundled), and only the optimizer may skip: the body-signing Lambda@Edge
 * function, created by the same VercelProject, must be bundled as the emulation runs it.
 */
class DevProject extends VercelProject {
  protected override _createImageOptimizer(props: ImageOptimizerProps): ImageOptimizer {
    return (Stack.of(this) as DevStack).withoutBundling(() => super._createImageOptimizer(props));
  }
}

/**
 * The dev server's stack: bundles its assets like any stack, except for the constructs created in
 * {@link withoutBundling}. (The `aws:cdk:bundling-stacks` context can only skip a whole stack, and
 * the body-signing Lambda@Edge function in this one must be bundled: the emulation runs it.)
 */
class DevStack extends Stack {
  private bundling = true;

  override get bundlingRequired(): boolean {
    return this.bundling && super.bundlingRequired;
  }

  /**
   * Creates constructs whose assets are not bundled: CDK stages their source folder instead, as
   * for a stack excluded from bundling. For the image optimizer, that saves an esbuild run and an
   * `npm ci` of sharp for Lambda's platform at every synthesis.
   */
  withoutBundling<T>(create: () => T): T {
    this.bundling = false;
    try {
      return create();
    } finally {
      this.bundling = true;
    }
  }
}
