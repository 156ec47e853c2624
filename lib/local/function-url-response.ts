import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  type IntegrationPrelude,
  MalformedIntegrationResponseError,
  PreludeSplitter,
  parsePrelude,
} from './integration-response';
import { flushHead } from './response-head';

/** Options for {@link writeStreamedResponse} and {@link readStreamedResponse}. */
export interface StreamedResponseOptions {
  /**
   * The content type the function gave its response stream (the `Content-Type` of its streamed
   * `/response` call to the Runtime API).
   *
   * @default HTTP_INTEGRATION_CONTENT_TYPE - the stream went through `awslambda.HttpResponseStream.from`
   */
  readonly contentType?: string;
}

/** How a response written by {@link writeStreamedResponse} ended. */
export interface StreamedResponseOutcome {
  /** The status sent to the client. */
  readonly statusCode: number;
  /** True when the client received the whole response; false when its connection was cut. */
  readonly complete: boolean;
  /** Why the response failed or was cut, if it was. */
  readonly error?: Error;
}

/** A streamed response read to its end by {@link readStreamedResponse}. */
export interface ReadStreamedResponse extends IntegrationPrelude {
  readonly body: Buffer;
}

// Hop-by-hop headers belong to one connection, and a streamed body is always sent chunked, so a
// length the function announced cannot be passed on: it would fight the chunked framing.
const DROPPED_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * Writes a function's streamed response to an HTTP client the way a Function URL in
 * `RESPONSE_STREAM` mode does: status, headers and `cookies` (as `Set-Cookie`) from the prelude, then
 * every body chunk as soon as it arrives, with backpressure and no buffering.
 *
 * - A stream without the integration content type is sent as it is with status 200 and the stream's
 *   own content type, as Function URLs do for a plain `responseStream.write()`.
 * - A stream that ends with no byte at all (the `end()`-without-`write()` case of
 *   aws-lambda-nodejs-runtime-interface-client#97) is an empty 200; bytes without a prelude are a 502.
 * - If `source` fails (the runtime's error trailers) or aborts before the status was sent the client
 *   gets a 502; after that its connection is destroyed, so it sees an incomplete response, never a
 *   clean one.
 * - If the client goes away, the rest of `source` is read and dropped: Lambda does not stop a function
 *   whose client disconnected.
 *
 * @example
 * import { writeStreamedResponse } from '../lib/local/function-url';
 * const outcome = await writeStreamedResponse(invocation.body, res, { contentType: invocation.contentType });
 */
export async function writeStreamedResponse(
  source: Readable,
  res: ServerResponse,
  options: StreamedResponseOptions = {},
): Promise<StreamedResponseOutcome> {
  const contentType = options.contentType ?? HTTP_INTEGRATION_CONTENT_TYPE;
  const splitter = contentType === HTTP_INTEGRATION_CONTENT_TYPE ? new PreludeSplitter() : undefined;
  const client = new ClientWriter(res);
  try {
    // destroyOnReturn: false — leaving the loop early (a bad prelude) must not destroy the function's
    // stream; the catch below drains it instead.
    for await (const chunk of source.iterator({ destroyOnReturn: false })) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      if (splitter === undefined) {
        client.start({ statusCode: 200, headers: { 'content-type': contentType }, cookies: [] });
        await client.write(bytes);
        continue;
      }
      const body = splitter.push(bytes);
      if (splitter.prelude === undefined) continue;
      client.start(splitter.prelude);
      if (body.length > 0) await client.write(body);
    }
    if (splitter?.hasPendingBytes) {
      throw new MalformedIntegrationResponseError('the response stream ended before the prelude delimiter');
    }
    client.start(
      splitter?.prelude ?? { statusCode: 200, headers: { 'content-type': contentType }, cookies: [] },
    );
    return await client.end();
  } catch (error) {
    const reason = error instanceof Error ? error : new Error(String(error));
    // Keep consuming so the function's stream is not stalled by a reader that stopped.
    source.on('error', () => {}).resume();
    return client.fail(reason);
  }
}

/**
 * Reads a function's streamed response to its end (for tests and tools that invoke a function without
 * an HTTP client). Rejects with the stream's error, or a {@link MalformedIntegrationResponseError}.
 *
 * @example
 * import { readStreamedResponse } from '../lib/local/function-url';
 * const { statusCode, headers, body } = await readStreamedResponse(stream);
 */
export async function readStreamedResponse(
  source: Readable,
  options: StreamedResponseOptions = {},
): Promise<ReadStreamedResponse> {
  const contentType = options.contentType ?? HTTP_INTEGRATION_CONTENT_TYPE;
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const all = Buffer.concat(chunks);
  if (contentType !== HTTP_INTEGRATION_CONTENT_TYPE || all.length === 0) {
    return { statusCode: 200, headers: { 'content-type': contentType }, cookies: [], body: all };
  }
  const splitter = new PreludeSplitter();
  const body = splitter.push(all);
  if (splitter.prelude === undefined) {
    throw new MalformedIntegrationResponseError('the response stream ended before the prelude delimiter');
  }
  return { ...splitter.prelude, body };
}

/**
 * Writes a buffered (non-streaming) function result as a Function URL does: an object with
 * `statusCode` is a response payload (`headers`, `cookies`, `body`, `isBase64Encoded`); any other JSON
 * value is sent as an `application/json` 200 body
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload).
 */
export function writeBufferedResponse(payload: Buffer, res: ServerResponse): void {
  let result: unknown;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch {
    writeFunctionError(res);
    return;
  }
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(payload);
    return;
  }
  const { body, isBase64Encoded, ...prelude } = result as Record<string, unknown>;
  let parsed: IntegrationPrelude;
  try {
    parsed = parsePrelude(JSON.stringify(prelude));
  } catch {
    writeFunctionError(res);
    return;
  }
  res.writeHead(parsed.statusCode, toOutgoingHeaders(parsed));
  const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
  res.end(isBase64Encoded === true ? Buffer.from(text, 'base64') : text);
}

/** Answers a failed invocation the way a Function URL does: 502 with a short text body. */
export function writeFunctionError(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy(new Error('the function failed after its response had started'));
    return;
  }
  res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error');
}

function toOutgoingHeaders(prelude: IntegrationPrelude): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(prelude.headers)) {
    const lower = name.toLowerCase();
    if (!DROPPED_HEADERS.has(lower)) headers[lower] = value;
  }
  if (prelude.cookies.length > 0) {
    const existing = headers['set-cookie'];
    headers['set-cookie'] = [...(existing === undefined ? [] : [String(existing)]), ...prelude.cookies];
  }
  return headers;
}

/** The client side of one streamed response: sends the head once, then chunks with backpressure. */
class ClientWriter {
  private statusCode = 0;
  private gone = false;

  constructor(private readonly res: ServerResponse) {
    res.once('close', () => {
      if (!res.writableFinished) this.gone = true;
    });
  }

  start(prelude: IntegrationPrelude): void {
    if (this.statusCode !== 0) return;
    if (!this.gone) {
      this.res.writeHead(prelude.statusCode, toOutgoingHeaders(prelude));
      // Send the head now: a Function URL starts the response as soon as the prelude is complete.
      flushHead(this.res);
    }
    this.statusCode = prelude.statusCode;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.gone) return;
    if (!this.res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.res.off('drain', done);
          this.res.off('close', done);
          resolve();
        };
        this.res.on('drain', done);
        this.res.on('close', done);
      });
    }
  }

  async end(): Promise<StreamedResponseOutcome> {
    if (this.gone) {
      return { statusCode: this.statusCode, complete: false, error: new Error('the client disconnected') };
    }
    await new Promise<void>((resolve) => {
      // 'close' as well: a socket destroyed during the last write never emits 'finish'.
      this.res.once('finish', resolve).once('close', resolve);
      this.res.end();
    });
    return this.gone
      ? { statusCode: this.statusCode, complete: false, error: new Error('the client disconnected') }
      : { statusCode: this.statusCode, complete: true };
  }

  fail(error: Error): StreamedResponseOutcome {
    if (this.gone) return { statusCode: this.statusCode, complete: false, error };
    if (this.statusCode === 0) {
      writeFunctionError(this.res);
      return { statusCode: 502, complete: true, error };
    }
    this.res.destroy(error);
    return { statusCode: this.statusCode, complete: false, error };
  }
}
