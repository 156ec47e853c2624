/**
 * The adapter's log lines. Each names the request id: under Managed Instances many invocations
 * share one process and their lines interleave, and outside the Lambda runtime (dev server,
 * tests) nothing else adds the id.
 */
const PREFIX = '[vercel-functions-aws]';

export function logError(requestId: string, message: string, error?: unknown): void {
  // The error only when there is one: console.error would print a passed `undefined`.
  console.error(line(requestId, message), ...(error === undefined ? [] : [error]));
}

export function logWarning(requestId: string, message: string): void {
  console.warn(line(requestId, message));
}

const line = (requestId: string, message: string) => `${PREFIX} ${message} (request ${requestId})`;
