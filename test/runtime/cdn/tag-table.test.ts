import {
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { localDynamoDBClient } from '../../../lib/local/dynamodb-local';
import { MAX_PATH_SORT_KEY_BYTES, overflowSortKey } from '../../../runtime/cdn/overflow-rows';
import { PENDING_RETENTION_MS, pendingExpiry, TagTableStore } from '../../../runtime/cdn/tag-table';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';

// The tag table's overflow rows in DynamoDB Local: keys of long paths, rows an earlier version
// wrote, and the consistency of the reads an invalidation depends on.

const client = localDynamoDBClient(dynamoDBLocalEndpoint());
// Every command the store sends, in order, before DynamoDB Local answers it.
const sent: { name: string; input: Record<string, unknown> }[] = [];
const recording = {
  send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    sent.push({ name: command.constructor.name, input: command.input });
    return client.send(command as never);
  },
} as unknown as DynamoDBClient;

let tableName: string;
let store: TagTableStore;

beforeEach(async () => {
  tableName = (await createTestRuntimeTables()).tagTableName;
  store = new TagTableStore(tableName, async () => recording);
  sent.length = 0;
});
afterAll(() => client.destroy());

// The review's case: a page whose query string alone is 1,100 characters.
const LONG_PATH = `/page?q=${'a'.repeat(1100)}`;

async function row(tag: string, sk: string) {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { pk: { S: `cdn-tag#${tag}` }, sk: { S: sk } } }),
  );
  return Item;
}

describe('TagTableStore overflow rows', () => {
  test('records, finds and forgets a path longer than a sort key may be, keyed by its hash', async () => {
    await store.recordOverflow(['long'], LONG_PATH, 600);
    const sk = overflowSortKey(LONG_PATH);
    expect(sk).toMatch(/^path#sha256:[0-9a-f]{64}$/);
    expect((await row('long', sk))?.path).toEqual({ S: LONG_PATH });
    expect(await store.tagsWithPaths(['long'])).toEqual(['long']);

    const [found] = await store.overflowPaths('long');
    expect(found).toMatchObject({ tag: 'long', path: LONG_PATH });
    await store.forgetOverflow(found);
    expect(await store.overflowPaths('long')).toEqual([]);
  });

  test('keeps a path of up to 1,019 bytes in the sort key itself, without a path attribute', async () => {
    const longest = `/${'b'.repeat(MAX_PATH_SORT_KEY_BYTES - 1)}`;
    const tooLong = `${longest}c`;
    await store.recordOverflow(['edge'], longest, 600);
    await store.recordOverflow(['edge'], tooLong, 600);
    expect(overflowSortKey(longest)).toBe(`path#${longest}`);
    expect(Buffer.byteLength(overflowSortKey(longest))).toBe(1024);
    expect((await row('edge', `path#${longest}`))?.path).toBeUndefined();
    expect(overflowSortKey(tooLong)).toMatch(/^path#sha256:/);
    expect((await store.overflowPaths('edge')).map((entry) => entry.path).sort()).toEqual([longest, tooLong]);
  });

  test('measures the limit in UTF-8 bytes when a path holds characters beyond ASCII', () => {
    const path = `/${'é'.repeat(600)}`;
    expect(path.length).toBeLessThan(MAX_PATH_SORT_KEY_BYTES);
    expect(overflowSortKey(path)).toMatch(/^path#sha256:/);
  });

  test('finds and forgets a row an earlier version wrote, whose sort key is the path itself', async () => {
    const writtenAt = Date.now();
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: 'cdn-tag#legacy' },
          sk: { S: 'path#/api/products?page=2' },
          writtenAt: { N: String(writtenAt) },
          expiresAt: { N: String(Math.ceil(writtenAt / 1000) + 600) },
        },
      }),
    );
    const [found] = await store.overflowPaths('legacy');
    expect(found).toEqual({ tag: 'legacy', path: '/api/products?page=2', writtenAt });
    await store.forgetOverflow(found);
    expect(await row('legacy', 'path#/api/products?page=2')).toBeUndefined();
  });

  test('reads the markers and the paths with strongly consistent reads', async () => {
    await store.recordOverflow(['fresh'], '/fresh', 600);
    sent.length = 0;
    expect(await store.tagsWithPaths(['fresh', 'other'])).toEqual(['fresh']);
    expect(await store.overflowPaths('fresh')).toMatchObject([{ path: '/fresh' }]);

    expect(sent.map(({ name }) => name)).toEqual([BatchGetItemCommand.name, QueryCommand.name]);
    const [batchGet, query] = sent.map(({ input }) => input);
    expect(
      (batchGet.RequestItems as Record<string, { ConsistentRead?: boolean }>)[tableName].ConsistentRead,
    ).toBe(true);
    expect(query.ConsistentRead).toBe(true);
  });
});

describe('TagTableStore pending invalidations', () => {
  const pending = (distributionId: string, callerReference: string, notBefore: number) => ({
    distributionId,
    items: [`#${callerReference}`],
    callerReference,
    expanded: true,
    notBefore,
  });

  test('returns only the given distribution when asked for one', async () => {
    const now = Date.now();
    await store.schedule(pending('E1MINE', 'a', now - 10));
    await store.schedule(pending('E2THEIRS', 'b', now - 5));
    expect((await store.duePending(now, 10)).map((row) => row.distributionId)).toEqual([
      'E1MINE',
      'E2THEIRS',
    ]);
    expect(await store.duePending(now, 10, 'E2THEIRS')).toMatchObject([{ callerReference: 'b' }]);
  });

  test('counts attempts and refusals apart and starts them from the values a split row carries', async () => {
    const now = Date.now();
    const row = await store.schedule({ ...pending('E1MINE', 'c', now - 10), attempts: 3, refusals: 1 });
    expect(row).toMatchObject({ attempts: 3, refusals: 1 });
    await store.recordFailure(row, now - 1, 'refusals');
    await store.recordFailure(row, now - 1);
    expect(await store.duePending(now, 10)).toMatchObject([
      { attempts: 4, refusals: 2, retryAfter: now - 1 },
    ]);
  });

  test('reads 0 refusals and counts from there when a row was written before refusals existed', async () => {
    const now = Date.now();
    const row = await store.schedule(pending('E1MINE', 'old', now - 10));
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'invalidation#pending' }, sk: { S: row.key } },
        UpdateExpression: 'REMOVE refusals',
      }),
    );
    expect(await store.duePending(now, 10)).toMatchObject([{ refusals: 0 }]);
    await store.recordFailure(row, now - 1, 'refusals');
    expect(await store.duePending(now, 10)).toMatchObject([{ refusals: 1 }]);
  });

  test('sets the TTL 7 days after the not-before time', async () => {
    const notBefore = Date.now();
    const row = await store.schedule(pending('E1MINE', 'ttl', notBefore));
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'invalidation#pending' }, sk: { S: row.key } },
      }),
    );
    expect(Number(Item?.expiresAt.N) * 1000).toBe(pendingExpiry(row));
    expect(pendingExpiry(row) - notBefore).toBeGreaterThanOrEqual(PENDING_RETENTION_MS);
  });
});
