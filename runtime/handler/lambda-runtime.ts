import type { Writable } from 'node:stream';
import { LambdaRuntimeMissingError } from '../errors';

/**
 * The part of the `awslambda` global the adapter uses. The Lambda Node.js runtime (aws-lambda-ric)
 * installs it before loading the handler module; the local dev server installs an equivalent.
 */
export interface LambdaRuntime {
  /** Marks a handler as response-streaming; the runtime reads the mark from the exported handler. */
  streamifyResponse<T extends (...args: never[]) => unknown>(
    handler: T,
    options?: { highWaterMark?: number },
  ): T;
  readonly HttpResponseStream: {
    /** Arranges for `prelude` (JSON) and 8 NUL bytes to be written before the first chunk. */
    from(stream: Writable, prelude: Record<string, unknown>): Writable;
  };
}

/** The `awslambda` global, or `LambdaRuntimeMissingError` when it is absent or incomplete. */
export function lambdaRuntime(): LambdaRuntime {
  const candidate = (globalThis as { awslambda?: Partial<LambdaRuntime> }).awslambda;
  if (
    typeof candidate?.streamifyResponse !== 'function' ||
    typeof candidate.HttpResponseStream?.from !== 'function'
  ) {
    throw new LambdaRuntimeMissingError();
  }
  return candidate as LambdaRuntime;
}
