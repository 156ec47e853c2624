import { cloudFrontClient, loadCloudFrontSdk } from './clients';

/**
 * Sends one `CreateInvalidation` batch; resolves with the invalidation id. `signal` aborts the
 * request (the invalidation manager's per-attempt time limit); the rejection is then retryable.
 */
export type InvalidationSender = (
  distributionId: string,
  items: readonly string[],
  callerReference: string,
  signal?: AbortSignal,
) => Promise<string>;

/** {@link InvalidationSender} over the process's CloudFront client (`@aws-sdk/client-cloudfront`). */
export const createInvalidation: InvalidationSender = async (
  distributionId,
  items,
  callerReference,
  signal,
) => {
  const { CreateInvalidationCommand } = await loadCloudFrontSdk();
  const client = await cloudFrontClient();
  const result = await client.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: {
        CallerReference: callerReference,
        Paths: { Quantity: items.length, Items: [...items] },
      },
    }),
    { abortSignal: signal },
  );
  return result.Invalidation?.Id ?? '';
};

/** How the manager reacts to a failed `CreateInvalidation`. */
export type FailureKind = 'retry' | 'permanent' | 'conflict';

// Errors retrying cannot fix: the request or the caller's setup is wrong. Everything else —
// TooManyInvalidationsInProgress, Throttling / rate exceeded, 5xx, network errors, a request cut
// off by a timeout or the abort signal (CloudFront may still have accepted it: the resend under the
// same CallerReference is then a no-op) — passes.
const PERMANENT = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'BatchTooLarge',
  'InconsistentQuantities',
  'InvalidArgument',
  'MissingBody',
  'NoSuchDistribution',
]);

/** The error code CloudFront answers when the distribution's in-progress limits are full. */
export const CAPACITY_EXCEEDED = 'TooManyInvalidationsInProgress';

/** Classifies a `CreateInvalidation` failure by the error code the SDK put into `name`. */
export function classifyFailure(error: unknown): FailureKind {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'InvalidationBatchAlreadyExists') return 'conflict';
  return typeof name === 'string' && PERMANENT.has(name) ? 'permanent' : 'retry';
}

/** The error code or message of a failure, for log lines and error messages. */
export function describeFailure(error: unknown): string {
  if (error instanceof Error)
    return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
