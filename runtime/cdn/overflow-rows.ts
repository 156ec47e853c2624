import type { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { getDynamoDBClient, loadDynamoDBSdk } from '../cache/dynamodb-client';

/*
 * Writing the tag table's overflow rows (layout on tag-table.ts): `cdn-tag#<tag>` / `path#<path>`
 * for a response whose tags did not all fit into the header CloudFront reads, and the tag's
 * `has-paths` marker. Kept apart from the rest of the tag table code because every function needs
 * it — a handler may set a `Vercel-Cache-Tag` header with more than 50 tags without importing
 * anything — while only functions that purge need the reads, the pending invalidations and the
 * invalidation manager.
 */

export const CDN_TAG_PREFIX = 'cdn-tag#';
export const PATH_PREFIX = 'path#';
export const MARKER_SK = 'has-paths';
const BATCH_WRITE_LIMIT = 25;
export const BATCH_ATTEMPTS = 5;

/**
 * Records `path` under each of `tags` in `tableName`, for as long as CloudFront may keep the
 * response (`lifetimeSeconds` from `now`), then writes or extends each tag's marker.
 */
export async function recordOverflowRows(
  tableName: string,
  tags: readonly string[],
  path: string,
  lifetimeSeconds: number,
  now = Date.now(),
  client: () => Promise<DynamoDBClient> = getDynamoDBClient,
): Promise<void> {
  const expiresAt = Math.ceil(now / 1000) + lifetimeSeconds;
  const requests: WriteRequest[] = tags.map((tag) => ({
    PutRequest: {
      Item: {
        pk: { S: CDN_TAG_PREFIX + tag },
        sk: { S: PATH_PREFIX + path },
        writtenAt: { N: String(now) },
        expiresAt: { N: String(expiresAt) },
      },
    },
  }));
  for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
    await batchWrite(tableName, requests.slice(i, i + BATCH_WRITE_LIMIT), client);
  }
  // Markers last: a marker must never announce paths that are not written yet.
  await Promise.all(tags.map((tag) => markTag(tableName, tag, expiresAt, client)));
}

/** Whether `error` is DynamoDB's failed condition. By name: the SDK copy that threw may not be ours. */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** Writes `tag`'s marker, or extends it: it must live as long as the longest-lived path row. */
async function markTag(
  tableName: string,
  tag: string,
  expiresAt: number,
  client: () => Promise<DynamoDBClient>,
): Promise<void> {
  const [{ PutItemCommand }, dynamo] = await Promise.all([loadDynamoDBSdk(), client()]);
  try {
    await dynamo.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: CDN_TAG_PREFIX + tag }, sk: { S: MARKER_SK }, expiresAt: { N: String(expiresAt) } },
        ConditionExpression: 'attribute_not_exists(expiresAt) OR expiresAt < :expiresAt',
        ExpressionAttributeValues: { ':expiresAt': { N: String(expiresAt) } },
      }),
    );
  } catch (error) {
    // The marker already outlives this row.
    if (!isConditionFailure(error)) throw error;
  }
}

async function batchWrite(
  tableName: string,
  requests: WriteRequest[],
  client: () => Promise<DynamoDBClient>,
): Promise<void> {
  const [{ BatchWriteItemCommand }, dynamo] = await Promise.all([loadDynamoDBSdk(), client()]);
  let unprocessed = requests;
  for (let attempt = 0; unprocessed.length > 0; attempt++) {
    if (attempt === BATCH_ATTEMPTS) {
      throw new Error(
        `DynamoDB left ${unprocessed.length} tag table write(s) unprocessed after ${BATCH_ATTEMPTS} attempts`,
      );
    }
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    const result = await dynamo.send(
      new BatchWriteItemCommand({ RequestItems: { [tableName]: unprocessed } }),
    );
    unprocessed = result.UnprocessedItems?.[tableName] ?? [];
  }
}
