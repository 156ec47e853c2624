import type { ServerResponse } from 'node:http';

/**
 * Sends a response's head now, ahead of its first body chunk, with each header value's characters
 * as single bytes (latin1): what a header string means in Node (`setHeader('x', 'fré')` sends the
 * byte E9), and so what Vercel sends.
 *
 * `res.flushHeaders()` does not: it writes the head with no encoding, so as UTF-8, and `fré` reaches
 * the client as `frÃ©` — twice over through the emulated Function URL and CloudFront in front of it.
 * An empty `write()` in latin1 sends the head the way `end()` and every body write do. A response
 * that has no body (HEAD, 204, 304) ignores writes and sends its head with `end()`, also in latin1.
 *
 * @example
 * import { flushHead } from '../lib/local/response-head';
 * res.writeHead(200, { 'content-language': 'fré' });
 * flushHead(res); // the client has the head while the body is still being produced
 */
export function flushHead(res: ServerResponse): void {
  res.write('', 'latin1');
}
