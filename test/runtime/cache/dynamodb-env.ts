import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { DYNAMODB_LOCAL_CLIENT_CONFIG } from '../../../lib/local/dynamodb-local';
import {
  DynamoDBRuntimeCache,
  type DynamoDBRuntimeCacheOptions,
} from '../../../runtime/cache/dynamodb-cache';

// Test helpers for the DynamoDB-backed cache: environment pointing the SDK at DynamoDB Local the
// standard way (AWS_ENDPOINT_URL_DYNAMODB), request counting, raw item access.

export { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';

const ENV_KEYS = [
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
] as const;

/** Points every SDK client created afterwards at `endpoint`; returns a function restoring the old values. */
export function useDynamoDBEndpoint(endpoint: string): () => void {
  const saved = ENV_KEYS.map((key) => [key, process.env[key]] as const);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = DYNAMODB_LOCAL_CLIENT_CONFIG.region;
  process.env.AWS_ACCESS_KEY_ID = DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.secretAccessKey;
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** A client (endpoint from the environment) that records every HTTP request it sends, retries included. */
export function countingClient(): { client: DynamoDBClient; requests: string[] } {
  const client = new DynamoDBClient({});
  const requests: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push(context.commandName ?? 'unknown');
      return next(args);
    },
    // The deserialize step runs once per attempt, below the retry middleware.
    { step: 'deserialize', name: 'countRequests' },
  );
  return { client, requests };
}

/** A cache on the given tables with a counting client and an adjustable clock. */
export function testCache(
  tables: { cacheTableName: string; tagTableName?: string },
  options: Partial<DynamoDBRuntimeCacheOptions> = {},
) {
  const { client, requests } = countingClient();
  const clock = { now: Date.UTC(2026, 0, 1) };
  const cache = new DynamoDBRuntimeCache({ ...tables, client, now: () => clock.now, ...options });
  return { cache, client, requests, clock };
}

/** Every item stored under `pk` in the cache table, by sort key. */
export async function rawItems(client: DynamoDBClient, table: string, pk: string) {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    // A Query page stops at 1 MB, less than one chunked entry.
    const response = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(response.Items ?? []));
    start = response.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Writes copies of `item` under each of `keys` (partition key replaced), 25 per BatchWriteItem. */
export async function cloneItem(
  client: DynamoDBClient,
  table: string,
  item: Record<string, AttributeValue>,
  keys: readonly string[],
): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < keys.length; i += 25) batches.push(keys.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map(async (batch) => {
        let pending: WriteRequest[] = batch.map((pk) => ({
          PutRequest: { Item: { ...item, pk: { S: pk } } },
        }));
        while (pending.length > 0) {
          const response = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
          );
          pending = response.UnprocessedItems?.[table] ?? [];
        }
      }),
    );
  }
}

/** The tag table's expiry row of `tag`. */
export async function rawTagRow(client: DynamoDBClient, table: string, tag: string) {
  const response = await client.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: `tag#${tag}` }, sk: { S: 'expired' } } }),
  );
  return response.Item;
}
