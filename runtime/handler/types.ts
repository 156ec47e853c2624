import type { Writable } from 'node:stream';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';

/**
 * The second argument Vercel passes a Web handler (`export function GET(request, { waitUntil })`):
 * deprecated there in favour of `waitUntil` from `@vercel/functions`, but still passed.
 */
export interface FetchHandlerContext {
  /** Same as `waitUntil` from `@vercel/functions`; works destructured. */
  readonly waitUntil: (promise: Promise<unknown>) => void;
}

/** A Web handler: takes the request (and Vercel's context), returns (a promise of) the response. */
export type FetchHandler = (request: Request, context: FetchHandlerContext) => Response | Promise<Response>;

/**
 * What a user's `api/*.ts` module looks like to Vercel: `export default { fetch }`, a default
 * function taking the request, or one named export per HTTP method.
 */
export interface VercelModule {
  default?: { fetch?: FetchHandler } | FetchHandler;
  GET?: FetchHandler;
  POST?: FetchHandler;
  PUT?: FetchHandler;
  PATCH?: FetchHandler;
  DELETE?: FetchHandler;
  HEAD?: FetchHandler;
  OPTIONS?: FetchHandler;
}

/** Options of `createHandler()`. */
export interface HandlerOptions {
  /**
   * Time left to the Lambda runtime after the `waitUntil()` drain: the drain stops this many
   * milliseconds before the invocation's deadline, so the invocation ends cleanly instead of
   * being killed by the timeout. Must be a finite number ≥ 0.
   * @default 500
   */
  readonly drainSafetyMarginMs?: number;
}

/**
 * A Lambda response-streaming handler, as `awslambda.streamifyResponse()` returns it and the
 * Lambda runtime calls it.
 */
export type StreamingHandler = (
  event: LambdaFunctionURLEvent,
  responseStream: Writable,
  context: Context,
) => Promise<void>;
