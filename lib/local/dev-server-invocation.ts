import type { LambdaFunctionURLEvent } from 'aws-lambda';
import type { FunctionUrlInvocation } from './cloudfront';
import { invokeStreamingHandler, type StreamingHandler } from './invoke';

// How the dev server's Function URLs run a handler in this process: a response-streaming
// invocation, as Lambda runs it behind a Function URL with InvokeMode RESPONSE_STREAM. Shared by the
// route functions and the image optimizer.

/** Options of {@link invokeInProcess}. */
export interface InProcessInvocationOptions {
  /** `context.functionName`. */
  readonly functionName: string;
  /** @default 300_000 */
  readonly timeoutMs?: number;
  /** Receives the runtime's "Invoke Error" lines. */
  readonly log: (line: string) => void;
}

/** Invokes `handler` with a Function URL event and resolves once it started streaming. */
export async function invokeInProcess(
  handler: StreamingHandler,
  event: LambdaFunctionURLEvent,
  options: InProcessInvocationOptions,
): Promise<FunctionUrlInvocation> {
  const invocation = invokeStreamingHandler(handler, event, {
    requestId: event.requestContext.requestId,
    functionName: options.functionName,
    timeoutMs: options.timeoutMs,
    logError: (id, error) => options.log(`${id} Invoke Error: ${error.stack ?? error.message}`),
  });
  await invocation.started;
  return { kind: 'streaming', contentType: invocation.contentType, body: invocation.body };
}

/**
 * A buffered Function URL response with a plain-text body: what the dev server answers itself
 * when it has no handler to run (a build failure, a missing native module).
 */
export function bufferedText(statusCode: number, text: string, cacheControl: string): FunctionUrlInvocation {
  const payload = {
    statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': cacheControl },
    body: text,
  };
  return { kind: 'buffered', payload: Buffer.from(JSON.stringify(payload)) };
}
