/**
 * The adapter's log lines. Each names the request id: under Managed Instances many invocations
 * share one process and their lines interleave, and outside the Lambda runtime (dev server,
 * tests) nothing else adds the id.
 */
const PREFIX = '[vercel-functions-aws]';

export function logError(requestId: string, message: string, error?: unknown): void {
  if (error === undefined) console.error(`${PREFIX} ${message} (request ${requestId})`);
  else console.error(`${PREFIX} ${message} (request ${requestId})`, error);
}

export function logWarning(requestId: string, message: string): void {
  console.warn(`${PREFIX} ${message} (request ${requestId})`);
}
