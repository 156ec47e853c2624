import { getContext } from './get-context';

/**
 * Returns when the current invocation will be stopped, or `undefined` outside a request.
 *
 * On AWS this is Lambda's own deadline (`context.getRemainingTimeInMillis()` at the start of the
 * invocation, added to the start time), so work scheduled with `waitUntil()` can budget itself.
 * Like upstream, a missing or unparsable deadline yields `undefined`, never an Invalid Date.
 *
 * @example
 * ```ts
 * import { getDeadline } from '@vercel/functions';
 *
 * export default {
 *   async fetch() {
 *     const deadline = getDeadline();
 *     const msLeft = deadline ? deadline.getTime() - Date.now() : Infinity;
 *     return new Response(`${msLeft} ms left`);
 *   },
 * };
 * ```
 */
export function getDeadline(): Date | undefined {
  const deadline = getContext().deadline;
  if (deadline === undefined) return undefined;
  const date = new Date(deadline);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
