import type { Writable } from 'node:stream';
import type { LambdaRuntime } from './lambda-runtime';

/**
 * The prelude a Function URL reads before the body (status, headers, cookies). A type rather than
 * an interface so it is a `Record<string, unknown>`: `HttpResponseStream.from` takes it as it is.
 */
export type ResponsePrelude = {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
};

/** Status, headers and cookies of a Web `Response` in the shape Lambda's HTTP integrations read. */
export function responsePrelude(response: Response): ResponsePrelude {
  const headers: Record<string, string> = {};
  let hasCookies = false;
  // Duplicate names arrive joined with ", " — except set-cookie, which cannot be joined and goes
  // to `cookies`, one entry per cookie. getSetCookie() only when there is one: most responses set
  // none, and asking costs a call into undici per response.
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') hasCookies = true;
    else headers[name] = value;
  });
  return { statusCode: response.status, headers, cookies: hasCookies ? response.headers.getSetCookie() : [] };
}

/**
 * Sends `response` down a Lambda response stream: the prelude through
 * `awslambda.HttpResponseStream.from`, then the body chunk by chunk.
 *
 * - The prelude goes out on the first `write()`; an `end()` without a prior write loses it and
 *   the client gets a bare 200 or a 502 (aws-lambda-nodejs-runtime-interface-client#97). So an
 *   empty body (and HEAD) gets an empty write before `end()`, and a body's prelude leaves with its
 *   first chunk when that chunk is ready within this turn of the event loop (a string or bytes body
 *   always is) — one socket write for the whole response — or alone at the next turn, so status and
 *   headers never wait for a slow first chunk (server-sent events). Measured under the real runtime
 *   client, the separate empty write cost P1 about 1–2% of its requests per second.
 * - The body is read with a reader loop that waits for 'drain' when `write()` says the stream is
 *   full; it is never buffered whole.
 * - On success the stream is ended. If the body fails after the prelude went out, the stream is
 *   deliberately left open and the error rethrown: the caller lets it reach the Lambda runtime,
 *   which fails the stream with error trailers, and the Function URL aborts the client's
 *   connection. Ending the stream here would hand the client a truncated body that looks complete.
 */
export async function sendResponse(
  runtime: LambdaRuntime,
  responseStream: Writable,
  response: Response,
  options: {
    readonly omitBody: boolean;
    /** The prelude to send instead of the response's own (the adapter's CDN step rewrites headers). */
    readonly prelude?: ResponsePrelude;
    /**
     * Stops the body when it aborts (the deadline on Managed Instances, see invocation.ts): the body
     * is cancelled and the signal's reason thrown, as a body error is.
     */
    readonly signal?: AbortSignal;
  },
): Promise<void> {
  const stream = runtime.HttpResponseStream.from(
    responseStream,
    options.prelude ?? responsePrelude(response),
  );

  const body = response.body;
  if (options.omitBody || body === null) {
    stream.write(EMPTY_CHUNK);
    // Nothing will read it; let the producer stop and release what it holds.
    body?.cancel().catch(() => {});
    stream.end();
    return;
  }

  // The prelude of a stream nothing was written to yet: sent alone at the next event-loop turn,
  // unless a body chunk takes it along first (`left`).
  let pending: NodeJS.Immediate | undefined = setImmediate(() => sendPrelude());
  const left = () => {
    clearImmediate(pending);
    pending = undefined;
  };
  const sendPrelude = () => {
    if (pending === undefined) return;
    left();
    if (!stream.destroyed && !stream.writableEnded) stream.write(EMPTY_CHUNK);
  };
  try {
    await pipeBody(body, stream, left, options.signal);
  } finally {
    // Status and headers leave even when the body ended, or failed, before its first chunk.
    sendPrelude();
  }
  // Not after a failure: the stream stays open for the runtime to fail (see above).
  stream.end();
}

// Zero bytes: nothing ever writes into it, so every response can send the same one.
const EMPTY_CHUNK = new Uint8Array(0);

/** Writes the body's chunks; `left()` before the first, whose write carries the prelude. */
async function pipeBody(
  body: ReadableStream<unknown>,
  stream: Writable,
  left: () => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const reader = body.getReader();
  // An abort cancels the body, which settles a pending read as done: the check after each read
  // turns that into the signal's reason. Never removed: the caller's signal does not outlive the
  // response. Without a signal (standard Lambda) the listener is not even created.
  signal?.addEventListener('abort', () => reader.cancel(signal.reason).catch(() => {}));
  try {
    signal?.throwIfAborted();
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) return;
      const chunk = toChunk(value);
      if (chunk.length === 0) continue;
      if (stream.destroyed || stream.writableEnded)
        throw new Error('The response stream was closed by the runtime');
      left();
      if (!stream.write(chunk)) await drained(stream, signal);
    }
  } catch (error) {
    // Stop the producer (a user's ReadableStream may hold timers or sockets).
    reader.cancel(error).catch(() => {});
    throw error;
  }
}

function toChunk(value: unknown): Uint8Array | string {
  if (value instanceof Uint8Array || typeof value === 'string') return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError(`The response body produced a chunk that is not bytes: ${typeof value}`);
}

/**
 * Resolves on 'drain'; rejects if the stream errors or closes first, so a dead stream cannot hang us,
 * or with the signal's reason when it aborts (a stream queued behind another never drains).
 */
function drained(stream: Writable, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    // 'drain' passes nothing, 'error' its error.
    const settle = (error?: unknown) => {
      stream.off('drain', settle);
      stream.off('error', settle);
      stream.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onClose = () => settle(new Error('The response stream closed before it could take more data'));
    const onAbort = () => settle(signal?.reason);
    stream.on('drain', settle);
    stream.on('error', settle);
    stream.on('close', onClose);
    signal?.addEventListener('abort', onAbort);
  });
}
