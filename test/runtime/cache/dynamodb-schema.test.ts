import { RuntimeCacheTable } from '../../../lib/runtime-cache-table';
import { TagTable } from '../../../lib/tag-table';
import { CACHE_ITEM, TAG_EXPIRY_ITEM } from '../../../runtime/cache/dynamodb-schema';

describe('dynamodb-schema', () => {
  test('uses the key and TTL attribute names the constructs declare', () => {
    expect([CACHE_ITEM.partitionKey, CACHE_ITEM.sortKey, CACHE_ITEM.expiresAt]).toEqual([
      RuntimeCacheTable.PARTITION_KEY,
      RuntimeCacheTable.SORT_KEY,
      RuntimeCacheTable.TTL_ATTRIBUTE,
    ]);
    expect([TAG_EXPIRY_ITEM.partitionKey, TAG_EXPIRY_ITEM.sortKey]).toEqual([
      TagTable.PARTITION_KEY,
      TagTable.SORT_KEY,
    ]);
  });
});
