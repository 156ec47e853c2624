import { cloudFrontClient, loadCloudFrontSdk } from './clients';

/** Sends one `CreateInvalidation` batch; resolves with the invalidation id. */
export type InvalidationSender = (
  distributionId: string,
  items: readonly string[],
  callerReference: string,
) => Promise<string>;

/** {@link InvalidationSender} over the process's CloudFront client (`@aws-sdk/client-cloudfront`). */
export const createInvalidation: InvalidationSender = async (distributionId, items, callerReference) => {
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
  );
  return result.Invalidation?.Id ?? '';
};

/** How the manager reacts to a failed `CreateInvalidation`. */
export type FailureKind = 'retry' | 'permanent' | 'conflict';

// Errors retrying cannot fix: the request or the caller's setup is wrong. Everything else —
// TooManyInvalidationsInProgress, Throttling / rate exceeded, 5xx, network errors — passes.
const PERMANENT = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'BatchTooLarge',
  'InconsistentQuantities',
  'InvalidArgument',
  'MissingBody',
  'NoSuchDistribution',
]);

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
