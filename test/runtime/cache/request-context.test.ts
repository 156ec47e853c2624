import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { getCache as upstreamGetCache } from '@vercel/functions';
import { getCache } from '../../../runtime/cache';
import { CACHE_UNAVAILABLE_WARNING, tableBackedCache } from '../../../runtime/cache/backend';
import { DynamoDBRuntimeCache } from '../../../runtime/cache/dynamodb-cache';
import { resetDynamoDBClient } from '../../../runtime/cache/dynamodb-client';
import { defaultKeyHashFunction } from '../../../runtime/cache/hash';
import { CACHE_TABLE_ENV, TAG_TABLE_ENV } from '../../../runtime/constructs-contract';
import { getContext } from '../../../runtime/get-context';
import { Awaiter } from '../../../runtime/handler/awaiter';
import { RequestContext, runWithRequestContext } from '../../../runtime/handler/request-context';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { rawItems, useDynamoDBEndpoint } from './dynamodb-env';
// What the generated entry of a function bundling the real package imports: the real package
// reaches the cache only through the request context.
import '../../../runtime/context-services';

// getCache() — ours and the REAL @vercel/functions 3.9.9 — on DynamoDB Local through the request
// context the adapter publishes, with the table names the constructs set.

let restoreEndpoint: () => void;
let tables: { cacheTableName: string; tagTableName: string };
let raw: DynamoDBClient;
let warn: jest.SpyInstance;

function request<T>(fn: () => Promise<T>): Promise<T> {
  const context = new RequestContext({
    requestId: 'req',
    headers: {},
    deadline: Date.now() + 30_000,
    awaiter: new Awaiter(() => {}),
  });
  return runWithRequestContext(context, fn);
}

beforeAll(() => {
  restoreEndpoint = useDynamoDBEndpoint(dynamoDBLocalEndpoint());
  raw = new DynamoDBClient({});
});
afterAll(async () => {
  raw.destroy();
  restoreEndpoint();
});

beforeEach(async () => {
  tables = await createTestRuntimeTables();
  process.env[CACHE_TABLE_ENV] = tables.cacheTableName;
  process.env[TAG_TABLE_ENV] = tables.tagTableName;
  warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(async () => {
  delete process.env[CACHE_TABLE_ENV];
  delete process.env[TAG_TABLE_ENV];
  jest.restoreAllMocks();
  await resetDynamoDBClient();
});

describe('getCache on DynamoDB', () => {
  test('stores entries of the real package in the cache table under upstream keys', async () => {
    await request(() => upstreamGetCache().set('key', { v: 1 }, { tags: ['t'], ttl: 60 }));
    const [head] = await rawItems(raw, tables.cacheTableName, 'b876d32');
    expect(head).toMatchObject({
      pk: { S: 'b876d32' },
      name: { S: 'key' },
      tags: { SS: ['t'] },
      ttl: { N: '60' },
    });
    expect(await request(() => getCache().get('key'))).toEqual({ v: 1 });
    expect(warn).not.toHaveBeenCalledWith(CACHE_UNAVAILABLE_WARNING);
  });

  test('shares entries and tags between the real package and the runtime, across namespaces', async () => {
    await request(() => getCache({ namespace: 'blog' }).set('posts', ['a'], { tags: ['blog'] }));
    expect(
      await rawItems(raw, tables.cacheTableName, `blog$${defaultKeyHashFunction('posts')}`),
    ).toHaveLength(1);
    expect(await request(() => upstreamGetCache({ namespace: 'blog' }).get('posts'))).toEqual(['a']);
    await request(() => upstreamGetCache().expireTag('blog'));
    expect(await request(() => getCache({ namespace: 'blog' }).get('posts'))).toBeNull();
  });

  test('keeps working when the cache object is held across requests', async () => {
    const ours = getCache();
    const theirs = upstreamGetCache();
    await request(() => theirs.set('held', 1));
    expect(await request(() => ours.get('held'))).toBe(1);
    await request(() => ours.set('held', 2));
    expect(await request(() => theirs.get('held'))).toBe(2);
    // Outside a request the runtime's getCache still finds the table through the environment.
    expect(await ours.get('held')).toBe(2);
  });

  test('publishes one process-wide cache in every request context', async () => {
    // getContext() reads the global the real package reads.
    const [first, second] = await Promise.all([
      request(async () => getContext().cache),
      request(async () => getContext().cache),
    ]);
    expect(first).toBeInstanceOf(DynamoDBRuntimeCache);
    expect(second).toBe(first);
  });

  test('publishes no cache on Lambda, so upstream falls back to memory, when the function has no cache table', async () => {
    delete process.env[CACHE_TABLE_ENV];
    // On Lambda (outside it, npm start shares the process's in-memory cache: backend.test.ts).
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'fn';
    try {
      const context = new RequestContext({
        requestId: 'req',
        headers: {},
        deadline: Date.now() + 30_000,
        awaiter: new Awaiter(() => {}),
      });
      expect(context.vercelContext.cache).toBeUndefined();
      expect(tableBackedCache()).toBeUndefined();
    } finally {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    }
  });

  test('logs once and still caches values when only the cache table is configured', async () => {
    delete process.env[TAG_TABLE_ENV];
    const error = jest.spyOn(console, 'error').mockImplementation(() => {});
    await request(() => getCache().set('k', 1, { tags: ['t'] }));
    expect(await request(() => getCache().get('k'))).toBe(1);
    expect(
      error.mock.calls.filter((call) => String(call[0]).includes(`${TAG_TABLE_ENV} is not`)),
    ).toHaveLength(1);
  });
});
