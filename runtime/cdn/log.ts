/**
 * Log lines of the CDN features that belong to no single request (the invalidation manager
 * coalesces calls of several requests; the sweeper runs outside any). Same prefix as the adapter's.
 */
const PREFIX = '[vercel-functions-aws]';

export function logCdnError(message: string, error?: unknown): void {
  if (error === undefined) console.error(`${PREFIX} ${message}`);
  else console.error(`${PREFIX} ${message}`, error);
}

export function logCdnWarning(message: string): void {
  console.warn(`${PREFIX} ${message}`);
}
