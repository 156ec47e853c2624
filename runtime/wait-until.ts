import { getContext } from './get-context';

/**
 * Extends the lifetime of the invocation until `promise` settles, without delaying the response.
 *
 * On AWS the adapter collects the promise and, after the response stream has ended, waits for it
 * (bounded by the time Lambda has left) before the invocation finishes — Node 24 Lambda no longer
 * waits for promises nobody awaits. A rejection is logged, never thrown into the response.
 *
 * Like upstream, anything that is not a thenable object throws a `TypeError` at once
 * (`null` reports "got object"), and outside a request (module init, scripts, tests) the call is
 * a silent no-op.
 *
 * @param promise The promise to wait for.
 * @example
 * ```ts
 * import { waitUntil } from '@vercel/functions';
 *
 * export default {
 *   fetch(request: Request) {
 *     waitUntil(fetch('https://analytics.example.com/hit', { method: 'POST' }));
 *     return new Response('OK');
 *   },
 * };
 * ```
 */
export const waitUntil = (promise: Promise<unknown>): void => {
  if (promise === null || typeof promise !== 'object' || typeof promise.then !== 'function') {
    throw new TypeError(`waitUntil can only be called with a Promise, got ${typeof promise}`);
  }
  getContext().waitUntil?.(promise);
};
