import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { importOnce } from '../import-once';

/** The AWS SDK's DynamoDB module, loaded on first use. */
export type DynamoDBSdk = typeof import('@aws-sdk/client-dynamodb');

// Loading the DynamoDB client costs ~80–110 ms on Node 24 (measured), so functions that never touch
// the cache must not pay for it at cold start: the module is imported on the first cache call.
let client: Promise<DynamoDBClient> | undefined;

/** The SDK module, imported once per process (again after a failed import). */
export const loadDynamoDBSdk: () => Promise<DynamoDBSdk> = /* @__PURE__ */ importOnce(
  () => import('@aws-sdk/client-dynamodb'),
);

/**
 * The process-wide DynamoDB client of the Runtime Cache, created on first use.
 *
 * Region and endpoint come from the SDK's own configuration chain: `AWS_REGION` (set by Lambda) and,
 * for DynamoDB Local or another endpoint, `AWS_ENDPOINT_URL_DYNAMODB` (or `AWS_ENDPOINT_URL`), which
 * the SDK reads itself (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
 * Each cache operation bounds its total time with an abort signal; `maxAttempts` bounds retries of
 * throttling and 5xx errors within that budget.
 */
export function getDynamoDBClient(): Promise<DynamoDBClient> {
  client ??= loadDynamoDBSdk().then(
    ({ DynamoDBClient }) =>
      new DynamoDBClient({
        maxAttempts: 3,
        requestHandler: { connectionTimeout: 1_000 },
      }),
  );
  return client;
}

/** Destroys the process-wide client (closing its sockets); the next call creates a new one. For tests. */
export async function resetDynamoDBClient(): Promise<void> {
  const current = client;
  client = undefined;
  (await current?.catch(() => undefined))?.destroy();
}

/** Whether `error` is DynamoDB's failed condition. By name: the SDK copy that threw may not be ours. */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/**
 * Whether `error` is DynamoDB refusing a write because another write of the same items was in flight:
 * a `TransactionConflictException` (a one-item write meeting a transaction), or a
 * `TransactionCanceledException` whose every reason is `TransactionConflict` (`None` marks the items
 * that were not at fault). Any other reason (throttling, validation) is a fault of its own.
 */
export function isWriteConflict(error: unknown): boolean {
  const { name, CancellationReasons } = (error ?? {}) as {
    name?: unknown;
    CancellationReasons?: readonly ({ Code?: unknown } | undefined)[];
  };
  if (name === 'TransactionConflictException') return true;
  if (name !== 'TransactionCanceledException' || !Array.isArray(CancellationReasons)) return false;
  const codes = CancellationReasons.map((reason) => reason?.Code).filter((code) => code !== 'None');
  return codes.length > 0 && codes.every((code) => code === 'TransactionConflict');
}

// DynamoDB's throttling errors (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
]);

/**
 * Whether `error` is a throttling error or a server-side (5xx) failure, which the same request may
 * not meet again. By name and status: the SDK copy that threw may not be ours.
 */
export function isTransientFailure(error: unknown): boolean {
  const { name, $metadata } = (error ?? {}) as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  if (typeof name === 'string' && THROTTLING_ERRORS.has(name)) return true;
  return ($metadata?.httpStatusCode ?? 0) >= 500;
}
