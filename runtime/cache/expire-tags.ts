/** The time budget of one `expireTag` call, in milliseconds. */
export interface ExpireTagBudget {
  /** Budget of a call with one tag. */
  readonly base: number;
  /** Added for each tag after the first. */
  readonly perTag: number;
  /** Most the per-tag allowance may raise the budget to. */
  readonly max: number;
}

/** What became of the tags of one `expireTag` call. */
export interface ExpireTagsOutcome {
  /** Tags whose expiry the store confirmed, in the order they completed. */
  readonly written: readonly string[];
  /** Tags not written, or whose write was still unconfirmed when the budget ended, in call order. */
  readonly unwritten: readonly string[];
  /** Why writing stopped early: the first failed write's error, or the budget's abort reason. */
  readonly reason?: unknown;
}

// Left to the handler after the writes when the invocation's deadline is what limits the budget:
// the same margin the adapter keeps when it drains waitUntil() work (runtime/handler/invocation.ts).
const DEADLINE_MARGIN_MS = 500;

/**
 * The budget of an `expireTag` call with `tagCount` tags. One write per tag (a conditional write
 * cannot be batched), so a call with thousands of tags — every product tag after an import — needs
 * time in proportion: `base` plus `perTag` for each tag after the first, up to `max`. The
 * allowance never reaches past the invocation's deadline (less a margin for the response), where
 * Lambda would end the invocation with a timeout and nothing logged; `base` is always granted, as
 * for any other cache operation.
 *
 * @param remainingMs - time left before the invocation's deadline; `undefined` outside a request
 */
export function expireTagBudgetMs(
  tagCount: number,
  budget: ExpireTagBudget,
  remainingMs: number | undefined,
): number {
  const scaled = Math.min(budget.base + budget.perTag * Math.max(0, tagCount - 1), budget.max);
  const allowed = remainingMs === undefined ? scaled : Math.min(scaled, remainingMs - DEADLINE_MARGIN_MS);
  return Math.max(budget.base, allowed);
}

/**
 * Runs `write` for every tag, at most `concurrency` at a time, until all are written, one fails, or
 * `signal` aborts. Never rejects: the outcome says which tags were written.
 *
 * Stops dispatching at the first failure: the store retries what is worth retrying (throttling)
 * inside `write`, so what reaches here (access denied, no table, the budget ending) would fail the
 * remaining tags the same way. Resolves as soon as `signal` aborts, even if a write ignores it: a
 * write still in flight then counts as unwritten, since it may or may not have landed.
 */
export async function writeTagsWithin(
  tags: readonly string[],
  concurrency: number,
  signal: AbortSignal,
  write: (tag: string) => Promise<void>,
): Promise<ExpireTagsOutcome> {
  const written: string[] = [];
  let failure: { readonly error: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (next < tags.length && failure === undefined && !signal.aborted) {
      const tag = tags[next++];
      try {
        await write(tag);
        written.push(tag);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  let onAbort!: () => void;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([
      Promise.all(Array.from({ length: Math.min(concurrency, tags.length) }, worker)),
      aborted,
    ]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  // A snapshot: writes still in flight after an abort may complete later, but the caller has moved on.
  const done = [...written];
  const confirmed = new Set(done);
  const unwritten = tags.filter((tag) => !confirmed.has(tag));
  if (unwritten.length === 0) return { written: done, unwritten };
  return { written: done, unwritten, reason: signal.aborted ? signal.reason : failure?.error };
}
