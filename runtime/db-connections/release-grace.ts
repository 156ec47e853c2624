import { InvalidPoolReleaseGraceError } from '../errors';

/**
 * Environment variable: how long, in milliseconds, the end of an invocation may spend on attached
 * pools — closing their idle connections and waiting for busy ones to turn idle so those can be
 * closed too. Busy connections still busy after it are left open. Counted within the invocation's
 * remaining time, after the waitUntil() drain, so it is billed duration only when there is
 * something to wait for.
 */
export const POOL_RELEASE_GRACE_ENV = 'VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS';

/**
 * Enough for a graceful close (one round trip to a database in the same region) and for a query
 * that is just finishing; short enough not to add noticeable billed time.
 */
export const DEFAULT_POOL_RELEASE_GRACE_MS = 100;

/** The grace from the environment, or `InvalidPoolReleaseGraceError` naming the bad value. */
export function poolReleaseGraceMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env[POOL_RELEASE_GRACE_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_POOL_RELEASE_GRACE_MS;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value)) {
    throw new InvalidPoolReleaseGraceError(
      `${POOL_RELEASE_GRACE_ENV} must be a whole number of milliseconds ≥ 0, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}
