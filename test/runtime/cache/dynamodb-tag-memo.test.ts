import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBRuntimeCache } from '../../../runtime/cache/dynamodb-cache';
import { InvalidCacheOptionError } from '../../../runtime/errors';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { testCache, useDynamoDBEndpoint } from './dynamodb-env';

// The per-process memo of tag expiry rows (`tagExpiryMemoMs`) against official DynamoDB Local. Two
// cache instances with separate memos and one injected clock stand for two processes.

let restoreEnv: () => void;
beforeAll(() => {
  restoreEnv = useDynamoDBEndpoint(dynamoDBLocalEndpoint());
});
afterAll(() => restoreEnv());

let tables: { cacheTableName: string; tagTableName: string };
const clients: DynamoDBClient[] = [];

beforeEach(async () => {
  tables = await createTestRuntimeTables();
});
afterEach(() => {
  jest.restoreAllMocks();
  for (const client of clients.splice(0)) client.destroy();
});

function setup(options: Parameters<typeof testCache>[1] = {}) {
  const result = testCache(tables, options);
  clients.push(result.client);
  return result;
}

/**
 * Holds the client's next BatchGetItem response after DynamoDB has answered it: `answered` resolves
 * once the rows were read, and the read completes only after `release()`.
 */
function holdNextBatchGet(client: DynamoDBClient) {
  let markAnswered!: () => void;
  let release!: () => void;
  const answered = new Promise<void>((resolve) => {
    markAnswered = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'BatchGetItemCommand' && !held) {
        held = true;
        markAnswered();
        await released;
      }
      return result;
    },
    { step: 'deserialize', name: 'holdNextBatchGet' },
  );
  return { answered, release };
}

describe('DynamoDBRuntimeCache tag expiry memo', () => {
  test('misses at once when this process expired the tag while the memo trusted it', async () => {
    const { cache, clock, requests } = setup();
    await cache.set('k', 'v', { tags: ['t'] });
    expect(await cache.get('k')).toBe('v');
    clock.now += 1;
    await cache.expireTag('t');
    requests.length = 0;
    expect(await cache.get('k')).toBeNull();
    // Decided from the memo the expireTag updated, without reading the tag row.
    expect(requests).toEqual(['GetItemCommand']);
  });

  test('hits before the bound and misses from the bound on when another process expired the tag', async () => {
    const a = setup();
    const b = setup({ now: () => a.clock.now });
    await a.cache.set('k', 'v', { tags: ['t'] });
    const learntAt = a.clock.now;
    expect(await a.cache.get('k')).toBe('v');
    a.clock.now += 1;
    await b.cache.expireTag('t');
    expect(await b.cache.get('k')).toBeNull();

    a.requests.length = 0;
    a.clock.now = learntAt + 299;
    expect(await a.cache.get('k')).toBe('v');
    expect(a.requests).toEqual(['GetItemCommand']);
    a.clock.now = learntAt + 300;
    expect(await a.cache.get('k')).toBeNull();
    expect(a.requests).toEqual(['GetItemCommand', 'BatchGetItemCommand']);
  });

  test('honours a shorter bound when given tagExpiryMemoMs', async () => {
    const a = setup({ tagExpiryMemoMs: 50 });
    const b = setup({ now: () => a.clock.now });
    await a.cache.set('k', 'v', { tags: ['t'] });
    expect(await a.cache.get('k')).toBe('v');
    a.clock.now += 1;
    await b.cache.expireTag('t');
    a.clock.now += 48;
    expect(await a.cache.get('k')).toBe('v');
    a.clock.now += 1;
    expect(await a.cache.get('k')).toBeNull();
  });

  test('trusts tags learnt from another key when an entry is read for the first time', async () => {
    const { cache, requests } = setup();
    await cache.set('a', 1, { tags: ['shared'] });
    await cache.set('b', 2, { tags: ['shared'] });
    const reader = setup();
    expect(await reader.cache.get('a')).toBe(1);
    reader.requests.length = 0;
    expect(await reader.cache.get('b')).toBe(2);
    expect(reader.requests).toEqual(['GetItemCommand']);
    expect(requests.length).toBeGreaterThan(0);
  });

  test('keeps the newer expiry when a read that fetched the tag row before this process expired it completes after', async () => {
    const { cache, client, clock, requests } = setup();
    await cache.set('k', 'v', { tags: ['t'] });
    clock.now += 1;
    const { answered, release } = holdNextBatchGet(client);
    // The writer remembers the key's tags, so this read fetches the tag row: not expired yet.
    const inFlight = cache.get('k');
    await answered;
    await cache.expireTag('t');
    release();
    // The read started before expireTag resolved; it still sees the newer expiry in the memo.
    expect(await inFlight).toBeNull();
    requests.length = 0;
    expect(await cache.get('k')).toBeNull();
    expect(requests).toEqual(['GetItemCommand']);
  });

  test('reads the tag rows on every hit when given tagExpiryMemoMs 0', async () => {
    const { cache, clock, requests } = setup({ tagExpiryMemoMs: 0 });
    await cache.set('k', 'v', { tags: ['t1', 't2'] });
    requests.length = 0;
    for (let i = 0; i < 3; i++) expect(await cache.get('k')).toBe('v');
    expect(requests).toEqual(Array(3).fill('BatchGetItemCommand'));
    clock.now += 1;
    await cache.expireTag('t2');
    expect(await cache.get('k')).toBeNull();
  });

  test('reads an untagged one-item entry with one GetItem', async () => {
    const { cache, requests } = setup();
    await cache.set('k', 'v');
    requests.length = 0;
    expect(await cache.get('k')).toBe('v');
    expect(await cache.get('k')).toBe('v');
    expect(requests).toEqual(['GetItemCommand', 'GetItemCommand']);
  });

  test.each([
    ['a negative number', -1, /got -1/],
    ['NaN', Number.NaN, /got NaN/],
    ['Infinity', Number.POSITIVE_INFINITY, /got Infinity/],
    ['a string', '300', /got "300"/],
  ])('throws naming the option when given %s for tagExpiryMemoMs', (_label, value, received) => {
    const create = () => new DynamoDBRuntimeCache({ ...tables, tagExpiryMemoMs: value as number });
    expect(create).toThrow(InvalidCacheOptionError);
    expect(create).toThrow(/tagExpiryMemoMs must be a finite number of milliseconds >= 0/);
    expect(create).toThrow(received);
  });

  test('sets its name when the option error is thrown', () => {
    const error = new InvalidCacheOptionError('m', { cause: new Error('root') });
    expect(error.name).toBe('InvalidCacheOptionError');
    expect(String(error)).toBe('InvalidCacheOptionError: m');
    expect(error.cause).toEqual(new Error('root'));
  });
});
