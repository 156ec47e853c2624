import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CAPACITY_EXCEEDED, classifyFailure, type InvalidationSender } from './create-invalidation';

/*
 * Sending one CreateInvalidation batch: retries with backoff, a time limit on every attempt, and
 * halving on `TooManyInvalidationsInProgress`. CloudFront counts its limits (3,000 paths, 15
 * wildcards) over everything in progress on the distribution
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html), so
 * a full batch is refused while any other invalidation is in flight, however long it is retried;
 * halves fit into what is left. Halving stops at one item, and once a piece has run out of retries
 * the pieces still waiting are not sent at all (CloudFront has no room now): the caller queues them.
 */

/** One piece of a batch, with the CallerReference it is (re)sent under. */
export interface BatchPiece {
  readonly items: readonly string[];
  readonly callerReference: string;
}

/** A piece CloudFront did not accept. */
export interface UnsentPiece extends BatchPiece {
  /** `true` when retrying cannot help (AccessDenied, NoSuchDistribution, InvalidArgument…). */
  readonly permanent: boolean;
  readonly error: unknown;
}

/** What became of a batch: the pieces CloudFront accepted and those it did not. */
export interface Delivery {
  readonly sent: readonly BatchPiece[];
  readonly unsent: readonly UnsentPiece[];
}

/** How a batch is sent. */
export interface DeliverySettings {
  readonly send: InvalidationSender;
  readonly now: () => number;
  /** First backoff delay; doubles on each retry, with full jitter. */
  readonly baseDelayMs: number;
  /** Longest backoff delay. */
  readonly maxDelayMs: number;
  /** Longest one attempt waits for CloudFront's answer. */
  readonly attemptTimeoutMs: number;
}

/** When to stop: no retry starts after `retryUntil`, every attempt is aborted at `cutoff` (epoch ms). */
export interface DeliveryLimits {
  readonly retryUntil: number;
  readonly cutoff: number;
}

/** The shortest time limit an attempt gets, even past the cutoff: every piece is tried once. */
const MIN_ATTEMPT_MS = 200;

type AttemptOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly split: true }
  | {
      readonly ok: false;
      readonly split: false;
      readonly permanent: boolean;
      readonly error: unknown;
      readonly callerReference: string;
    };

/**
 * Sends `batch` to `distributionId`, halving it while CloudFront answers that too many
 * invalidations are in progress. Never rejects: what was not accepted comes back in `unsent`,
 * with the CallerReference under which it was last sent (a resend under it is a no-op if
 * CloudFront did accept it after all).
 */
export async function deliverBatch(
  settings: DeliverySettings,
  distributionId: string,
  batch: BatchPiece,
  limits: DeliveryLimits,
): Promise<Delivery> {
  const queue: BatchPiece[] = [batch];
  const sent: BatchPiece[] = [];
  const unsent: UnsentPiece[] = [];
  // A retryable failure that outlasted the retries: CloudFront takes nothing more for now.
  let stalled: unknown;
  let piece = queue.shift();
  while (piece !== undefined) {
    if (stalled !== undefined) {
      unsent.push({ ...piece, permanent: false, error: stalled });
    } else {
      const outcome = await sendWithRetry(settings, distributionId, piece, limits);
      if (outcome.ok) sent.push(piece);
      else if (outcome.split) {
        // Fresh CallerReferences: CloudFront refused the whole piece, so none of it was accepted.
        const half = Math.ceil(piece.items.length / 2);
        queue.unshift(
          { items: piece.items.slice(0, half), callerReference: randomUUID() },
          { items: piece.items.slice(half), callerReference: randomUUID() },
        );
      } else {
        unsent.push({ items: piece.items, ...outcome });
        if (!outcome.permanent) stalled = outcome.error;
      }
    }
    piece = queue.shift();
  }
  return { sent, unsent };
}

async function sendWithRetry(
  settings: DeliverySettings,
  distributionId: string,
  piece: BatchPiece,
  limits: DeliveryLimits,
): Promise<AttemptOutcome> {
  let reference = piece.callerReference;
  let renewed = false;
  for (let attempt = 0; ; attempt++) {
    const timeout = Math.max(
      MIN_ATTEMPT_MS,
      Math.min(settings.attemptTimeoutMs, limits.cutoff - settings.now()),
    );
    try {
      await settings.send(distributionId, piece.items, reference, AbortSignal.timeout(timeout));
      return { ok: true };
    } catch (error) {
      const kind = classifyFailure(error);
      if (kind === 'permanent') {
        return { ok: false, split: false, permanent: true, error, callerReference: reference };
      }
      if (isCapacityExceeded(error) && piece.items.length > 1) return { ok: false, split: true };
      if (kind === 'conflict' && !renewed) {
        // Another batch already used this CallerReference (only a persisted row reused by
        // mistake can do that): evicting again under a fresh one is safe, losing it is not.
        reference = randomUUID();
        renewed = true;
        continue;
      }
      const delay = Math.random() * Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** attempt);
      if (kind === 'conflict' || settings.now() + delay > limits.retryUntil) {
        return { ok: false, split: false, permanent: false, error, callerReference: reference };
      }
      await sleep(delay);
    }
  }
}

function isCapacityExceeded(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === CAPACITY_EXCEEDED;
}
