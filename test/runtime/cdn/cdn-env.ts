import { createServer, type Socket } from 'node:net';
import { resetDynamoDBClient } from '../../../runtime/cache/dynamodb-client';
import { resetCloudFrontClient } from '../../../runtime/cdn/clients';
import { useInvalidationManager } from '../../../runtime/cdn/shared-manager';
import { type OverflowPath, TagTableStore } from '../../../runtime/cdn/tag-table';
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

/**
 * The real tag table store, counting how many overflow rows it is deleting at once; the deletes wait
 * until `open()` is called.
 */
export class GatedTagTableStore extends TagTableStore {
  inFlight = 0;
  maxInFlight = 0;
  private release: () => void = () => {};
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  open(): void {
    this.release();
  }

  override async forgetOverflow(entry: OverflowPath): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.gate;
      await super.forgetOverflow(entry);
    } finally {
      this.inFlight--;
    }
  }
}

/** A CloudFront endpoint that accepts connections and never answers. */
export async function startHungEndpoint(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
