// The item layout of the cache and tag tables, as lib/runtime-cache-table.ts and lib/tag-table.ts
// document it. The runtime never imports lib/, so the key attribute names are repeated here and
// test/runtime/cache/dynamodb-schema.test.ts keeps them equal to the constructs' statics.

/** Attributes of the cache table (RuntimeCacheTable). One entry = a head item (sk 0) + chunks 1..n-1. */
export const CACHE_ITEM = {
  /** S, partition key: the transformed cache key. */
  partitionKey: 'pk',
  /** N, sort key: the chunk index, 0 = head item. */
  sortKey: 'sk',
  /** N, the table's TTL attribute: epoch seconds, rounded up. Head and chunks carry it. */
  expiresAt: 'expiresAt',
  /** B, on every item: its slice of the encoded value. */
  value: 'value',
  /** S, on every item: the write's random id, so a read never mixes the items of two writes. */
  writeId: 'writeId',
  /** N, head: items in the entry, head included. */
  chunks: 'chunks',
  /** S, head: `json` or `br+json`. */
  encoding: 'encoding',
  /** N, head: epoch milliseconds of the write. */
  createdAt: 'createdAt',
  /** N, head: the ttl in seconds (freshness is `createdAt + ttl`, exact to the millisecond). */
  ttl: 'ttl',
  /** SS, head: the entry's tags (absent when none). */
  tags: 'tags',
  /** S, head: the entry's name (absent when none). */
  name: 'name',
} as const;

/** Attributes and key format of the tag table's expiry rows (TagTable). */
export const TAG_EXPIRY_ITEM = {
  /** S, partition key: `tag#<tag>`. */
  partitionKey: 'pk',
  /** S, sort key: always `expired`. */
  sortKey: 'sk',
  /** N: epoch milliseconds of the tag's latest `expireTag`. */
  expiredAt: 'expiredAt',
  /** Partition key prefix; keeps user tags apart from the table's other row kinds. */
  partitionPrefix: 'tag#',
  /** The sort key value of every expiry row. */
  sortKeyValue: 'expired',
} as const;

/** DynamoDB's item size limit (400 KB), attribute names included. */
// Literals, not `400 * 1024`: esbuild keeps computed constants in bundles that do not use them.
export const DYNAMODB_MAX_ITEM_BYTES = 409_600; // 400 KB

/**
 * Value bytes per chunk item: 350 KB leaves room under the item limit for the key and attributes,
 * and a 2 MB value fits in 6 chunks — well inside TransactWriteItems' 100 actions and 4 MB.
 */
export const DYNAMODB_CHUNK_VALUE_BYTES = 358_400; // 350 KB
