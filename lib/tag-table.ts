import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { RuntimeTableBase, type RuntimeTableProps } from './runtime-table-base';

/** Properties of a {@link TagTable}. */
export interface TagTableProps extends RuntimeTableProps {}

/**
 * The DynamoDB table of tag state (ARCHITECTURE.md §4 and §6): on-demand, TTL, point-in-time
 * recovery, AWS managed encryption, optional global-table replicas.
 *
 * Key schema — `pk` (S) and `sk` (S), TTL attribute `expiresAt` (N, epoch seconds). Row kinds:
 *
 * | `pk`                     | `sk`                  | attributes | written by |
 * |--------------------------|-----------------------|------------|------------|
 * | `tag#<tag>`              | `expired`             | `expiredAt` (N, epoch ms) | `getCache().expireTag(tag)`: one write per tag, however many entries carry it; a cache read is a hit only if every tag's `expiredAt` is older than the entry's `createdAt` |
 * | `cdn-tag#<CloudFront tag>` | `path#<path>`       | `expiresAt` | a response carrying more than CloudFront's 50 tags: the tags beyond the 50th map to the paths that carried them, so invalidating such a tag also invalidates those paths |
 * | `invalidation#pending`   | `<ISO time>#<id>`     | `items` (L of paths and `#tag`s), `attempts` (N), `distributionId` (S), `expiresAt` | the invalidation manager, for a `CreateInvalidation` batch that failed; retried by the next invocation or a sweeper |
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
