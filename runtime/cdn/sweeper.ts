import { TAG_TABLE_ENV } from '../constructs-contract';
import { MissingTagTableError } from '../errors';
import { invalidationManager } from './shared-manager';

/** What one run of the sweeper did, summed over its sweeps. */
export interface SweeperResult {
  readonly due: number;
  readonly completed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** The part of the Lambda context the sweeper reads. */
export interface SweeperContext {
  getRemainingTimeInMillis(): number;
}

const ROWS_PER_SWEEP = 50;
/** The longest a run lasts when the context cannot tell the remaining time. */
const DEFAULT_BUDGET_MS = 60_000;

/**
 * The scheduled invalidation sweeper: a plain Lambda handler (no streaming, no request) for an
 * EventBridge schedule — every minute is the intended rate. It sends the tag table's due
 * `invalidation#pending` rows — batches CloudFront refused earlier and evictions scheduled at a
 * `revalidationDeadlineSeconds` deadline — so they go out even when no function is invoked.
 * Function invocations sweep too (at most once a minute per process, and as soon as a row they
 * wrote falls due); rows are claimed before sending, so sweepers never send a row twice.
 *
 * Needs `VERCEL_FUNCTIONS_AWS_TAG_TABLE`, read/write access to that table and
 * `cloudfront:CreateInvalidation` on the distributions named in the rows: unlike a function, which
 * sweeps only the rows of the distribution it serves, the sweeper sends every distribution's rows.
 * A row CloudFront refuses for good (AccessDenied, NoSuchDistribution) five times is given up with
 * an error log naming its items.
 *
 * @example
 * ```ts
 * // the sweeper's entry, bundled like any function
 * export { handler } from 'vercel-functions-aws/runtime/cdn/sweeper';
 * ```
 */
export async function handler(_event?: unknown, context?: SweeperContext): Promise<SweeperResult> {
  if (!process.env[TAG_TABLE_ENV]) {
    throw new MissingTagTableError(
      `The invalidation sweeper needs the tag table: set ${TAG_TABLE_ENV} to the TagTable's name`,
    );
  }
  const startedAt = Date.now();
  const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS;
  const deadline = startedAt + remaining;
  const manager = invalidationManager();
  const total = { due: 0, completed: 0, failed: 0, skipped: 0 };
  // Sweep until a sweep finds fewer rows than it may take (the rest are not due) or time runs low.
  for (;;) {
    const result = await manager.sweep({ deadline, limit: ROWS_PER_SWEEP });
    total.due += result.due;
    total.completed += result.completed;
    total.failed += result.failed;
    total.skipped += result.skipped;
    if (result.due < ROWS_PER_SWEEP || result.completed === 0 || Date.now() >= deadline - 5_000) break;
  }
  console.log(`[vercel-functions-aws] invalidation sweeper: ${JSON.stringify(total)}`);
  return total;
}
