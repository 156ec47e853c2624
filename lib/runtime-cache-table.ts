import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { RuntimeTableBase, type RuntimeTableProps } from './runtime-table-base';

/** Properties of a {@link RuntimeCacheTable}. */
export interface RuntimeCacheTableProps extends RuntimeTableProps {}

/**
 * The DynamoDB table behind `getCache()` (ARCHITECTURE.md §6): on-demand, TTL, point-in-time
 * recovery, AWS managed encryption, optional global-table replicas.
 *
 * Key schema — one cache entry is one or more items sharing a partition:
 *
 * | attribute   | type | meaning |
 * |-------------|------|---------|
 * | `pk`        | S    | partition key: the transformed cache key exactly as `getCache()` computes it (namespace + separator + djb2 hash, e.g. `products$b876d32`) |
 * | `sk`        | N    | sort key: chunk index. `0` is the head item; values too large for one item (DynamoDB's 400 KB limit) continue in chunks `1..n-1`, written together in one `TransactWriteItems` (Vercel's 2 MB limit fits in ≤ 6 chunks of ≤ 350 KB) |
 * | `expiresAt` | N    | TTL attribute, epoch **seconds** (rounded up), on every item of an entry set with a `ttl`; absent otherwise (the entry never expires). DynamoDB deletes lazily, so readers check freshness themselves |
 * | `value`     | B    | every item: its slice of the encoded value |
 * | `writeId`   | S    | every item: the random id of the write that stored it, so a read never mixes items of two writes |
 *
 * The head item also carries `createdAt` (N, epoch ms), `chunks` (N, items in the entry, head
 * included), `encoding` (S: `json`, or `br+json` for Brotli-compressed JSON), and when set `ttl` (N,
 * seconds: the entry is fresh while `now <= createdAt + ttl`, exact to the millisecond), `tags` (SS)
 * and `name` (S).
 *
 * @example
 * const cache = new RuntimeCacheTable(this, 'Cache');
 * cache.grantReadWriteData(fn);
 */
export class RuntimeCacheTable extends RuntimeTableBase {
  /** Partition key attribute: the transformed cache key. */
  static readonly PARTITION_KEY = 'pk';
  /** Sort key attribute: the chunk index (0 = head item). */
  static readonly SORT_KEY = 'sk';
  /** TTL attribute (epoch seconds). */
  static readonly TTL_ATTRIBUTE = 'expiresAt';

  constructor(scope: Construct, id: string, props: RuntimeCacheTableProps = {}) {
    super(
      scope,
      id,
      {
        partitionKey: { name: RuntimeCacheTable.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
        sortKey: { name: RuntimeCacheTable.SORT_KEY, type: dynamodb.AttributeType.NUMBER },
        timeToLiveAttribute: RuntimeCacheTable.TTL_ATTRIBUTE,
      },
      props,
    );
  }
}
