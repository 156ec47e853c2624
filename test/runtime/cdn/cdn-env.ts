import { resetDynamoDBClient } from '../../../runtime/cache/dynamodb-client';
import { resetCloudFrontClient } from '../../../runtime/cdn/clients';
import { useInvalidationManager } from '../../../runtime/cdn/shared-manager';
import { useDynamoDBEndpoint } from '../cache/dynamodb-env';

// Test helpers for the CDN features: the runtime's SDK clients pointed at the loopback CloudFront
// endpoint and DynamoDB Local the standard way (AWS_ENDPOINT_URL_CLOUDFRONT / _DYNAMODB).

/** Points the SDK at both endpoints and forgets the process's clients; returns the restore function. */
export async function useCdnEndpoints(
  cloudFrontUrl: string,
  dynamoDbUrl: string,
): Promise<() => Promise<void>> {
  const restoreDynamoDb = useDynamoDBEndpoint(dynamoDbUrl);
  const savedCloudFront = process.env.AWS_ENDPOINT_URL_CLOUDFRONT;
  process.env.AWS_ENDPOINT_URL_CLOUDFRONT = cloudFrontUrl;
  await resetCloudFrontClient();
  await resetDynamoDBClient();
  return async () => {
    useInvalidationManager(undefined);
    await resetCloudFrontClient();
    await resetDynamoDBClient();
    restoreDynamoDb();
    if (savedCloudFront === undefined) delete process.env.AWS_ENDPOINT_URL_CLOUDFRONT;
    else process.env.AWS_ENDPOINT_URL_CLOUDFRONT = savedCloudFront;
  };
}

/** How often each item appears across `batches`. */
export function itemCounts(batches: readonly (readonly string[])[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of batches.flat()) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}
