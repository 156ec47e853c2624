import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { InvalidationSweeper } from './invalidation-sweeper';
import { RuntimeTableBase, type RuntimeTableProps } from './runtime-table-base';

/** Properties of a {@link TagTable}. */
export interface TagTableProps extends RuntimeTableProps {}

/**
 * The DynamoDB table of tag state (ARCHITECTURE.md §4 and §6): on-demand, TTL, point-in-time
 * recovery, AWS managed encryption, optional global-table replicas.
 *
 * Key schema — `pk` (S) and `sk` (S), TTL attribute `expiresAt` (N, epoch **seconds**; DynamoDB
 * deletes lazily, so readers compare it themselves). Times in other attributes are epoch
 * **milliseconds**. Row kinds:
 *
 * | `pk`                       | `sk`                                  | attributes | written by |
 * |----------------------------|---------------------------------------|------------|------------|
 * | `tag#<tag>`                | `expired`                             | `expiredAt` (N, ms); no `expiresAt`: the row never expires | `getCache().expireTag(tag)`: one write per tag, however many entries carry it. A cache read is a hit only if every tag of the entry has no row or an `expiredAt` strictly before the entry's `createdAt` |
 * | `cdn-tag#<CloudFront tag>` | `path#<path and query>`, or `path#sha256:<hex>` for a path over 1,019 bytes (DynamoDB's sort key limit is 1,024) | `writtenAt` (N, ms), `expiresAt`; `path` (S: the path and query) on hashed rows only | a response carrying more tags than CloudFront keeps (50): the tags beyond map to the path that carried them, so invalidating such a tag also invalidates the path. After that invalidation the row is deleted only if `writtenAt` is unchanged (no newer response rewrote it). Read with `ConsistentRead` |
 * | `cdn-tag#<CloudFront tag>` | `has-paths`                           | `expiresAt` (that of the tag's longest-lived path row) | with the path rows: marks the tags that have any, so invalidations look up paths (one BatchGetItem per 100 tags) only for those |
 * | `invalidation#pending`     | `<ISO not-before time>#<CallerReference>` | `distributionId` (S), `items` (L of S: `#tag` items and paths), `callerReference` (S), `expanded` (BOOL: `true` = a final batch sent as stored; `false` = a scheduled eviction whose `#tag` items still need their overflow paths), `notBefore` (N, ms), `attempts` (N), `refusals` (N: permanent refusals, AccessDenied or NoSuchDistribution; the row is given up with an error log after 5), `retryAfter` (N, ms), `claimedUntil` (N, ms; while a sweeper holds the row), `expiresAt` (`notBefore` + 7 days) | the invalidation manager: a `CreateInvalidation` batch CloudFront refused for now, or an eviction scheduled at a `revalidationDeadlineSeconds` deadline. Sent by the next invocation through the same distribution or the {@link InvalidationSweeper} (any distribution); the sort key orders the partition by due time, and the CallerReference makes a resend idempotent |
 *
 * The prefixes keep user-chosen tags from ever colliding with the bookkeeping rows.
 *
 * @example
 * const tags = new TagTable(this, 'Tags');
 * tags.grantReadWriteData(fn);
 */
export class TagTable extends RuntimeTableBase {
  /** Partition key attribute. */
  static readonly PARTITION_KEY = 'pk';
  /** Sort key attribute. */
  static readonly SORT_KEY = 'sk';
  /** TTL attribute (epoch seconds). */
  static readonly TTL_ATTRIBUTE = 'expiresAt';

  constructor(scope: Construct, id: string, props: TagTableProps = {}) {
    super(
      scope,
      id,
      {
        partitionKey: { name: TagTable.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
        sortKey: { name: TagTable.SORT_KEY, type: dynamodb.AttributeType.STRING },
        timeToLiveAttribute: TagTable.TTL_ATTRIBUTE,
      },
      props,
    );
  }
}
