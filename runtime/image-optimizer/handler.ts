import type { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import { InvalidEventError } from '../errors';
import { toWebRequest } from '../handler/event';
import { type LambdaRuntime, lambdaRuntime } from '../handler/lambda-runtime';
import { logError } from '../handler/log';
import { guardRequest } from '../handler/request-guard';
import { sendResponse } from '../handler/response-stream';
import type { StreamingHandler } from '../handler/types';
import { type ImageOptimizerConfig, imageOptimizerConfigFromEnv } from './config';
import { optimizeImage } from './optimize';
import { errorResponse } from './response';

/** Options of {@link createImageOptimizerHandler}. */
export interface ImageOptimizerHandlerOptions {
  /** @default - read from `VERCEL_FUNCTIONS_AWS_IMAGE_CONFIG` (JSON) when the handler is created */
  readonly config?: ImageOptimizerConfig;
}

/**
 * The image optimizer's Lambda handler: a response-streaming handler behind a Function URL, like
 * the functions' adapter, and sharing its pieces — the event becomes a Web `Request`, the origin
 * secret is checked (`OriginProtection.secretHeader()`), the response is streamed with its
 * prelude — but not the adapter itself: there is no user code, no `waitUntil`, and the adapter
 * would re-encode the `Vercel-Cache-Tag` header, which already holds the source's CloudFront tag.
 *
 * Call it at module load (the Lambda runtime reads the streaming mark from the exported handler).
 * An invalid configuration throws here, so the function fails its init with the reason.
 *
 * @example
 * ```ts
 * import { createImageOptimizerHandler } from 'vercel-functions-aws/runtime/image-optimizer';
 *
 * export const handler = createImageOptimizerHandler();
 * ```
 */
export function createImageOptimizerHandler(options: ImageOptimizerHandlerOptions = {}): StreamingHandler {
  const runtime = lambdaRuntime();
  const config = options.config ?? imageOptimizerConfigFromEnv();
  return runtime.streamifyResponse((event: unknown, responseStream: Writable, context: Context) =>
    invoke(runtime, config, event, responseStream, context),
  );
}

async function invoke(
  runtime: LambdaRuntime,
  config: ImageOptimizerConfig,
  event: unknown,
  responseStream: Writable,
  context: Context,
): Promise<void> {
  const requestId = context.awsRequestId;
  let omitBody = false;
  let response: Response;
  try {
    const request = toWebRequest(event, { requestId, awsRegion: process.env.AWS_REGION });
    omitBody = request.method === 'HEAD';
    const admitted = await guardRequest(request, requestId);
    response = admitted instanceof Response ? admitted : await optimizeImage(admitted, config);
  } catch (error) {
    if (error instanceof InvalidEventError) {
      response = errorResponse(error.statusCode, error.message);
    } else {
      logError(requestId, 'The image optimizer failed', error);
      response = errorResponse(500, 'Internal Server Error');
    }
  }
  // A failure after the prelude went out is rethrown by sendResponse and reaches the Lambda
  // runtime, which aborts the stream: the client sees a broken response, not a truncated image.
  await sendResponse(runtime, responseStream, response, { omitBody });
}
