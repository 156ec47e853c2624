import type { ImageOptimizerConfig } from '../../runtime/image-optimizer/config';
import { resolveImageOptimizerConfig } from '../../runtime/image-optimizer/config';
import type { FunctionUrlTarget } from './cloudfront';
import { bufferedText, invokeInProcess } from './dev-server-invocation';
import type { StreamingHandler } from './invoke';

/** What {@link imageOptimizerTarget} needs of the runtime's optimizer module. */
export interface ImageOptimizerModule {
  createImageOptimizerHandler(options: { config: ImageOptimizerConfig }): StreamingHandler;
}

/** Options of {@link imageOptimizerTarget}. */
export interface ImageOptimizerTargetOptions {
  /** The Function URL's auth type in the template. */
  readonly authType: 'AWS_IAM' | 'NONE';
  /** The configuration the template gives the function (`VERCEL_FUNCTIONS_AWS_IMAGE_CONFIG`), parsed. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The dev server's own origin, e.g. `http://localhost:3000`: local sources are fetched through it. */
  readonly localOrigin: string;
  /** The function's timeout in the template. */
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
  /**
   * Loads the optimizer (and with it sharp).
   *
   * @default - the runtime's image optimizer, with the sharp installed for this machine
   */
  readonly load?: () => ImageOptimizerModule;
}

/**
 * The image optimizer of the synthesized template behind its Function URL, run in this process:
 * the runtime's handler — the code the construct bundles — with the template's configuration, and
 * sharp for this machine from node_modules (the deployed function gets Lambda's). Local sources
 * (`url=/…`) are fetched from the dev server itself, as deployed they are fetched through the
 * distribution. The optimizer is loaded on the first image request: a missing sharp is reported on
 * `/_vercel/image`, never at start, and a project without images never loads it.
 *
 * @throws InvalidImageOptimizerConfigError when the configuration is not valid
 */
export function imageOptimizerTarget(options: ImageOptimizerTargetOptions): FunctionUrlTarget {
  const config = resolveImageOptimizerConfig({ ...options.config, localOrigin: options.localOrigin });
  const load = options.load ?? loadRuntimeOptimizer;
  let handler: StreamingHandler | undefined;
  return {
    authType: options.authType,
    invoke: async (event) => {
      if (!handler) {
        try {
          handler = load().createImageOptimizerHandler({ config });
        } catch (error) {
          const message = loadFailure(error);
          options.log(message);
          return bufferedText(500, `${message}\n`, 'no-store');
        }
      }
      return invokeInProcess(handler, event, {
        functionName: 'image-optimizer',
        timeoutMs: options.timeoutMs,
        log: options.log,
      });
    },
  };
}

// Loaded on demand: importing it loads sharp's native binary, which may be missing on this machine.
function loadRuntimeOptimizer(): ImageOptimizerModule {
  return require('../../runtime/image-optimizer/handler') as ImageOptimizerModule;
}

function loadFailure(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  const { platform, arch } = process;
  return [
    `/_vercel/image: the image optimizer could not be loaded: ${reason}`,
    `It runs sharp, which needs its native binary for this machine (${platform}-${arch}); install it with`,
    `npm install --os=${platform} --cpu=${arch} sharp (deployed, the function gets Lambda's build).`,
  ].join('\n');
}
