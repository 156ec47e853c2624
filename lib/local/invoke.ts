import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import {
  DEFAULT_STREAM_CONTENT_TYPE,
  HTTP_INTEGRATION_CONTENT_TYPE,
  handlerStreamingMetadata,
  type LambdaResponseStream,
} from './lambda-globals';

// Runs a response-streaming handler in-process the way the Lambda Node.js runtime (aws-lambda-ric 4.0.2,
// `StreamingInvokeProcessor`) does, and hands back the bytes it streams exactly as the Runtime API would
// receive them — so the Function URL front (function-url.ts) can turn them into an HTTP response.

/** A handler wrapped with `awslambda.streamifyResponse`. */
export type StreamingHandler = (
  event: unknown,
  responseStream: LambdaResponseStream,
  context: Context,
) => unknown;

/** Options of one in-process invocation. */
export interface InvokeOptions {
  /**
   * Function timeout in milliseconds; `context.getRemainingTimeInMillis()` counts down from it and the
   * invocation fails with Lambda's "Task timed out" error when it runs out.
   * @default 300_000 — Vercel's default maximum duration
   */
  readonly timeoutMs?: number;
  /** `context.functionName`. @default 'local-function' */
  readonly functionName?: string;
  /** `context.memoryLimitInMB`. @default 1024 */
  readonly memoryLimitInMB?: number;
  /** Region used in `context.invokedFunctionArn`. @default process.env.AWS_REGION, else 'us-east-1' */
  readonly region?: string;
  /** `context.awsRequestId`. @default a random UUID */
  readonly requestId?: string;
  /**
   * Receives invocation errors, like the runtime's "Invoke Error" log line.
   * @default - prints the request id and the error's stack with console.error
   */
  readonly logError?: (requestId: string, error: Error) => void;
}

/** How an invocation ended. */
export interface InvocationOutcome {
  /** Set when the invocation failed: handler threw or rejected, timed out, or left the stream unfinished. */
  readonly error?: Error;
  /** Wall-clock duration of the invocation. */
  readonly durationMs: number;
}

/** One running invocation. */
export interface Invocation {
  readonly requestId: string;
  readonly context: Context;
  /**
   * The bytes the function streams, as the Runtime API receives them (for HTTP integrations: the JSON
   * prelude, 8 NUL bytes, then the body). Ends when the function ends its stream. Destroyed with the
   * invocation's error if the function fails after its first byte — the Function URL then aborts the
   * client connection. A failure before the first byte instead yields a complete 502 response, as
   * Function URLs answer.
   */
  readonly body: Readable;
  /**
   * The content type the function declared for its stream. Final once `body` has produced its first
   * chunk or ended; `HTTP_INTEGRATION_CONTENT_TYPE` means `body` carries a prelude.
   */
  readonly contentType: string;
  /**
   * Resolves when the function starts its response — first byte written, stream ended, or invocation
   * failed — which is when the Runtime API learns `contentType`. Never rejects.
   */
  readonly started: Promise<void>;
  /** Settles when the invocation is over (the handler's promise settled and its stream ended). Never rejects. */
  readonly completed: Promise<InvocationOutcome>;
}

/** A non-async handler, a timeout, or a stream left open — failures the runtime itself reports. */
export class InvocationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvocationError';
  }
}

/** An invocation still running in the current async context; see {@link currentInvocation}. */
export interface RunningInvocation {
  readonly requestId: string;
  /**
   * Fails the invocation as if its handler had thrown `error`: a 502 when nothing was streamed yet,
   * otherwise an aborted stream. After the invocation ended, the error is only logged.
   */
  fail(error: Error): void;
}

const DEFAULT_TIMEOUT_MS = 300_000;
const FAILED_BEFORE_FIRST_BYTE_STATUS = 502;

// The invocation whose code is running, as seen from inside it: everything the handler awaits or
// schedules — timers, waitUntil work, callbacks — stays in its context, and on Node 24 so do the
// process's 'unhandledRejection' and 'uncaughtException' listeners when that code fails. Not
// per-request state: one storage, each invocation only in its own async context.
const running = new AsyncLocalStorage<RunningInvocation>();

/**
 * The in-process invocation the calling code belongs to, or `undefined` outside any. Lets a host
 * fail only the invocation an unhandled error came from, as Lambda fails only that invocation.
 */
export function currentInvocation(): RunningInvocation | undefined {
  return running.getStore();
}

/**
 * Invokes a streaming handler in-process.
 *
 * @throws TypeError when `handler` is not a function wrapped with `awslambda.streamifyResponse`.
 */
export function invokeStreamingHandler(
  handler: StreamingHandler,
  event: unknown,
  options: InvokeOptions = {},
): Invocation {
  if (typeof handler !== 'function') {
    throw new TypeError(`Expected a Lambda handler function, got ${typeof handler}.`);
  }
  const metadata = handlerStreamingMetadata(handler);
  if (!metadata.streaming) {
    throw new TypeError(
      'The handler is not a response-streaming handler: wrap it with awslambda.streamifyResponse(...).',
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}.`);
  }
  const requestId = options.requestId ?? randomUUID();
  const logError = options.logError ?? defaultLogError;
  const startedAt = Date.now();
  const context = createContext({ ...options, requestId, deadline: startedAt + timeoutMs });

  const channel = new ByteChannel();
  const responseStream = new LocalResponseStream(channel, metadata.highWaterMark);

  let settle!: (outcome: InvocationOutcome) => void;
  const completed = new Promise<InvocationOutcome>((resolve) => {
    settle = resolve;
  });
  let settled = false;
  const finish = (error?: Error): void => {
    if (settled) {
      // Lambda would have frozen or recycled the environment by now; in-process the code keeps
      // running, so later failures are only reported.
      if (error) logError(requestId, error);
      return;
    }
    settled = true;
    clearTimeout(timer);
    if (error) {
      logError(requestId, error);
      channel.fail(error);
    }
    settle({ error, durationMs: Date.now() - startedAt });
  };

  const timer = setTimeout(
    () => finish(new InvocationError(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
    timeoutMs,
  );
  // The dev server should be able to exit while a hung handler waits for its timeout.
  timer.unref();

  const scope: RunningInvocation = { requestId, fail: finish };
  void running
    .run(scope, () => run(handler, event, responseStream, context))
    .then(
      () => finish(),
      (error: unknown) => finish(toError(error)),
    );

  return {
    requestId,
    context,
    body: channel.readable,
    get contentType() {
      return channel.contentType ?? responseStream.contentType;
    },
    started: channel.started,
    completed,
  };
}

// The runtime's order of checks (StreamingInvokeProcessor.processInvoke / waitForStreamClosure).
async function run(
  handler: StreamingHandler,
  event: unknown,
  responseStream: LocalResponseStream,
  context: Context,
): Promise<void> {
  const result = handler(event, responseStream, context);
  if (!isThenable(result)) {
    throw new InvocationError('Streaming does not support non-async handlers.');
  }
  if ((await result) !== undefined) {
    console.warn('Streaming handlers ignore return values.');
  }
  // The runtime waits for the Runtime API to acknowledge the whole streamed body, which only happens
  // after end(); a handler that resolves without ending its stream hangs until the timeout.
  await responseStream.whenClosed;
  if (!responseStream.writableFinished) {
    throw new InvocationError('Response stream is not finished.', { cause: responseStream.destroyError });
  }
}

/**
 * The writable side a handler receives. Mirrors the runtime's response stream: `setContentType` only
 * before the first write, the `_onBeforeFirstWrite` hook fired by the first `write()` (never by
 * `end(chunk)`), non-binary chunks JSON-serialised.
 */
class LocalResponseStream extends Writable implements LambdaResponseStream {
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  contentType = DEFAULT_STREAM_CONTENT_TYPE;
  /** The error the handler destroyed the stream with, if any. */
  destroyError?: Error;
  private firstWriteDone = false;
  /** Resolves on 'close' (finished or destroyed); never rejects. */
  readonly whenClosed: Promise<void>;

  constructor(
    private readonly channel: ByteChannel,
    highWaterMark: number | undefined,
  ) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this.whenClosed = new Promise((resolve) => this.once('close', () => resolve()));
    // A handler that destroys its stream with an error is reported as the invocation's failure by
    // `run`; an unhandled 'error' event must not crash the dev server meanwhile.
    this.on('error', (error) => {
      this.destroyError ??= error;
    });
  }

  setContentType(contentType: string): void {
    if (this.firstWriteDone) {
      throw new InvalidStreamingOperationError('Cannot set content-type, too late.');
    }
    this.contentType = contentType;
  }

  // biome-ignore lint/suspicious/noExplicitAny: Writable.write's own overloads accept any chunk.
  override write(chunk: any, encoding?: any, callback?: any): boolean {
    const data =
      typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && !(chunk instanceof Uint8Array)
        ? JSON.stringify(chunk)
        : chunk;
    if (!this.firstWriteDone && typeof this._onBeforeFirstWrite === 'function') {
      this._onBeforeFirstWrite((bytes) => super.write(bytes));
    }
    const accepted = super.write(data, encoding, callback);
    this.firstWriteDone = true;
    return accepted;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.channel.push(chunk, this.contentType, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.channel.end(this.contentType);
    callback();
  }
}

/** The runtime's error for `setContentType` after the first write. */
export class InvalidStreamingOperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Runtime.InvalidStreamingOperation';
  }
}

/**
 * Carries bytes from the handler's stream to the reader with backpressure: a write is acknowledged
 * only once the reader has room, so a slow client slows the handler down like a slow socket would.
 */
class ByteChannel {
  readonly readable: Readable;
  /** Locked when the first byte (or the end of an empty stream) leaves for the reader. */
  contentType?: string;
  /** Resolves once `contentType` is locked. */
  readonly started: Promise<void>;
  private markStarted!: () => void;
  private pending?: () => void;
  private closed = false;

  constructor() {
    this.started = new Promise((resolve) => {
      this.markStarted = resolve;
    });
    this.readable = new Readable({
      read: () => this.release(),
      destroy: (error, callback) => {
        // The reader went away (client disconnected): Lambda keeps running the function and its writes
        // keep succeeding, so discard from now on instead of stalling the handler.
        this.closed = true;
        this.release();
        this.markStarted();
        callback(error);
      },
    });
  }

  push(chunk: Buffer, contentType: string, callback: () => void): void {
    if (this.closed) {
      callback();
      return;
    }
    this.lock(contentType);
    if (this.readable.push(chunk)) callback();
    else this.pending = callback;
  }

  end(contentType: string): void {
    if (this.closed) return;
    this.lock(contentType);
    this.closed = true;
    this.readable.push(null);
  }

  /** Fails the invocation: a complete 502 if nothing was sent yet, otherwise an aborted stream. */
  fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    if (this.contentType === undefined) {
      this.lock(HTTP_INTEGRATION_CONTENT_TYPE);
      const prelude = {
        statusCode: FAILED_BEFORE_FIRST_BYTE_STATUS,
        headers: { 'content-type': 'text/plain' },
      };
      this.readable.push(Buffer.from(JSON.stringify(prelude)));
      this.readable.push(Buffer.alloc(8));
      this.readable.push(Buffer.from('Internal Server Error'));
      this.readable.push(null);
    } else {
      this.readable.destroy(error);
    }
  }

  private lock(contentType: string): void {
    if (this.contentType !== undefined) return;
    this.contentType = contentType;
    this.markStarted();
  }

  private release(): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.();
  }
}

interface ContextInit extends InvokeOptions {
  readonly requestId: string;
  readonly deadline: number;
}

function createContext(init: ContextInit): Context {
  const functionName = init.functionName ?? 'local-function';
  const region = init.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const context = {
    // Node 24's runtime removed callback handlers and context.done/fail/succeed; only the data
    // fields and getRemainingTimeInMillis remain (aws-lambda-ric 4.0.2 ContextBuilder).
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(init.memoryLimitInMB ?? 1024),
    awsRequestId: init.requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]local`,
    getRemainingTimeInMillis: () => init.deadline - Date.now(),
  };
  return context as Context;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new InvocationError(String(value), { cause: value });
}

function defaultLogError(requestId: string, error: Error): void {
  console.error(`${requestId} Invoke Error: ${error.stack ?? `${error.name}: ${error.message}`}`);
}
