import type { Writable } from 'node:stream';

// What the Lambda Node.js runtime installs as the global `awslambda`, for running streaming handlers
// in-process (the dev server). Behaviour mirrors aws-lambda-ric 4.0.2 (`dist/utils/globals.js`,
// `dist/stream/http-response-stream.js`, `dist/function/user-function-loader.js`), read from
// node_modules/aws-lambda-ric/index.mjs; a handler that works here must work under the real runtime.

/** Set on a handler by `streamifyResponse`; the runtime reads it off the exported handler at load time. */
export const HANDLER_STREAMING: unique symbol = Symbol.for('aws.lambda.runtime.handler.streaming') as never;
/** Optional socket high-water mark chosen through `streamifyResponse(handler, { highWaterMark })`. */
export const HANDLER_HIGH_WATER_MARK: unique symbol = Symbol.for(
  'aws.lambda.runtime.handler.streaming.highWaterMark',
) as never;
/** The only streaming mode the runtime supports. */
export const STREAM_RESPONSE = 'response';
/** Content type that tells Function URLs the body starts with a JSON prelude and 8 NUL bytes. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
/** The runtime's content type when the handler never sets one. */
export const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream';

const PRELUDE_DELIMITER_LENGTH = 8;

/** The response stream a streaming handler receives: a Writable plus the runtime's two extras. */
export interface LambdaResponseStream extends Writable {
  /** Sets the content type sent to the Runtime API; throws once the first write has happened. */
  setContentType(contentType: string): void;
  /** Called by the stream on the first `write()` only, with a writer that bypasses the hook. */
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
}

/** Options of `awslambda.streamifyResponse`. */
export interface StreamifyOptions {
  /** High-water mark of the response socket, in bytes. */
  readonly highWaterMark?: number;
}

/** The shape of the `awslambda` global. */
export interface AwsLambdaGlobal {
  // biome-ignore lint/complexity/noBannedTypes: the runtime accepts any function, as the real global does.
  streamifyResponse<H extends Function>(handler: H, options?: StreamifyOptions): H;
  HttpResponseStream: {
    from<S extends LambdaResponseStream>(stream: S, prelude: Record<string, unknown>): S;
  };
}

/** How the runtime will call a handler, read from the tags `streamifyResponse` set. */
export interface HandlerStreamingMetadata {
  readonly streaming: boolean;
  readonly highWaterMark?: number;
}

/** Thrown for handlers tagged with a streaming mode the runtime does not know. */
export class MalformedStreamingHandlerError extends Error {
  constructor(message: string) {
    super(message);
    // The real runtime's error type, so logs read the same locally and on Lambda.
    this.name = 'Runtime.MalformedStreamingHandler';
  }
}

/** Creates a fresh `awslambda` object without installing it. */
export function createLambdaGlobals(): AwsLambdaGlobal {
  return {
    streamifyResponse(handler, options) {
      const tagged = handler as unknown as Record<symbol, unknown>;
      tagged[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') {
        tagged[HANDLER_HIGH_WATER_MARK] = Number.parseInt(String(options.highWaterMark), 10);
      }
      return handler;
    },
    HttpResponseStream: {
      from(stream, prelude) {
        stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
        // Serialised now, as the runtime does: later changes to the prelude object are not seen.
        const serialised = JSON.stringify(prelude);
        // Emitted from the first write() only: an end(data) or bare end() without a prior write never
        // sends the prelude (aws-lambda-nodejs-runtime-interface-client#97). Kept identical on purpose
        // so code that trips over it locally is fixed before it reaches Lambda.
        stream._onBeforeFirstWrite = (write) => {
          write(serialised);
          write(new Uint8Array(PRELUDE_DELIMITER_LENGTH));
        };
        return stream;
      },
    },
  };
}

/**
 * Installs the streaming half of the `awslambda` global unless it is already there (the real
 * runtime, or an earlier install), and returns the global in effect.
 *
 * Merges into an existing object instead of skipping it: the AWS SDK's `@aws/lambda-invoke-store`
 * creates `globalThis.awslambda = {}` (to publish its InvokeStore) when a process loads the SDK, and
 * that object has no `streamifyResponse`.
 */
export function installLambdaGlobals(): AwsLambdaGlobal {
  const slot = globalThis as { awslambda?: Partial<AwsLambdaGlobal> };
  const existing = slot.awslambda;
  if (typeof existing?.streamifyResponse === 'function' && existing.HttpResponseStream) {
    return existing as AwsLambdaGlobal;
  }
  slot.awslambda = Object.assign(existing ?? {}, createLambdaGlobals());
  return slot.awslambda as AwsLambdaGlobal;
}

/** Reads the streaming tags off a handler, rejecting unknown modes exactly like the runtime. */
export function handlerStreamingMetadata(handler: unknown): HandlerStreamingMetadata {
  const tags = (handler ?? {}) as Record<symbol, unknown>;
  const mode = tags[HANDLER_STREAMING];
  const highWaterMark = Number(tags[HANDLER_HIGH_WATER_MARK]);
  const metadata = Number.isNaN(highWaterMark) || !highWaterMark ? {} : { highWaterMark };
  if (!mode) return { streaming: false, ...metadata };
  if (mode === STREAM_RESPONSE) return { streaming: true, ...metadata };
  throw new MalformedStreamingHandlerError('Only response streaming is supported.');
}
