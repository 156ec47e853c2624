import type { AttributeValue, DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { getDynamoDBClient, isConditionFailure, loadDynamoDBSdk } from '../cache/dynamodb-client';

/*
 * Writing the tag table's overflow rows (layout on tag-table.ts): `cdn-tag#<tag>` / `path#<path>`
 * (or the path's hash, see overflowSortKey) for a response whose tags did not all fit into the
 * header CloudFront reads, and the tag's `has-paths` marker. Kept apart from the rest of the tag
 * table code because every function needs it — a handler may set a `Vercel-Cache-Tag` header with
 * more than 50 tags without importing anything — while only functions that purge need the reads,
 * the pending invalidations and the invalidation manager.
 */

export const CDN_TAG_PREFIX = 'cdn-tag#';
export const PATH_PREFIX = 'path#';
export const MARKER_SK = 'has-paths';
/** Attribute holding the path of a row whose sort key is the path's hash. */
export const PATH_ATTRIBUTE = 'path';
/**
 * The longest path (UTF-8 bytes) kept in the sort key itself: DynamoDB refuses a sort key over
 * 1,024 bytes, and `path#` takes 5. Longer paths (a long query string) are keyed by their hash.
 */
export const MAX_PATH_SORT_KEY_BYTES = 1019;
// After `path#`: never the start of a path, which always begins with `/` (toInvalidationPath).
const HASHED_PATH_MARK = 'sha256:';
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
  const sk = overflowSortKey(path);
  const requests: WriteRequest[] = tags.map((tag) => {
    const item: Record<string, AttributeValue> = {
      pk: { S: CDN_TAG_PREFIX + tag },
      sk: { S: sk },
      writtenAt: { N: String(now) },
      expiresAt: { N: String(expiresAt) },
    };
    // Only hashed rows carry the path twice: a short path's row stays as small as it was.
    if (sk.startsWith(PATH_PREFIX + HASHED_PATH_MARK)) item[PATH_ATTRIBUTE] = { S: path };
    return { PutRequest: { Item: item } };
  });
  for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
    await batchWrite(tableName, requests.slice(i, i + BATCH_WRITE_LIMIT), client);
  }
  // Markers last: a marker must never announce paths that are not written yet.
  await Promise.all(tags.map((tag) => markTag(tableName, tag, expiresAt, client)));
}

/**
 * The sort key of `path`'s overflow rows: `path#<path>` while that fits DynamoDB's sort key limit
 * (exactly what earlier versions wrote, so their rows are still found and deleted by the same key),
 * else `path#sha256:<hex of the path's SHA-256>`, with the path in the `path` attribute. Both start
 * with `path#`, so one query reads both kinds.
 */
export function overflowSortKey(path: string): string {
  if (Buffer.byteLength(path, 'utf8') <= MAX_PATH_SORT_KEY_BYTES) return PATH_PREFIX + path;
  // Loaded here, not imported: node:crypto takes milliseconds to load, and every function bundles
  // this file while few ever see such a path (as in cloudfront-tag.ts).
  const hash = process
    .getBuiltinModule('node:crypto')
    .createHash('sha256')
    .update(path, 'utf8')
    .digest('hex');
  return `${PATH_PREFIX}${HASHED_PATH_MARK}${hash}`;
}

/** The path an overflow row was recorded for: its `path` attribute, else its sort key's rest. */
export function overflowRowPath(item: Record<string, AttributeValue>): string {
  return item[PATH_ATTRIBUTE]?.S ?? (item.sk?.S ?? '').slice(PATH_PREFIX.length);
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
