import { waitUntil } from '@vercel/functions';

// Streams five lines, 300 ms apart: the client sees each one as soon as it is written. Background
// work registered with `waitUntil` keeps running after the last line: its log line appears about
// two seconds after the request, once the client has long had its response.
const LINES = 5;
const INTERVAL_MS = 300;
const BACKGROUND_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export default {
  fetch(request: Request): Response {
    const started = Date.now();
    const path = new URL(request.url).pathname;
    waitUntil(
      sleep(BACKGROUND_MS).then(() => {
        console.log(
          `[stream] background work for ${path} finished ${Date.now() - started} ms after the request`,
        );
      }),
    );
    const encoder = new TextEncoder();
    let sent = 0;
    // `pull` runs only when the reader wants more, so a slow client slows the producer down.
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent > 0) await sleep(INTERVAL_MS);
        sent++;
        controller.enqueue(encoder.encode(`chunk ${sent} of ${LINES} at ${new Date().toISOString()}\n`));
        if (sent === LINES) controller.close();
      },
    });
    return new Response(body, {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  },
};
