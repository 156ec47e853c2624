import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { getDynamoDBClient, isConditionFailure, loadDynamoDBSdk } from '../cache/dynamodb-client';
import {
  BATCH_ATTEMPTS,
  CDN_TAG_PREFIX,
  MARKER_SK,
  overflowRowPath,
  overflowSortKey,
  PATH_PREFIX,
  recordOverflowRows,
} from './overflow-rows';

/*
 * The CDN rows of the tag table (layout documented on lib/tag-table.ts): key `pk` / `sk`, TTL
 * attribute `expiresAt` (epoch seconds).
 *
 * - `cdn-tag#<CloudFront tag>` / `path#<path>`: a response whose tags did not all fit into the
 *   header CloudFront reads; invalidating the tag must also invalidate the path. `writtenAt`
 *   (epoch ms) lets a row be deleted after an invalidation only if no newer response rewrote it.
 *   A path too long for a sort key is keyed `path#sha256:<hex>` and kept in `path` (overflowSortKey).
 * - `cdn-tag#<CloudFront tag>` / `has-paths`: marks a tag that has path rows, living as long as
 *   the longest of them, so invalidations look paths up only for tags that have some.
 * - `invalidation#pending` / `<ISO not-before time>#<CallerReference>`: an invalidation to send
 *   later — a batch CloudFront refused for now, or an eviction scheduled at a
 *   `revalidationDeadlineSeconds` deadline. Sort keys order the partition by due time, so the
 *   due rows are one range query. `attempts` and `refusals` count retryable and permanent
 *   failures apart (the latter may come from a sweeper not allowed on the row's distribution).
 *
 * The overflow reads are strongly consistent (`ConsistentRead`), so a response recorded just before
 * an invalidation is not missed. They read the base table (no index, where DynamoDB would refuse
 * it) in the function's region; on a global table that is the regional replica, consistent for
 * writes made in that region — a row written in another region arrives with replication.
 *
 * This class only maps to DynamoDB commands; the invalidation manager owns the logic.
 */

const BATCH_GET_LIMIT = 100;
const PENDING_PK = 'invalidation#pending';
/**
 * A pending row is kept this long after it became due, however often it fails (its TTL). The
 * invalidation manager gives up on a row, with an error log naming its items, before TTL would
 * delete it silently.
 */
// A literal, not `7 * 24 * 60 * 60 * 1000`: esbuild keeps computed constants in bundles that do not use them.
export const PENDING_RETENTION_MS = 604_800_000; // 7 days

/** A path recorded under a tag CloudFront does not know for it. */
export interface OverflowPath {
  /** Canonical CloudFront tag. */
  readonly tag: string;
  /** Path (with query string) of the cached response. */
  readonly path: string;
  /** When the row was last written (epoch ms). */
  readonly writtenAt: number;
}

/** An invalidation waiting in the tag table. */
export interface PendingInvalidation {
  /** The row's sort key. */
  readonly key: string;
  readonly distributionId: string;
  /** `CreateInvalidation` items: `#tag` items and paths. */
  readonly items: readonly string[];
  /** The CallerReference this batch is (re)sent with, so a retry cannot invalidate twice. */
  readonly callerReference: string;
  /**
   * `true`: `items` is a final batch, sent exactly as stored. `false`: a scheduled eviction whose
   * `#tag` items still need their overflow paths looked up when it is sent.
   */
  readonly expanded: boolean;
  /** Not to be sent before this time (epoch ms). */
  readonly notBefore: number;
  /** Failed attempts so far that retrying may fix (throttling, capacity, timeouts); sets the backoff. */
  readonly attempts: number;
  /**
   * Attempts CloudFront refused for good (AccessDenied, NoSuchDistribution…): counted apart, so a
   * sweeper without permission on the row's distribution does not lengthen the owner's backoff.
   */
  readonly refusals: number;
  /** Not to be retried before this time (epoch ms). */
  readonly retryAfter: number;
}

/**
 * What {@link TagTableStore.schedule} needs to create a pending row; `attempts` and `refusals`
 * (default 0) carry a split row's history over to its pieces.
 */
export type NewPendingInvalidation = Omit<
  PendingInvalidation,
  'key' | 'attempts' | 'refusals' | 'retryAfter'
> & {
  readonly attempts?: number;
  readonly refusals?: number;
};

/** Which counter a failed attempt adds to (see {@link PendingInvalidation}). */
export type PendingFailure = 'attempts' | 'refusals';

/** When TTL deletes `row` (epoch ms, rounded up to DynamoDB's seconds). */
export function pendingExpiry(row: Pick<PendingInvalidation, 'notBefore'>): number {
  return Math.ceil((row.notBefore + PENDING_RETENTION_MS) / 1000) * 1000;
}

/** DynamoDB access to the tag table's CDN rows. */
export class TagTableStore {
  constructor(
    readonly tableName: string,
    private readonly client: () => Promise<DynamoDBClient> = getDynamoDBClient,
  ) {}

  /** Records `path` under each of `tags`, for as long as CloudFront may keep the response. */
  recordOverflow(
    tags: readonly string[],
    path: string,
    lifetimeSeconds: number,
    now = Date.now(),
  ): Promise<void> {
    return recordOverflowRows(this.tableName, tags, path, lifetimeSeconds, now, this.client);
  }

  /**
   * Which of `tags` have paths recorded: one `has-paths` marker row per such tag, read with
   * BatchGetItem (100 keys per request), so invalidating a thousand tags costs ten reads rather
   * than a thousand queries — most tags never overflow.
   */
  async tagsWithPaths(tags: readonly string[], now = Date.now()): Promise<string[]> {
    const { BatchGetItemCommand } = await loadDynamoDBSdk();
    const client = await this.client();
    const found: string[] = [];
    const nowSeconds = Math.floor(now / 1000);
    const batches: (typeof tags)[] = [];
    for (let i = 0; i < tags.length; i += BATCH_GET_LIMIT) batches.push(tags.slice(i, i + BATCH_GET_LIMIT));
    await Promise.all(
      batches.map(async (batch) => {
        let keys: Record<string, AttributeValue>[] = batch.map((tag) => ({
          pk: { S: CDN_TAG_PREFIX + tag },
          sk: { S: MARKER_SK },
        }));
        for (let attempt = 0; keys.length > 0; attempt++) {
          if (attempt === BATCH_ATTEMPTS) {
            throw new Error(
              `DynamoDB left ${keys.length} tag table read(s) unprocessed after ${attempt} attempts`,
            );
          }
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
          const result = await client.send(
            new BatchGetItemCommand({
              RequestItems: {
                [this.tableName]: { Keys: keys, ProjectionExpression: 'pk, expiresAt', ConsistentRead: true },
              },
            }),
          );
          for (const item of result.Responses?.[this.tableName] ?? []) {
            if (Number(item.expiresAt?.N ?? 0) > nowSeconds) {
              found.push((item.pk.S ?? '').slice(CDN_TAG_PREFIX.length));
            }
          }
          keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        }
      }),
    );
    return found;
  }

  /** The unexpired paths recorded under `tag`. */
  async overflowPaths(tag: string, now = Date.now()): Promise<OverflowPath[]> {
    const { QueryCommand } = await loadDynamoDBSdk();
    const client = await this.client();
    const paths: OverflowPath[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :path)',
          ConsistentRead: true,
          // TTL deletion is lazy: a row past its time may still be there.
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: {
            ':pk': { S: CDN_TAG_PREFIX + tag },
            ':path': { S: PATH_PREFIX },
            ':now': { N: String(Math.floor(now / 1000)) },
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        paths.push({
          tag,
          path: overflowRowPath(item),
          writtenAt: Number(item.writtenAt?.N ?? 0),
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return paths;
  }

  /**
   * Deletes an overflow row after its path was invalidated — unless a newer response rewrote it
   * meanwhile (then the cached object is newer than the invalidation and the row still matters).
   */
  async forgetOverflow(entry: OverflowPath): Promise<void> {
    const { DeleteItemCommand } = await loadDynamoDBSdk();
    const client = await this.client();
    try {
      await client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: CDN_TAG_PREFIX + entry.tag }, sk: { S: overflowSortKey(entry.path) } },
          ConditionExpression: 'writtenAt = :writtenAt',
          ExpressionAttributeValues: { ':writtenAt': { N: String(entry.writtenAt) } },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Stores an invalidation to send at or after `notBefore`. Returns the stored row. */
  async schedule(
    pending: NewPendingInvalidation,
    retryAfter = pending.notBefore,
  ): Promise<PendingInvalidation> {
    const { PutItemCommand } = await loadDynamoDBSdk();
    const client = await this.client();
    const row: PendingInvalidation = {
      ...pending,
      key: `${new Date(pending.notBefore).toISOString()}#${pending.callerReference}`,
      attempts: pending.attempts ?? 0,
      refusals: pending.refusals ?? 0,
      retryAfter,
    };
    await client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: PENDING_PK },
          sk: { S: row.key },
          distributionId: { S: row.distributionId },
          items: { L: row.items.map((item) => ({ S: item })) },
          callerReference: { S: row.callerReference },
          expanded: { BOOL: row.expanded },
          notBefore: { N: String(row.notBefore) },
          attempts: { N: String(row.attempts) },
          refusals: { N: String(row.refusals) },
          retryAfter: { N: String(row.retryAfter) },
          expiresAt: { N: String(pendingExpiry(row) / 1000) },
        },
      }),
    );
    return row;
  }

  /**
   * Up to `limit` rows that are due at `now` (not-before time and retry time passed), of
   * `distributionId` only when it is given (a tag table may serve several distributions).
   */
  async duePending(now: number, limit: number, distributionId?: string): Promise<PendingInvalidation[]> {
    const { QueryCommand } = await loadDynamoDBSdk();
    const client = await this.client();
    const due: PendingInvalidation[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: this.tableName,
          // `#` < `$`: every sort key whose time part is <= now.
          KeyConditionExpression: 'pk = :pk AND sk < :upper',
          FilterExpression: `retryAfter <= :now AND (attribute_not_exists(claimedUntil) OR claimedUntil <= :now)${distributionId === undefined ? '' : ' AND distributionId = :distribution'}`,
          ExpressionAttributeValues: {
            ':pk': { S: PENDING_PK },
            ':upper': { S: `${new Date(now).toISOString()}$` },
            ':now': { N: String(now) },
            ...(distributionId === undefined ? {} : { ':distribution': { S: distributionId } }),
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        due.push(toPending(item));
        if (due.length >= limit) return due;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return due;
  }

  /**
   * Claims a due row for `leaseMs` so concurrent sweepers (other processes, the scheduled sweeper)
   * do not send it at the same time. Resolves `false` when another sweeper holds it or it is gone.
   */
  async claim(row: PendingInvalidation, now: number, leaseMs: number): Promise<boolean> {
    const { UpdateItemCommand } = await loadDynamoDBSdk();
    const client = await this.client();
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: PENDING_PK }, sk: { S: row.key } },
          UpdateExpression: 'SET claimedUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(claimedUntil) OR claimedUntil <= :now)',
          ExpressionAttributeValues: { ':until': { N: String(now + leaseMs) }, ':now': { N: String(now) } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Records a failed attempt, counted in `counter`, and releases the claim: the row is retried
   * after `retryAfter` (epoch ms).
   */
  async recordFailure(
    row: PendingInvalidation,
    retryAfter: number,
    counter: PendingFailure = 'attempts',
  ): Promise<void> {
    const { UpdateItemCommand } = await loadDynamoDBSdk();
    const client = await this.client();
    await client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: PENDING_PK }, sk: { S: row.key } },
        // Rows written before `refusals` existed lack it: if_not_exists starts them at 0.
        UpdateExpression: `SET ${counter} = if_not_exists(${counter}, :zero) + :one, retryAfter = :retryAfter REMOVE claimedUntil`,
        ExpressionAttributeValues: {
          ':zero': { N: '0' },
          ':one': { N: '1' },
          ':retryAfter': { N: String(retryAfter) },
        },
      }),
    );
  }

  /** Deletes a row once its invalidation was accepted by CloudFront (or re-queued as final batches). */
  async deletePending(row: PendingInvalidation): Promise<void> {
    const { DeleteItemCommand } = await loadDynamoDBSdk();
    const client = await this.client();
    await client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: PENDING_PK }, sk: { S: row.key } },
      }),
    );
  }
}

function toPending(item: Record<string, AttributeValue>): PendingInvalidation {
  return {
    key: item.sk.S ?? '',
    distributionId: item.distributionId?.S ?? '',
    items: (item.items?.L ?? []).map((value) => value.S ?? ''),
    callerReference: item.callerReference?.S ?? '',
    expanded: item.expanded?.BOOL ?? true,
    notBefore: Number(item.notBefore?.N ?? 0),
    attempts: Number(item.attempts?.N ?? 0),
    refusals: Number(item.refusals?.N ?? 0),
    retryAfter: Number(item.retryAfter?.N ?? 0),
  };
}
