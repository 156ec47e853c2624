import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InMemoryCache } from '../../../runtime/cache/in-memory-cache';
import type { RuntimeCache } from '../../../runtime/cache/types';
import { MAX_VALUE_BYTES } from '../../../runtime/cache/validation';
import { InvalidCacheKeyError } from '../../../runtime/errors';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { testCache, useDynamoDBEndpoint } from './dynamodb-env';

// The in-memory fallback (local development) must reject and skip what the deployed cache
// (DynamoDB, here DynamoDB Local) rejects and skips: each case runs against both.

let restoreEnv: () => void;
beforeAll(() => {
  restoreEnv = useDynamoDBEndpoint(dynamoDBLocalEndpoint());
});
afterAll(() => restoreEnv());

const clients: DynamoDBClient[] = [];
let warn: jest.SpyInstance;
beforeEach(() => {
  warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => {
  jest.restoreAllMocks();
  for (const client of clients.splice(0)) client.destroy();
});

const backends: [string, () => Promise<RuntimeCache>][] = [
  ['InMemoryCache', async () => new InMemoryCache()],
  [
    'DynamoDBRuntimeCache',
    async () => {
      const { cache, client } = testCache(await createTestRuntimeTables());
      clients.push(client);
      return cache;
    },
  ],
];

/** A JSON string value whose serialized form is exactly `bytes` long. */
function jsonOfBytes(bytes: number): string {
  return 'x'.repeat(bytes - 2);
}

describe.each(backends)('%s', (_name, create) => {
  test('does not cache a value over 2 MB, warns, and drops the older entry', async () => {
    const cache = await create();
    await cache.set('k', 'previous');
    await expect(cache.set('k', jsonOfBytes(3_000_000), { name: 'report' })).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      "[vercel-functions-aws] Runtime Cache: 'report' was not cached: its JSON is 3000000 bytes, over the 2 MB (2097152 bytes) item limit",
    );
    expect(await cache.get('k')).toBeNull();
  });

  test('caches a value of exactly 2 MB', async () => {
    const cache = await create();
    const value = jsonOfBytes(MAX_VALUE_BYTES);
    await cache.set('k', value);
    expect(await cache.get('k')).toBe(value);
    expect(warn).not.toHaveBeenCalled();
  });

  test('counts the limit in UTF-8 bytes when given non-ASCII text', async () => {
    const cache = await create();
    // 700,000 three-byte characters: 2,100,002 bytes of JSON, far fewer UTF-16 code units.
    await cache.set('k', '€'.repeat(700_000));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('its JSON is 2100002 bytes'));
    expect(await cache.get('k')).toBeNull();
  });

  test.each([
    ['get', (cache: RuntimeCache, key: string) => cache.get(key)],
    ['set', (cache: RuntimeCache, key: string) => cache.set(key, 1)],
    ['delete', (cache: RuntimeCache, key: string) => cache.delete(key)],
  ])('rejects %s when given a key over 2048 bytes or an empty key', async (_op, operation) => {
    const cache = await create();
    const long = operation(cache, `ns$${'k'.repeat(3000)}`);
    await expect(long).rejects.toBeInstanceOf(InvalidCacheKeyError);
    await expect(long).rejects.toThrow(
      /is 3003 bytes after namespacing and hashing; the limit is 2048 bytes/,
    );
    await expect(operation(cache, '')).rejects.toThrow(/cache key must be a non-empty string/);
  });

  test.each([
    ['get', (cache: RuntimeCache, key: string) => cache.get(key)],
    ['set', (cache: RuntimeCache, key: string) => cache.set(key, 1)],
    ['delete', (cache: RuntimeCache, key: string) => cache.delete(key)],
  ])('rejects %s when given a key with a lone surrogate', async (_op, operation) => {
    const cache = await create();
    // DynamoDB stores a lone surrogate as U+FFFD, so '\uD800x' and '\uDC00x' would be one key there.
    for (const key of ['\uD800x', 'x\uDC00', 'ns$\uDBFF']) {
      const attempt = operation(cache, key);
      await expect(attempt).rejects.toBeInstanceOf(InvalidCacheKeyError);
      await expect(attempt).rejects.toThrow(/is not well-formed Unicode \(a lone surrogate\)/);
    }
  });

  test('keeps keys apart and accepts them when given well-formed surrogate pairs', async () => {
    const cache = await create();
    await cache.set('k\u{1F600}', 'grinning');
    await cache.set('k\u{1F601}', 'beaming');
    expect([await cache.get('k\u{1F600}'), await cache.get('k\u{1F601}')]).toEqual(['grinning', 'beaming']);
  });

  test('names the entry by at most 256 bytes of its name when a value over 2 MB is skipped', async () => {
    const cache = await create();
    await cache.set('k', jsonOfBytes(3_000_000), { name: 'n'.repeat(450_000) });
    expect(warn).toHaveBeenCalledTimes(1);
    const [message] = warn.mock.calls[0] as [string];
    expect(message).toContain(`'${'n'.repeat(253)}…' was not cached: its JSON is 3000000 bytes`);
    expect(message.length).toBeLessThan(400);
  });
});
