import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidationFailedError } from '../errors';
import { type BatchLimits, splitIntoBatches } from './batches';
import {
  classifyFailure,
  createInvalidation,
  describeFailure,
  type InvalidationSender,
} from './create-invalidation';
import { type DeliveryLimits, type DeliverySettings, deliverBatch, type UnsentPiece } from './deliver-batch';
import { logCdnError, logCdnWarning } from './log';
import { type OverflowPath, type PendingInvalidation, pendingExpiry, type TagTableStore } from './tag-table';

/** One purge call, in CloudFront's terms. */
export interface InvalidationRequest {
  readonly distributionId: string;
  /** Canonical CloudFront tags, without the `#`. */
  readonly tags: readonly string[];
  /** Invalidation paths. */
  readonly paths?: readonly string[];
  /** Evict no earlier than this (epoch ms) — a `revalidationDeadlineSeconds` deadline. */
  readonly notBefore?: number;
  /** When the caller's invocation must be done (epoch ms); retries inside it stop before. */
  readonly deadline: number;
  /**
   * The caller's `waitUntil`: follow-up work (deleting the tag table rows of overflow paths just
   * invalidated) is registered there and the call resolves without waiting for it.
   *
   * @default - the call resolves after that work
   */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
}

/** Settings of an {@link InvalidationManager}; the defaults suit production. */
export interface InvalidationManagerOptions {
  /**
   * The tag table: overflow paths are looked up there and failed or scheduled batches persisted.
   *
   * @default - no table: no overflow paths; a batch that still fails after the in-invocation
   * retries rejects the callers with InvalidationFailedError
   */
  readonly store?: TagTableStore;
  /** @default createInvalidation (the SDK) */
  readonly send?: InvalidationSender;
  /** How long calls are collected into one request. @default 20 */
  readonly windowMs?: number;
  /** @default CloudFront's limits: 3,000 items, 15 wildcards, 300 kB */
  readonly batchLimits?: BatchLimits;
  /** Longest time one batch is retried inside an invocation before it is persisted. @default 3000 */
  readonly retryBudgetMs?: number;
  /** First backoff delay; doubles on each retry, with full jitter. @default 100 */
  readonly baseDelayMs?: number;
  /** Longest backoff delay inside an invocation. @default 1000 */
  readonly maxDelayMs?: number;
  /**
   * Longest one `CreateInvalidation` attempt waits for an answer; an attempt is also cut off when
   * the caller's invocation gets close to its deadline. A cut-off attempt counts as a retryable
   * failure. @default 5000
   */
  readonly attemptTimeoutMs?: number;
  /**
   * First delay before a persisted batch is retried (doubling per failed sweep, at most 15 minutes).
   * In-progress invalidations finish in about 25 s (P95), which is what frees CloudFront's capacity.
   *
   * @default 30_000
   */
  readonly persistedRetryDelayMs?: number;
  /** How often one process looks for due rows on its own. @default 60_000 */
  readonly sweepIntervalMs?: number;
  /** Parallel tag table requests when looking up overflow paths and deleting their rows. @default 16 */
  readonly lookupConcurrency?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** What one sweep did. */
export interface SweepResult {
  /** Due rows found. */
  readonly due: number;
  /** Rows whose invalidation was sent (or, for scheduled evictions, queued as final batches). */
  readonly completed: number;
  /** Rows that failed again and stay for a later sweep. */
  readonly failed: number;
  /** Rows another sweeper was already handling. */
  readonly skipped: number;
}

interface Window {
  readonly distributionId: string;
  readonly tags: Set<string>;
  readonly paths: Set<string>;
  deadline: number;
  readonly waitUntils: Set<(promise: Promise<unknown>) => void>;
  readonly done: Deferred;
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** What became of one batch of a window: the items sent or queued, and those neither. */
interface BatchOutcome {
  readonly handled: readonly string[];
  readonly lost: readonly UnsentPiece[];
}

// A literal, not `15 * 60 * 1000`: esbuild keeps computed constants in bundles that do not use them.
const MAX_PERSISTED_RETRY_DELAY_MS = 900_000; // 15 minutes
const CLAIM_LEASE_MS = 60_000;
/**
 * A pending row CloudFront refused this many times for good (AccessDenied, NoSuchDistribution…) is
 * given up, with an error log naming its items: such a refusal ends only when someone changes the
 * setup (a grant, the distribution), and a row kept forever would be retried forever.
 */
const MAX_REFUSALS = 5;
/** Time kept free at the end of an invocation for the request that sends or persists a batch. */
const SEND_ALLOWANCE_MS = 1000;
/**
 * The most query variants of one pathname whose overflow rows are invalidated one path each; more
 * are invalidated with one `<pathname>*` wildcard. Every query string a viewer sends is another
 * cached object and another row, so without a bound a flood of cheap `?x=1`, `?x=2`… requests
 * would make the next invalidation send (and pay for, $0.005 each beyond the free 1,000 a month)
 * as many paths and crowd CloudFront's 3,000 in progress. A wildcard counts as one path but takes
 * one of only 15 wildcard slots in progress, hence a small threshold rather than a wildcard for
 * every query: a pathname with a handful of variants keeps its exact paths.
 */
const MAX_QUERY_VARIANTS = 10;

/**
 * Turns purge calls into CloudFront `CreateInvalidation` requests (ARCHITECTURE.md §4).
 *
 * - Calls for one distribution within `windowMs` are coalesced into one request, de-duplicated,
 *   and split at CloudFront's limits, wildcard paths in batches of their own.
 * - Each `#tag` item brings along the paths the tag table recorded for it (responses whose tags
 *   did not all fit into the header CloudFront reads).
 * - Throttling and timeouts are retried with exponential backoff within a time budget that ends
 *   before the caller's invocation does; a batch refused with `TooManyInvalidationsInProgress` is
 *   halved until its pieces fit next to what is in progress (deliver-batch.ts). What still fails is
 *   persisted to the tag table (`invalidation#pending`) with its CallerReference and re-sent by a
 *   later sweep — the same CallerReference makes a re-send that CloudFront already accepted a no-op.
 * - An eviction with a not-before time (`revalidationDeadlineSeconds`) is persisted with that time
 *   and sent by the first sweep after it.
 * - A pending row is never dropped silently: one CloudFront refused for good {@link MAX_REFUSALS}
 *   times, or whose next retry would come after its TTL, is deleted with an error log naming its items.
 *
 * A call's promise resolves once its items were accepted by CloudFront or persisted, and rejects
 * with InvalidationFailedError only when they were neither.
 *
 * One instance per process: it holds no per-request state — the open windows belong to whichever
 * requests joined them, each of which awaits the window's outcome.
 */
export class InvalidationManager {
  readonly store?: TagTableStore;
  private readonly windowMs: number;
  private readonly batchLimits: BatchLimits;
  private readonly retryBudgetMs: number;
  private readonly delivery: DeliverySettings;
  private readonly persistedRetryDelayMs: number;
  private readonly sweepIntervalMs: number;
  private readonly lookupConcurrency: number;
  private readonly now: () => number;
  private readonly windows = new Map<string, Window>();
  private nextSweepAt = 0;
  /** When rows this process persisted become due: a sweep is due then, whatever the interval says. */
  private knownDue: number[] = [];
  private sweeping?: Promise<SweepResult>;

  constructor(options: InvalidationManagerOptions = {}) {
    this.store = options.store;
    this.windowMs = options.windowMs ?? 20;
    this.batchLimits = options.batchLimits ?? {};
    this.retryBudgetMs = options.retryBudgetMs ?? 3000;
    this.persistedRetryDelayMs = options.persistedRetryDelayMs ?? 30_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.lookupConcurrency = options.lookupConcurrency ?? 16;
    this.now = options.now ?? Date.now;
    this.delivery = {
      send: options.send ?? createInvalidation,
      now: this.now,
      baseDelayMs: options.baseDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 1000,
      attemptTimeoutMs: options.attemptTimeoutMs ?? 5000,
    };
  }

  /**
   * Invalidates `request.tags` and `request.paths` on `request.distributionId`. Resolves when
   * CloudFront accepted them or they were persisted for a later retry (or, for a future
   * `notBefore`, scheduled); rejects with InvalidationFailedError when neither was possible.
   */
  invalidate(request: InvalidationRequest): Promise<void> {
    const paths = request.paths ?? [];
    if (request.tags.length === 0 && paths.length === 0) return Promise.resolve();
    const notBefore = request.notBefore ?? 0;
    if (notBefore > this.now()) return this.schedule(request, notBefore);
    return this.join(request);
  }

  /**
   * Whether this process should look for due pending rows now: on its first invocation, every
   * `sweepIntervalMs`, and as soon as a row it persisted becomes due.
   */
  sweepDue(): boolean {
    if (this.store === undefined || this.sweeping !== undefined) return false;
    const now = this.now();
    return now >= this.nextSweepAt || this.knownDue.some((due) => due <= now);
  }

  /**
   * Sends the due pending rows — of `distributionId` only, when given: a function's own
   * distribution, as a tag table may serve several and a function may invalidate only its own —
   * up to `limit`, stopping when `deadline` (epoch ms) gets close. Concurrent sweepers (other
   * processes, the scheduled sweeper) claim rows first, so each row is handled by one of them.
   * Never rejects: failures are recorded on the row and logged.
   */
  sweep(options: {
    readonly deadline: number;
    readonly limit?: number;
    readonly distributionId?: string;
  }): Promise<SweepResult> {
    if (this.sweeping) return this.sweeping;
    const now = this.now();
    this.nextSweepAt = now + this.sweepIntervalMs;
    // This sweep handles what is due now; what fails again is noted with its new retry time.
    this.knownDue = this.knownDue.filter((due) => due > now);
    this.sweeping = this.sweepOnce(options.deadline, options.limit ?? 50, options.distributionId).finally(
      () => {
        this.sweeping = undefined;
      },
    );
    return this.sweeping;
  }

  private async schedule(request: InvalidationRequest, notBefore: number): Promise<void> {
    const items = [...request.tags.map((tag) => `#${tag}`), ...(request.paths ?? [])];
    if (this.store) {
      const store = this.store;
      try {
        for (const batch of splitIntoBatches(dedupe(items), this.batchLimits)) {
          await store.schedule({
            distributionId: request.distributionId,
            items: batch,
            callerReference: randomUUID(),
            expanded: false,
            notBefore,
          });
        }
        this.knownDue.push(notBefore);
        return;
      } catch (error) {
        logCdnError(
          'Could not schedule a delayed invalidation in the tag table; evicting now instead of at the deadline',
          error,
        );
      }
    } else if (notBefore <= request.deadline - SEND_ALLOWANCE_MS) {
      // No table to remember it: wait inside the invocation, which lasts long enough.
      await sleep(Math.max(0, notBefore - this.now()));
    } else {
      logCdnWarning(
        `No tag table to schedule an eviction ${Math.ceil((notBefore - this.now()) / 1000)} s from now and the invocation ends before; evicting now`,
      );
    }
    return this.join(request);
  }

  private join(request: InvalidationRequest): Promise<void> {
    let window = this.windows.get(request.distributionId);
    if (!window) {
      const opened: Window = {
        distributionId: request.distributionId,
        tags: new Set(),
        paths: new Set(),
        deadline: request.deadline,
        waitUntils: new Set(),
        done: deferred(),
      };
      this.windows.set(request.distributionId, opened);
      setTimeout(() => {
        this.windows.delete(opened.distributionId);
        this.flush(opened)
          .then((invalidated) => this.afterFlush(opened, invalidated))
          .then(opened.done.resolve, opened.done.reject);
      }, this.windowMs);
      window = opened;
    }
    for (const tag of request.tags) window.tags.add(tag);
    for (const path of request.paths ?? []) window.paths.add(path);
    if (request.waitUntil) window.waitUntils.add(request.waitUntil);
    window.deadline = Math.min(window.deadline, request.deadline);
    return window.done.promise;
  }

  /**
   * Deletes the rows of the overflow paths a window invalidated: in the callers' `waitUntil` when
   * they gave one, so they need not wait for a few thousand deletes; else before they resolve.
   */
  private afterFlush(window: Window, invalidated: readonly OverflowPath[]): Promise<void> | undefined {
    if (invalidated.length === 0) return undefined;
    const cleanup = this.forgetOverflow(invalidated);
    if (window.waitUntils.size === 0) return cleanup;
    for (const waitUntil of window.waitUntils) waitUntil(cleanup);
    return undefined;
  }

  /**
   * Sends one window's items; see {@link invalidate} for the outcome. Resolves with the overflow
   * paths it invalidated, whose rows the caller deletes.
   */
  private async flush(window: {
    readonly distributionId: string;
    readonly tags: Iterable<string>;
    readonly paths: Iterable<string>;
    readonly deadline: number;
  }): Promise<OverflowPath[]> {
    const tags = [...window.tags];
    const overflow = await this.overflowPaths(tags);
    const covering = coveringPaths(overflow.map((entry) => entry.path));
    const items = dedupe([...tags.map((tag) => `#${tag}`), ...window.paths, ...covering.values()]);
    const limits: DeliveryLimits = {
      retryUntil: Math.min(window.deadline - SEND_ALLOWANCE_MS, this.now() + this.retryBudgetMs),
      cutoff: window.deadline - SEND_ALLOWANCE_MS,
    };
    const lost: UnsentPiece[] = [];
    const handled = new Set<string>();
    for (const batch of splitIntoBatches(items, this.batchLimits)) {
      const outcome = await this.sendOrPersist(window.distributionId, batch, limits);
      for (const item of outcome.handled) handled.add(item);
      lost.push(...outcome.lost);
    }
    const invalidated = overflow.filter((entry) => handled.has(covering.get(entry.path) ?? entry.path));
    if (lost.length > 0) {
      await this.forgetOverflow(invalidated);
      const causes = lost.map((piece) => piece.error);
      throw new InvalidationFailedError(
        `${lost.reduce((sum, piece) => sum + piece.items.length, 0)} CloudFront invalidation item(s) for distribution ${window.distributionId} could not be sent${this.store ? ' nor queued in the tag table' : ' (no tag table to queue them for a retry)'}: ${[...new Set(causes.map(describeFailure))].join('; ')}`,
        lost.flatMap((piece) => piece.items),
        { cause: causes[0] },
      );
    }
    return invalidated;
  }

  /** Sends a batch (see deliverBatch); persists the pieces that failed for a reason retrying may fix. */
  private async sendOrPersist(
    distributionId: string,
    batch: string[],
    limits: DeliveryLimits,
  ): Promise<BatchOutcome> {
    const delivery = await deliverBatch(
      this.delivery,
      distributionId,
      { items: batch, callerReference: randomUUID() },
      limits,
    );
    const handled = delivery.sent.flatMap((piece) => piece.items);
    const lost: UnsentPiece[] = [];
    for (const piece of delivery.unsent) {
      if (piece.permanent || !this.store) {
        logCdnError(`CloudFront refused an invalidation of ${piece.items.length} item(s)`, piece.error);
        lost.push(piece);
        continue;
      }
      const retryAfter = this.now() + this.persistedRetryDelayMs;
      try {
        await this.store.schedule(
          {
            distributionId,
            items: piece.items,
            callerReference: piece.callerReference,
            expanded: true,
            notBefore: this.now(),
          },
          retryAfter,
        );
        this.knownDue.push(retryAfter);
        handled.push(...piece.items);
        logCdnWarning(
          `CloudFront did not accept an invalidation of ${piece.items.length} item(s) (${describeFailure(piece.error)}); queued in the tag table for a retry`,
        );
      } catch (error) {
        logCdnError('Could not queue a failed invalidation in the tag table', error);
        lost.push(piece);
      }
    }
    return { handled, lost };
  }

  private async overflowPaths(tags: readonly string[]): Promise<OverflowPath[]> {
    const store = this.store;
    if (!store || tags.length === 0) return [];
    let marked: readonly string[];
    try {
      marked = await store.tagsWithPaths(tags, this.now());
    } catch (error) {
      logCdnError('Could not read which cache tags have recorded paths; looking each tag up', error);
      marked = tags;
    }
    const found: OverflowPath[] = [];
    await this.eachBounded(marked, async (tag) => {
      try {
        found.push(...(await store.overflowPaths(tag, this.now())));
      } catch (error) {
        logCdnError(
          `Could not read the paths recorded under cache tag ${JSON.stringify(tag)}; responses that carried it beyond CloudFront's 50 tags stay cached`,
          error,
        );
      }
    });
    return found;
  }

  /**
   * Deletes invalidated overflow rows, `lookupConcurrency` at a time: one DeleteItem per row (each
   * conditional on the row not having been rewritten), over the DynamoDB client the Runtime Cache
   * shares — thousands at once would time out each other and the cache's requests.
   */
  private async forgetOverflow(entries: readonly OverflowPath[]): Promise<void> {
    const store = this.store;
    if (!store) return;
    let failures = 0;
    let example: unknown;
    await this.eachBounded(entries, (entry) =>
      store.forgetOverflow(entry).catch((error: unknown) => {
        failures++;
        example ??= error;
      }),
    );
    if (failures > 0) {
      // Harmless: a row left only costs one extra path in a later invalidation, until its TTL.
      logCdnWarning(
        `Could not delete ${failures} of ${entries.length} invalidated overflow row(s): ${describeFailure(example)}`,
      );
    }
  }

  /** Runs `work` on every item, at most `lookupConcurrency` at a time. */
  private async eachBounded<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await work(items[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(this.lookupConcurrency, items.length) }, worker));
  }

  private async sweepOnce(deadline: number, limit: number, distributionId?: string): Promise<SweepResult> {
    const store = this.store;
    if (!store) return { due: 0, completed: 0, failed: 0, skipped: 0 };
    let rows: PendingInvalidation[];
    try {
      rows = await store.duePending(this.now(), limit, distributionId);
    } catch (error) {
      logCdnError('Could not read pending invalidations from the tag table', error);
      return { due: 0, completed: 0, failed: 0, skipped: 0 };
    }
    // More may be waiting: look again at the next chance instead of after the interval.
    if (rows.length >= limit) this.nextSweepAt = this.now();
    let completed = 0;
    let failed = 0;
    let skipped = 0;
    for (const row of rows) {
      if (this.now() >= deadline - SEND_ALLOWANCE_MS) {
        this.nextSweepAt = this.now();
        skipped += rows.length - completed - failed - skipped;
        break;
      }
      try {
        if (!(await store.claim(row, this.now(), CLAIM_LEASE_MS))) {
          skipped++;
          continue;
        }
        const unsent = await this.resend(row, deadline);
        if (unsent.length === 0) {
          await store.deletePending(row);
          completed++;
        } else {
          await this.recordUnsent(store, row, unsent);
          failed++;
        }
      } catch (error) {
        logCdnError(`Could not update pending invalidation ${row.key} in the tag table`, error);
        failed++;
      }
    }
    return { due: rows.length, completed, failed, skipped };
  }

  /** Sends a pending row; resolves with what is still to be sent (nothing: the row is done with). */
  private async resend(row: PendingInvalidation, deadline: number): Promise<readonly UnsentPiece[]> {
    if (!row.expanded) {
      // A scheduled eviction: look up the overflow paths now, as for a direct call. Its batches
      // are sent or persisted as final rows of their own, after which this row is done.
      try {
        await this.forgetOverflow(
          await this.flush({
            distributionId: row.distributionId,
            tags: row.items.filter((item) => item.startsWith('#')).map((item) => item.slice(1)),
            paths: row.items.filter((item) => !item.startsWith('#')),
            deadline,
          }),
        );
        return [];
      } catch (error) {
        logCdnError(`Scheduled invalidation ${row.key} failed; retrying later`, error);
        const cause = error instanceof InvalidationFailedError ? error.cause : error;
        return [{ ...row, permanent: classifyFailure(cause) === 'permanent', error }];
      }
    }
    // One attempt per piece (no backoff: the row's retry time is the backoff), halved on capacity.
    const { unsent } = await deliverBatch(this.delivery, row.distributionId, row, {
      retryUntil: 0,
      cutoff: deadline - SEND_ALLOWANCE_MS,
    });
    for (const piece of unsent) {
      logCdnError(
        `Pending invalidation ${row.key} (${piece.items.length} of its ${row.items.length} item(s), attempt ${row.attempts + row.refusals + 1}) failed again; ${piece.permanent ? 'CloudFront refused it' : 'retrying later'}`,
        piece.error,
      );
    }
    return unsent;
  }

  /**
   * Records what a sweep could not send of `row`: on the row itself when nothing of it was sent,
   * else as new rows for the pieces left (the row's history carried over) in place of the row.
   */
  private async recordUnsent(
    store: TagTableStore,
    row: PendingInvalidation,
    unsent: readonly UnsentPiece[],
  ): Promise<void> {
    if (unsent.length === 1 && unsent[0].callerReference === row.callerReference) {
      const next = this.nextTry(row, unsent[0]);
      if (next === undefined) await store.deletePending(row);
      else {
        await store.recordFailure(row, next.retryAfter, next.counter);
        this.knownDue.push(next.retryAfter);
      }
      return;
    }
    for (const piece of unsent) {
      const next = this.nextTry(row, piece);
      if (next === undefined) continue;
      await store.schedule(
        {
          distributionId: row.distributionId,
          items: piece.items,
          callerReference: piece.callerReference,
          expanded: true,
          notBefore: row.notBefore,
          attempts: row.attempts + (next.counter === 'attempts' ? 1 : 0),
          refusals: row.refusals + (next.counter === 'refusals' ? 1 : 0),
        },
        next.retryAfter,
      );
      this.knownDue.push(next.retryAfter);
    }
    await store.deletePending(row);
  }

  /**
   * When to retry `piece` of `row` after this failure, and which counter it adds to; `undefined`
   * (after logging the items as lost) when the row is given up: refused for good
   * {@link MAX_REFUSALS} times, or its TTL would delete it before the retry.
   */
  private nextTry(
    row: PendingInvalidation,
    piece: UnsentPiece,
  ): { readonly retryAfter: number; readonly counter: 'attempts' | 'refusals' } | undefined {
    const counter = piece.permanent ? 'refusals' : 'attempts';
    const count = piece.permanent ? row.refusals : row.attempts;
    const retryAfter =
      this.now() + Math.min(MAX_PERSISTED_RETRY_DELAY_MS, this.persistedRetryDelayMs * 2 ** count);
    const reason =
      piece.permanent && row.refusals + 1 >= MAX_REFUSALS
        ? `CloudFront refused it ${MAX_REFUSALS} times (${describeFailure(piece.error)})`
        : retryAfter >= pendingExpiry(row)
          ? `it has been failing for 7 days, the longest a pending invalidation is kept (${describeFailure(piece.error)})`
          : undefined;
    if (reason === undefined) return { retryAfter, counter };
    logCdnError(
      `Giving up pending invalidation ${row.key} of distribution ${row.distributionId}: ${reason}. These ${piece.items.length} item(s) were NOT invalidated: ${piece.items.join(', ')}`,
    );
    return undefined;
  }
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * The invalidation path that covers each of the overflow `paths`: the path itself, or
 * `<pathname>*` for every path of a pathname recorded with more than MAX_QUERY_VARIANTS query
 * strings. `/a*` is CloudFront's documented way to evict all query variants of `/a`
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html);
 * it also evicts `/a` itself and `/ab…`, `/a/…` — extra misses, never a stale hit. `/a?*` would
 * spare those, but CloudFront does not document a wildcard after the `?`.
 */
function coveringPaths(paths: readonly string[]): Map<string, string> {
  const variants = new Map<string, Set<string>>();
  for (const path of paths) {
    const query = path.indexOf('?');
    if (query === -1) continue;
    const pathname = path.slice(0, query);
    const set = variants.get(pathname) ?? new Set<string>();
    variants.set(pathname, set.add(path));
  }
  const covering = new Map<string, string>();
  for (const path of paths) {
    const query = path.indexOf('?');
    // A pathname with a literal `*` was cut there (toInvalidationPath): it has no query to group.
    const pathname = query === -1 ? path : path.slice(0, query);
    const many = (variants.get(pathname)?.size ?? 0) > MAX_QUERY_VARIANTS;
    covering.set(path, many ? `${pathname}*` : path);
  }
  return covering;
}

function dedupe(items: readonly string[]): string[] {
  return [...new Set(items)];
}
