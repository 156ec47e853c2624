import { Writable } from 'node:stream';
import { InvocationTimeoutError } from '../../../runtime/errors';
import type { LambdaRuntime } from '../../../runtime/handler/lambda-runtime';
import { sendResponse } from '../../../runtime/handler/response-stream';

// A runtime whose HttpResponseStream hands back the stream as it is: these tests look at the body only.
const runtime: LambdaRuntime = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: { from: (stream) => stream },
};

/** A stream that takes writes but never drains: a client that stopped reading. */
function stuckStream(): Writable & { chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, _callback) {
      chunks.push(chunk);
      // Never calls back: the stream stays full.
    },
  });
  return Object.assign(stream, { chunks });
}

describe('sendResponse with a signal', () => {
  test('cancels a body that stalls and rejects with the reason when the signal aborts', async () => {
    let cancelledWith: unknown;
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('first'));
      },
      cancel(reason) {
        cancelledWith = reason;
      },
    });
    const controller = new AbortController();
    const stream = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const sent = sendResponse(runtime, stream, new Response(body), {
      omitBody: false,
      signal: controller.signal,
    });
    const reason = new InvocationTimeoutError();
    setTimeout(() => controller.abort(reason), 20);
    await expect(sent).rejects.toBe(reason);
    expect(cancelledWith).toBe(reason);
    // Left open for the runtime to fail with error trailers, as after a body error.
    expect(stream.writableEnded).toBe(false);
  });

  test('stops waiting for a stream that never drains when the signal aborts', async () => {
    const controller = new AbortController();
    const stream = stuckStream();
    const body = new ReadableStream({
      pull(bodyController) {
        bodyController.enqueue(new Uint8Array(1024));
      },
    });
    const sent = sendResponse(runtime, stream, new Response(body), {
      omitBody: false,
      signal: controller.signal,
    });
    const reason = new InvocationTimeoutError();
    setTimeout(() => controller.abort(reason), 20);
    await expect(sent).rejects.toBe(reason);
    expect(stream.chunks.length).toBeGreaterThan(0);
  });

  test('rejects at once when the signal aborted before the body was read', async () => {
    const controller = new AbortController();
    const reason = new InvocationTimeoutError();
    controller.abort(reason);
    const stream = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const body = new ReadableStream({
      start() {
        // Never enqueues nor closes.
      },
    });
    await expect(
      sendResponse(runtime, stream, new Response(body), { omitBody: false, signal: controller.signal }),
    ).rejects.toBe(reason);
  });

  test('ends the stream as usual when the body finishes before the signal aborts', async () => {
    const controller = new AbortController();
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        chunks.push(chunk);
        callback();
      },
    });
    await sendResponse(runtime, stream, new Response('whole'), {
      omitBody: false,
      signal: controller.signal,
    });
    expect(Buffer.concat(chunks).toString()).toBe('whole');
    expect(stream.writableEnded).toBe(true);
  });
});
