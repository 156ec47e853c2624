/**
 * Test-only stand-in for the `awslambda` globals and the streaming invoke loop of aws-lambda-ric
 * 4.0.2, with the behaviours the adapter must cope with (read from node_modules/aws-lambda-ric/
 * index.mjs): the prelude is written by the patched `write()` on the FIRST write only, so an
 * `end()` without a prior write loses it (RIC issue #97); `setContentType` throws after the first
 * write; after the handler's promise resolves the stream must be finished; a rejected promise
 * fails the stream with error trailers. Not the dev server's polyfill.
 */
import { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';

const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

type PatchedStream = FakeResponseStream & {
  _onBeforeFirstWrite?: (write: (chunk: unknown) => boolean) => void;
};

/** A response stream like the RIC's: a Writable with a first-write hook and a slow consumer. */
export class FakeResponseStream extends Writable {
  contentType = 'application/octet-stream';
  readonly chunks: Buffer[] = [];
  /** When end() was called and when 'finish' fired (ms since epoch). */
  endCalledAt?: number;
  finishedAt?: number;
  /** Bytes written by the handler but not yet consumed, at most, over the whole response. */
  maxBuffered = 0;
  private firstWriteDone = false;
  private consumed = 0;
  private accepted = 0;

  constructor(
    private readonly consumeDelayMs = 0,
    highWaterMark?: number,
  ) {
    super({ highWaterMark });
    const origWrite = this.write.bind(this) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const origEnd = this.end.bind(this) as (...args: unknown[]) => this;
    this.write = ((chunk: unknown, ...rest: unknown[]) => {
      const hook = (this as PatchedStream)._onBeforeFirstWrite;
      if (!this.firstWriteDone && typeof hook === 'function') {
        hook((c) => {
          this.accepted += Buffer.byteLength(c as string | Uint8Array);
          return origWrite(c);
        });
      }
      this.firstWriteDone = true;
      const ok = origWrite(chunk, ...rest);
      this.accepted += Buffer.byteLength(chunk as string | Uint8Array);
      this.maxBuffered = Math.max(this.maxBuffered, this.accepted - this.consumed);
      return ok;
    }) as Writable['write'];
    (this as unknown as { end: (...args: unknown[]) => unknown }).end = (...args: unknown[]) => {
      this.endCalledAt ??= Date.now();
      return origEnd(...args);
    };
    this.once('finish', () => {
      this.finishedAt = Date.now();
    });
  }

  setContentType(contentType: string): void {
    if (this.firstWriteDone) throw new Error('Cannot set content-type, too late.');
    this.contentType = contentType;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const consume = () => {
      this.chunks.push(Buffer.from(chunk));
      this.consumed += chunk.length;
      callback();
    };
    if (this.consumeDelayMs > 0) setTimeout(consume, this.consumeDelayMs);
    else consume();
  }
}

export const fakeLambdaRuntime = {
  streamifyResponse<T extends object>(handler: T): T {
    (handler as Record<symbol, unknown>)[STREAMING] = 'response';
    return handler;
  },
  HttpResponseStream: {
    from(stream: Writable, prelude: Record<string, unknown>): Writable {
      const target = stream as PatchedStream;
      target.setContentType(PRELUDE_CONTENT_TYPE);
      const json = JSON.stringify(prelude);
      target._onBeforeFirstWrite = (write) => {
        write(json);
        write(new Uint8Array(8));
      };
      return stream;
    },
  },
};

/** Installs the fake `awslambda` global; returns a function restoring what was there. */
export function installFakeLambdaRuntime(): () => void {
  const slot = globalThis as { awslambda?: unknown };
  const previous = slot.awslambda;
  slot.awslambda = fakeLambdaRuntime;
  return () => {
    slot.awslambda = previous;
  };
}

export interface InvokeOptions {
  requestId?: string;
  /** The function timeout; `getRemainingTimeInMillis()` counts down from it. */
  timeoutMs?: number;
  /** Per-chunk delay of the consumer, to exercise backpressure. */
  consumeDelayMs?: number;
  highWaterMark?: number;
}

export interface InvokeResult {
  /** The parsed prelude, or undefined when the stream carried none (e.g. end() without write()). */
  prelude?: { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
  body: Buffer;
  /** Why the handler's promise rejected (or the runtime's own complaint), if it did. */
  rejection?: { errorType: string; errorMessage: string };
  /**
   * True when the failure reached a stream that was still open, so the runtime sent error
   * trailers and the Function URL aborts the client's connection. A rejection after `end()`
   * reaches nobody: the client already has a complete-looking response.
   */
  aborted: boolean;
  stream: FakeResponseStream;
  /** When the handler's promise settled (ms since epoch). */
  settledAt: number;
}

let invocationCount = 0;

/** A Lambda `Context` whose remaining time counts down from `timeoutMs`. */
export function fakeContext(requestId: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: requestId,
    functionName: 'test-function',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
    memoryLimitInMB: '1024',
    logGroupName: '/aws/lambda/test-function',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * Runs one invocation the way aws-lambda-ric's StreamingInvokeProcessor does and returns what a
 * Function URL would have received.
 */
export async function invoke(
  // Loose on purpose: middy types its handlers as (event, context, opts) although its streaming
  // mode returns a (event, responseStream, context) function.
  handler: (...args: never[]) => unknown,
  event: unknown,
  options: InvokeOptions = {},
): Promise<InvokeResult> {
  const requestId = options.requestId ?? `req-${++invocationCount}`;
  const stream = new FakeResponseStream(options.consumeDelayMs, options.highWaterMark);
  let rejection: InvokeResult['rejection'];
  let aborted = false;
  const call = handler as (event: unknown, stream: Writable, context: Context) => unknown;
  const result = call(event, stream, fakeContext(requestId, options.timeoutMs));
  if (typeof (result as Promise<unknown>)?.then !== 'function') {
    throw new Error('Streaming does not support non-async handlers.');
  }
  try {
    await result;
    if (!stream.writableEnded) throw new Error('Response stream is not finished.');
  } catch (reason) {
    const failure = reason instanceof Error ? reason : new Error(String(reason));
    rejection = { errorType: failure.name, errorMessage: failure.message };
    aborted = !stream.writableEnded;
  }
  const settledAt = Date.now();
  if (!stream.writableEnded) stream.end();
  if (!stream.writableFinished) await new Promise((resolve) => stream.once('finish', resolve));
  return { ...parse(stream), rejection, aborted, stream, settledAt };
}

function parse(stream: FakeResponseStream): Pick<InvokeResult, 'prelude' | 'body'> {
  const raw = Buffer.concat(stream.chunks);
  if (stream.contentType !== PRELUDE_CONTENT_TYPE) return { body: raw };
  const delimiter = raw.indexOf(Buffer.alloc(8));
  if (delimiter < 0) return { body: raw };
  return {
    prelude: JSON.parse(raw.subarray(0, delimiter).toString('utf8')),
    body: raw.subarray(delimiter + 8),
  };
}

/** A Function URL (payload v2) event, as CloudFront → Function URL would deliver it. */
export function functionUrlEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const {
    headers,
    requestContext,
    method = 'GET',
    ...rest
  } = overrides as {
    headers?: Record<string, string>;
    requestContext?: Record<string, unknown>;
    method?: string;
  };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/api/hello',
    rawQueryString: '',
    headers: { host: 'abc123.lambda-url.us-east-1.on.aws', 'x-forwarded-proto': 'https', ...headers },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc123',
      domainName: 'abc123.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc123',
      http: { method, path: '/api/hello', protocol: 'HTTP/1.1', sourceIp: '15.158.1.1', userAgent: 'test' },
      requestId: 'fn-url-request-id',
      routeKey: '$default',
      stage: '$default',
      time: '27/Nov/2026:12:00:00 +0000',
      timeEpoch: 1_795_000_000_000,
      ...requestContext,
    },
    isBase64Encoded: false,
    ...rest,
  };
}
