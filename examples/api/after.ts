import { waitUntil } from '@vercel/functions';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Answers at once and keeps working after the response: the log line appears about a second after
// the client already has its answer.
export default {
  fetch(request: Request): Response {
    const path = new URL(request.url).pathname;
    const started = Date.now();
    waitUntil(
      sleep(1_000).then(() => {
        console.log(
          `[after] background work for ${path} finished ${Date.now() - started} ms after the request`,
        );
      }),
    );
    return new Response('Response sent; background work continues (watch the server log).\n', {
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  },
};
