import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';

/**
 * A loopback Lambda Runtime API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html)
 * for running the real aws-lambda-ric outside Lambda: `/next` long-polls, buffered and streamed
 * `/response` (streamed bytes exposed as a Readable as they arrive, error trailers included),
 * `/error` and `/init/error`. Several `/next` calls may wait at once, as on Lambda Managed Instances;
 * at most `maxConcurrency` invocations are handed out at a time.
 */

const PREFIX = '/2018-06-01/runtime';
const ERROR_TYPE_TRAILER = 'lambda-runtime-function-error-type';
const ERROR_BODY_TRAILER = 'lambda-runtime-function-error-body';

/** A function or runtime failure, as reported by the runtime (error trailers, `/error`, `/init/error`). */
export class FunctionError extends Error {
  constructor(
    readonly errorType: string,
    errorMessage: string,
    readonly trace: readonly string[] = [],
  ) {
    super(`${errorType}: ${errorMessage}`);
    this.name = 'FunctionError';
  }
}

export type InvocationResponse =
  /** The runtime streams: `body` yields the bytes in real time and fails with a FunctionError on error trailers. */
  | { readonly kind: 'streaming'; readonly contentType: string; readonly body: Readable }
  /** A buffered (non-streaming) handler result: the JSON the runtime posted. */
  | { readonly kind: 'buffered'; readonly contentType: string; readonly payload: Buffer }
  /** The invocation failed before any response (`/error`, init error, or the runtime went away). */
  | { readonly kind: 'error'; readonly error: FunctionError };

export interface RuntimeApiOptions {
  /**
   * Invocations handed out at the same time (`AWS_LAMBDA_MAX_CONCURRENCY` on Managed Instances).
   *
   * @default 1
   */
  readonly maxConcurrency?: number;
  /** @default 'local-function' */
  readonly functionName?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * The function timeout, which sets each invocation's `lambda-runtime-deadline-ms`.
   *
   * @default 30_000
   */
  readonly timeoutMs?: number;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** One event sent through the Runtime API, and what the runtime did with it. */
export class Invocation {
  /** When the runtime received the event (epoch ms), once dispatched. */
  dispatchedAt?: number;
  /**
   * The function's time to first byte as the Runtime API sees it: from handing over the event to the
   * first bytes of a streamed response (the prelude, or prelude and first chunk), in ms
   * (`performance.now()` precision). Without the client and the Function URL front in between, it
   * shows what the function itself does before answering.
   */
  firstByteMs?: number;
  /** @internal `performance.now()` when the event was handed over. */
  dispatchedAtHr?: number;
  /** When the response was complete: stream ended, result or error posted (epoch ms). */
  respondedAt?: number;
  /** Single concurrency only: when the runtime asked for its next event, i.e. the invocation ended. */
  endedAt?: number;
  private readonly responseDeferred = deferred<InvocationResponse>();
  private readonly doneDeferred = deferred<void>();
  private readonly endedDeferred = deferred<void>();
  private responded = false;

  constructor(
    readonly requestId: string,
    readonly event: unknown,
  ) {}

  /** Settles as soon as the runtime starts answering (for a stream: before its first byte). */
  get response(): Promise<InvocationResponse> {
    return this.responseDeferred.promise;
  }

  /** Settles when the response is complete (stream ended or failed, result or error posted). */
  get done(): Promise<void> {
    return this.doneDeferred.promise;
  }

  /** Single concurrency only: settles when the runtime asks for its next event after this one. */
  get ended(): Promise<void> {
    return this.endedDeferred.promise;
  }

  /** @internal */
  respond(response: InvocationResponse): boolean {
    if (this.responded) return false;
    this.responded = true;
    this.responseDeferred.resolve(response);
    return true;
  }

  /** @internal */
  finish(): void {
    this.respondedAt ??= Date.now();
    this.doneDeferred.resolve();
  }

  /** @internal */
  end(): void {
    this.endedAt ??= Date.now();
    this.endedDeferred.resolve();
  }

  get hasResponded(): boolean {
    return this.responded;
  }
}

export class RuntimeApi {
  /** Starts the API on a free loopback port. */
  static async start(options: RuntimeApiOptions = {}): Promise<RuntimeApi> {
    const api = new RuntimeApi(options);
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(0, '127.0.0.1', () => resolve());
    });
    return api;
  }

  /** Resolves with the error the runtime reported from `/init/error`. */
  readonly initError: Promise<FunctionError>;
  private readonly server: Server;
  private readonly maxConcurrency: number;
  private readonly functionArn: string;
  private readonly timeoutMs: number;
  private readonly queue: Invocation[] = [];
  private readonly waiting: ServerResponse[] = [];
  private readonly invocations = new Map<string, Invocation>();
  private readonly initErrorDeferred = deferred<FunctionError>();
  private inFlight = 0;
  private lastDispatched?: Invocation;
  private failure?: FunctionError;

  private constructor(options: RuntimeApiOptions) {
    this.maxConcurrency = options.maxConcurrency ?? 1;
    if (!Number.isInteger(this.maxConcurrency) || this.maxConcurrency < 1) {
      throw new Error(`RuntimeApi: maxConcurrency must be a positive integer, got ${options.maxConcurrency}`);
    }
    const region = options.region ?? 'us-east-1';
    this.functionArn = `arn:aws:lambda:${region}:123456789012:function:${options.functionName ?? 'local-function'}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.initError = this.initErrorDeferred.promise;
    this.server = createServer((req, res) => this.route(req, res));
    // /next is a long poll and a stream may stay open as long as the function runs.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
    this.server.keepAliveTimeout = 60_000;
  }

  /** `host:port`, the value for `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `${address}:${port}`;
  }

  /**
   * Queues an event. The request id is the event's `requestContext.requestId` when it has an unused
   * one (Function URLs use the same id for both), else a random UUID.
   */
  invoke(event: unknown): Invocation {
    const requestId = this.pickRequestId(event);
    const invocation = new Invocation(requestId, event);
    this.invocations.set(requestId, invocation);
    if (this.failure) {
      this.fail(invocation, this.failure);
      return invocation;
    }
    this.queue.push(invocation);
    this.dispatch();
    return invocation;
  }

  /** The invocation with this request id, if any. */
  invocation(requestId: string): Invocation | undefined {
    return this.invocations.get(requestId);
  }

  /** Fails every queued and unanswered invocation, and every later one (the runtime is gone). */
  abort(error: FunctionError): void {
    this.failure ??= error;
    for (const invocation of this.queue.splice(0)) this.fail(invocation, error);
    for (const invocation of this.invocations.values()) {
      if (!invocation.hasResponded) this.fail(invocation, error);
    }
  }

  async close(): Promise<void> {
    for (const res of this.waiting.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pickRequestId(event: unknown): string {
    const fromEvent = (event as { requestContext?: { requestId?: unknown } } | null)?.requestContext
      ?.requestId;
    return typeof fromEvent === 'string' && fromEvent !== '' && !this.invocations.has(fromEvent)
      ? fromEvent
      : randomUUID();
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    const invocation = match ? this.invocations.get(decodeURIComponent(match[1])) : undefined;
    const streaming = /streaming/i.test(String(req.headers['lambda-runtime-function-response-mode'] ?? ''));
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      this.next(res);
    } else if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
      this.postInitError(req, res);
    } else if (req.method !== 'POST' || !match) {
      reply(res, 404, { errorType: 'NotFound', errorMessage: `${req.method} ${url}` });
    } else if (!invocation) {
      reply(res, 400, { errorType: 'InvalidRequestID', errorMessage: `unknown request id ${match[1]}` });
    } else if (match[2] === 'error') {
      this.postError(invocation, req, res);
    } else if (streaming) {
      this.postStream(invocation, req, res);
    } else {
      this.postBuffered(invocation, req, res);
    }
  }

  private next(res: ServerResponse): void {
    // With one invocation at a time, asking for the next event is how the runtime says it is done.
    if (this.maxConcurrency === 1) this.lastDispatched?.end();
    this.waiting.push(res);
    res.once('close', () => {
      const at = this.waiting.indexOf(res);
      if (at !== -1) this.waiting.splice(at, 1);
    });
    this.dispatch();
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.waiting.length > 0 && this.inFlight < this.maxConcurrency) {
      const invocation = this.queue.shift()!;
      const res = this.waiting.shift()!;
      this.inFlight++;
      invocation.dispatchedAt = Date.now();
      this.lastDispatched = invocation;
      const event = invocation.event as { headers?: Record<string, string> } | null;
      const body = JSON.stringify(invocation.event);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'lambda-runtime-aws-request-id': invocation.requestId,
        'lambda-runtime-deadline-ms': String(invocation.dispatchedAt + this.timeoutMs),
        'lambda-runtime-invoked-function-arn': this.functionArn,
        'lambda-runtime-trace-id': event?.headers?.['x-amzn-trace-id'] ?? `Root=1-${randomUUID()}`,
      });
      res.end(body);
      invocation.dispatchedAtHr = performance.now();
    }
  }

  private settle(invocation: Invocation): void {
    this.inFlight--;
    invocation.finish();
    this.dispatch();
  }

  private fail(invocation: Invocation, error: FunctionError): void {
    invocation.respond({ kind: 'error', error });
    invocation.finish();
    invocation.end();
  }

  private postBuffered(invocation: Invocation, req: IncomingMessage, res: ServerResponse): void {
    readBody(req).then((payload) => {
      invocation.respond({
        kind: 'buffered',
        contentType: String(req.headers['content-type'] ?? ''),
        payload,
      });
      reply(res, 202, { status: 'OK' });
      this.settle(invocation);
    }, res.destroy.bind(res));
  }

  private postError(invocation: Invocation, req: IncomingMessage, res: ServerResponse): void {
    readBody(req).then((payload) => {
      invocation.respond({ kind: 'error', error: parseError(payload) });
      reply(res, 202, { status: 'OK' });
      this.settle(invocation);
    }, res.destroy.bind(res));
  }

  private postInitError(req: IncomingMessage, res: ServerResponse): void {
    readBody(req).then((payload) => {
      const error = parseError(payload);
      reply(res, 202, { status: 'OK' });
      this.initErrorDeferred.resolve(error);
      this.abort(error);
    }, res.destroy.bind(res));
  }

  private postStream(invocation: Invocation, req: IncomingMessage, res: ServerResponse): void {
    const body = new PassThrough();
    invocation.respond({
      kind: 'streaming',
      contentType: String(req.headers['content-type'] ?? 'application/octet-stream'),
      body,
    });
    // Forward chunk by chunk with backpressure (no pipe: the trailers decide how `body` ends).
    req.on('data', (chunk: Buffer) => {
      if (invocation.firstByteMs === undefined && invocation.dispatchedAtHr !== undefined) {
        invocation.firstByteMs = performance.now() - invocation.dispatchedAtHr;
      }
      // A reader that gave up destroys `body`: drop the rest so the runtime can still finish.
      if (body.destroyed) return;
      if (!body.write(chunk)) {
        req.pause();
        body.once('drain', () => req.resume());
      }
    });
    body.on('close', () => req.resume());
    let complete = false;
    req.on('end', () => {
      complete = true;
      const errorType = req.trailers[ERROR_TYPE_TRAILER];
      if (errorType) {
        body.destroy(parseError(Buffer.from(req.trailers[ERROR_BODY_TRAILER] ?? '', 'base64'), errorType));
      } else {
        body.end();
      }
      reply(res, 202, { status: 'OK' });
      this.settle(invocation);
    });
    req.on('close', () => {
      if (complete) return;
      body.destroy(
        new FunctionError('Runtime.StreamAborted', 'the runtime closed the response stream before ending it'),
      );
      this.settle(invocation);
    });
  }
}

function reply(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseError(payload: Buffer, fallbackType = 'Unknown'): FunctionError {
  try {
    const { errorType, errorMessage, trace } = JSON.parse(payload.toString('utf8')) as Record<
      string,
      unknown
    >;
    return new FunctionError(
      typeof errorType === 'string' ? errorType : fallbackType,
      typeof errorMessage === 'string' ? errorMessage : '',
      Array.isArray(trace) ? trace.map(String) : [],
    );
  } catch {
    return new FunctionError(fallbackType, payload.toString('utf8'));
  }
}
