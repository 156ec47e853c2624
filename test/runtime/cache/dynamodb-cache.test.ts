import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { READ_YOUR_WRITES_WINDOW_MS } from '../../../runtime/cache/recent-writes';
import { MAX_VALUE_BYTES } from '../../../runtime/cache/validation';
import {
  InvalidCacheKeyError,
  InvalidCacheTagError,
  InvalidCacheTtlError,
  TooManyCacheTagsError,
  UnserializableCacheValueError,
} from '../../../runtime/errors';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { cloneItem, rawItems, rawTagRow, testCache, useDynamoDBEndpoint } from './dynamodb-env';

// The DynamoDB-backed Runtime Cache against official DynamoDB Local (started once by jest's
// globalSetup); every test gets fresh tables.

let restoreEnv: () => void;
beforeAll(() => {
  restoreEnv = useDynamoDBEndpoint(dynamoDBLocalEndpoint());
});
afterAll(() => restoreEnv());

let tables: { cacheTableName: string; tagTableName: string };
const clients: DynamoDBClient[] = [];
let error: jest.SpyInstance;
let warn: jest.SpyInstance;

beforeEach(async () => {
  tables = await createTestRuntimeTables();
  error = jest.spyOn(console, 'error').mockImplementation(() => {});
  warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
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

/** A JSON string value whose serialized form is exactly `bytes` long and does not compress. */
function incompressibleJson(bytes: number): string {
  return randomBytes(bytes)
    .toString('base64')
    .slice(0, bytes - 2);
}

describe('DynamoDBRuntimeCache', () => {
  test.each([
    ['a string', 'hello'],
    ['an object', { a: 1, b: { c: [1, 2] } }],
    ['an array', [1, 'two', { three: 3 }]],
    ['null', null],
    ['zero', 0],
    ['false', false],
    ['non-ASCII text', 'São Paulo ▲ 🇧🇷'],
  ])('returns %s that was set', async (_label, value) => {
    const { cache } = setup();
    await cache.set('k', value);
    expect(await cache.get('k')).toEqual(value);
  });

  test('applies JSON semantics when given rich values', async () => {
    const { cache } = setup();
    await cache.set('k', {
      date: new Date('2026-01-02T03:04:05.000Z'),
      gone: undefined,
      list: [1, undefined],
    });
    await cache.set('u', undefined);
    expect(await cache.get('k')).toEqual({ date: '2026-01-02T03:04:05.000Z', list: [1, null] });
    expect(await cache.get('u')).toBeNull();
  });

  test('returns null when the key was never set', async () => {
    const { cache } = setup();
    expect(await cache.get('missing')).toBeNull();
  });

  test('stores the head item in the documented layout when given a small value', async () => {
    const { cache, client, clock } = setup();
    await cache.set('products$b876d32', { v: 1 }, { ttl: 90, tags: ['a', 'b', 'a'], name: 'key' });
    const [head, ...rest] = await rawItems(client, tables.cacheTableName, 'products$b876d32');
    expect(rest).toEqual([]);
    expect(head).toEqual({
      pk: { S: 'products$b876d32' },
      sk: { N: '0' },
      value: { B: new TextEncoder().encode('{"v":1}') },
      writeId: { S: expect.stringMatching(/^[\w-]{12}$/) },
      chunks: { N: '1' },
      encoding: { S: 'json' },
      createdAt: { N: String(clock.now) },
      ttl: { N: '90' },
      expiresAt: { N: String(clock.now / 1000 + 90) },
      tags: { SS: expect.arrayContaining(['a', 'b']) },
      name: { S: 'key' },
    });
    expect(head.tags.SS).toHaveLength(2);
  });

  test('stores no name, tags or expiry when given none, or an empty name', async () => {
    const { cache, client } = setup();
    await cache.set('k', 1, { name: '', ttl: 0, tags: [] });
    const [head] = await rawItems(client, tables.cacheTableName, 'k');
    expect(Object.keys(head).sort()).toEqual([
      'chunks',
      'createdAt',
      'encoding',
      'pk',
      'sk',
      'value',
      'writeId',
    ]);
  });

  test('rounds the TTL attribute up to whole seconds when given a fractional ttl', async () => {
    const { cache, client, clock } = setup();
    clock.now = Date.UTC(2026, 0, 1, 0, 0, 0, 200);
    await cache.set('k', 1, { ttl: 1.5 });
    const [head] = await rawItems(client, tables.cacheTableName, 'k');
    expect(head.ttl).toEqual({ N: '1.5' });
    expect(head.expiresAt).toEqual({ N: String(Date.UTC(2026, 0, 1, 0, 0, 2) / 1000) });
  });

  test('serves an entry up to exactly createdAt + ttl and misses one millisecond later', async () => {
    const { cache, clock } = setup();
    const start = clock.now;
    await cache.set('k', 'v', { ttl: 60 });
    clock.now = start + 60_000;
    expect(await cache.get('k')).toBe('v');
    clock.now = start + 60_001;
    expect(await cache.get('k')).toBeNull();
  });

  test.each([
    ['no ttl', undefined],
    ['ttl 0', 0],
  ])('never expires an entry when given %s', async (_label, ttl) => {
    const { cache, clock } = setup();
    await cache.set('k', 'v', { ttl });
    clock.now += 10 * 365 * 24 * 3600 * 1000;
    expect(await cache.get('k')).toBe('v');
  });

  test('stores no expiry when given a ttl beyond the largest date', async () => {
    const { cache, client, clock } = setup();
    await cache.set('k', 'v', { ttl: 1e300 });
    const [head] = await rawItems(client, tables.cacheTableName, 'k');
    expect(head.expiresAt).toBeUndefined();
    clock.now += 1e12;
    expect(await cache.get('k')).toBe('v');
  });

  test('replaces the value and its tags when a key is set again', async () => {
    const { cache } = setup();
    await cache.set('k', 1, { tags: ['old'] });
    await cache.set('k', 2, { tags: ['new'] });
    await cache.expireTag('old');
    expect(await cache.get('k')).toBe(2);
    await cache.expireTag('new');
    expect(await cache.get('k')).toBeNull();
  });

  test('deletes every item of an entry', async () => {
    const { cache, client } = setup();
    await cache.set('big', incompressibleJson(1_000_000));
    await cache.set('small', 1);
    await cache.delete('big');
    await cache.delete('small');
    await cache.delete('never-set');
    expect(await rawItems(client, tables.cacheTableName, 'big')).toEqual([]);
    expect(await rawItems(client, tables.cacheTableName, 'small')).toEqual([]);
    expect(await cache.get('big')).toBeNull();
  });

  describe('expireTag', () => {
    test('expires every entry carrying the tag, in every namespace, with one write', async () => {
      const { cache, client, clock, requests } = setup();
      await cache.set('a$b876d32', 1, { tags: ['shared'] });
      await cache.set('b$b876d32', 2, { tags: ['shared', 'other'] });
      await cache.set('c', 3, { tags: ['other'] });
      clock.now += 1;
      requests.length = 0;
      await cache.expireTag('shared');
      expect(requests).toEqual(['UpdateItemCommand']);
      expect(await rawTagRow(client, tables.tagTableName, 'shared')).toEqual({
        pk: { S: 'tag#shared' },
        sk: { S: 'expired' },
        expiredAt: { N: String(clock.now) },
      });
      expect([await cache.get('a$b876d32'), await cache.get('b$b876d32'), await cache.get('c')]).toEqual([
        null,
        null,
        3,
      ]);
    });

    test('expires entries carrying any of the tags when given an array', async () => {
      const { cache, clock } = setup();
      await cache.set('a', 1, { tags: ['t1'] });
      await cache.set('b', 2, { tags: ['t2'] });
      await cache.set('c', 3, { tags: ['t3'] });
      clock.now += 1;
      await cache.expireTag(['t1', 't2', 't1']);
      expect([await cache.get('a'), await cache.get('b'), await cache.get('c')]).toEqual([null, null, 3]);
    });

    test('misses when the tag was expired in the same millisecond as the write', async () => {
      const { cache } = setup();
      await cache.set('k', 'v', { tags: ['t'] });
      await cache.expireTag('t');
      expect(await cache.get('k')).toBeNull();
    });

    test('hits when the tag was expired before the write', async () => {
      const { cache, clock } = setup();
      await cache.expireTag('t');
      clock.now += 1;
      await cache.set('k', 'v', { tags: ['t'] });
      expect(await cache.get('k')).toBe('v');
    });

    test('keeps the latest expiry when a tag is expired again', async () => {
      const { cache, clock } = setup();
      await cache.expireTag('t');
      clock.now += 10;
      await cache.set('k', 'v', { tags: ['t'] });
      clock.now += 10;
      await cache.expireTag('t');
      expect(await cache.get('k')).toBeNull();
    });

    test('applies to entries read by another process that remembers the old tags', async () => {
      const writer = setup();
      const reader = setup({ now: () => writer.clock.now });
      await writer.cache.set('k', 1, { tags: ['a'] });
      expect(await reader.cache.get('k')).toBe(1);
      writer.clock.now += 1;
      await writer.cache.set('k', 2, { tags: ['b'] });
      writer.clock.now += 1;
      await writer.cache.expireTag('b');
      expect(await reader.cache.get('k')).toBeNull();
    });

    test('issues the same requests whether 10 or 10,000 entries carry the tag', async () => {
      const { cache, client, clock, requests } = setup();
      // Each entry is written by the cache once, then copied under more keys (as many processes
      // setting the same value would leave it), which is much faster than 10,000 sets.
      const seed = async (prefix: string, count: number, tag: string) => {
        await cache.set(`${prefix}0`, { v: prefix }, { tags: [tag] });
        const [head] = await rawItems(client, tables.cacheTableName, `${prefix}0`);
        const keys = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
        await cloneItem(client, tables.cacheTableName, head, keys.slice(1));
        return keys;
      };
      const few = await seed('few-', 10, 'few');
      const many = await seed('many-', 10_000, 'many');
      clock.now += 1;

      requests.length = 0;
      await cache.expireTag('few');
      const forFew = [...requests];
      requests.length = 0;
      await cache.expireTag('many');
      const forMany = [...requests];

      expect(forFew).toEqual(['UpdateItemCommand']);
      expect(forMany).toEqual(forFew);
      const sample = [...few, ...many.filter((_, i) => i % 500 === 0 || i === many.length - 1)];
      expect(await setup().cache.get(many[many.length - 1])).toBeNull();
      const values = await Promise.all(sample.map((key) => cache.get(key)));
      expect(values.map((v, i) => [sample[i], v]).filter(([, v]) => v !== null)).toEqual([]);
    });

    test('writes one row per tag, at most 25 at a time, when given many tags', async () => {
      const { cache, client, clock, requests } = setup();
      let inFlight = 0;
      let mostInFlight = 0;
      client.middlewareStack.add(
        (next) => async (args) => {
          mostInFlight = Math.max(mostInFlight, ++inFlight);
          try {
            return await next(args);
          } finally {
            inFlight--;
          }
        },
        { step: 'initialize', name: 'countInFlight' },
      );
      const tags = Array.from({ length: 60 }, (_, i) => `tag-${i}`);
      await cache.expireTag(tags);
      expect(requests).toEqual(Array(60).fill('UpdateItemCommand'));
      expect(mostInFlight).toBeGreaterThan(1);
      expect(mostInFlight).toBeLessThanOrEqual(25);
      for (const tag of ['tag-0', 'tag-59']) {
        expect(await rawTagRow(client, tables.tagTableName, tag)).toMatchObject({
          expiredAt: { N: String(clock.now) },
        });
      }
    });

    test('expires every tagged entry when given 2,000 distinct tags in one call', async () => {
      // A budget no machine runs out of: what is tested is that every tag is written, not how fast.
      const { cache, client, clock } = setup({ timeouts: { expireTagPerTag: 50, expireTagMax: 600_000 } });
      const tags = Array.from({ length: 2000 }, (_, i) => `product-${i}`);
      const sampled = [0, 1, 499, 999, 1000, 1500, 1998, 1999];
      await cache.set('seed', { v: 1 }, { tags: ['product-0'] });
      const [head] = await rawItems(client, tables.cacheTableName, 'seed');
      // One entry per sampled tag, written as the cache writes them (the seed's item, re-tagged).
      for (const i of sampled) {
        await cloneItem(client, tables.cacheTableName, { ...head, tags: { SS: [tags[i]] } }, [`entry-${i}`]);
      }
      await cache.set('untagged-by-call', 'kept', { tags: ['other'] });
      clock.now += 1;

      await cache.expireTag(tags);

      expect(error).not.toHaveBeenCalled();
      // A reader with its own memo reads every tag row.
      const reader = setup({ now: () => clock.now });
      const values = await Promise.all(sampled.map((i) => reader.cache.get(`entry-${i}`)));
      expect(values).toEqual(sampled.map(() => null));
      expect(await reader.cache.get('untagged-by-call')).toBe('kept');
      for (const tag of ['product-0', 'product-1999']) {
        expect(await rawTagRow(client, tables.tagTableName, tag)).toMatchObject({
          expiredAt: { N: String(clock.now) },
        });
      }
    });

    test('emits no MaxListenersExceededWarning when given 30 tags and AbortSignals warn past 10 listeners', async () => {
      // In a child process: Node emits the warning on the real `process`, which jest's sandbox hides.
      // Node 24 lets an AbortSignal have any number of listeners; Node 20 (npm start on an older
      // machine) warns past 10, which this child restores for the signals the cache creates.
      const script = `
        const { setMaxListeners } = require('node:events');
        const timeout = AbortSignal.timeout.bind(AbortSignal);
        AbortSignal.timeout = (ms) => {
          const signal = timeout(ms);
          setMaxListeners(10, signal);
          return signal;
        };
        const { DynamoDBRuntimeCache } = require('./runtime/cache/dynamodb-cache');
        const cache = new DynamoDBRuntimeCache(${JSON.stringify(tables)});
        (async () => {
          for (let call = 0; call < 3; call++) {
            await cache.expireTag(Array.from({ length: 30 }, (_, i) => 'c' + call + '-' + i));
          }
          console.log('done');
        })();
      `;
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '-e', script],
        // jest's process.env is its own copy: pass the DynamoDB Local settings on explicitly.
        { cwd: join(__dirname, '../../..'), env: { ...process.env }, timeout: 60_000 },
      );
      expect(stdout.trim()).toBe('done');
      expect(stderr).not.toContain('MaxListenersExceededWarning');
      expect(stderr).toBe('');
    });

    test('writes a tag once when the call repeats it', async () => {
      const { cache, client, clock, requests } = setup();
      const tags = ['a', 'b', 'a', 'c', 'b', 'a', ...Array(100).fill('c')];
      await cache.expireTag(tags);
      expect(requests).toEqual(Array(3).fill('UpdateItemCommand'));
      for (const tag of ['a', 'b', 'c']) {
        expect(await rawTagRow(client, tables.tagTableName, tag)).toMatchObject({
          expiredAt: { N: String(clock.now) },
        });
      }
    });

    test('logs the count and first tags left unwritten, and does not remember them, when the budget runs out', async () => {
      const { cache, client, clock } = setup({ timeouts: { expireTag: 1, expireTagPerTag: 0 } });
      const tags = Array.from({ length: 2000 }, (_, i) => `t-${i}`);
      await cache.set('first', 1, { tags: ['t-0'] });
      await cache.set('last', 2, { tags: ['t-1999'] });
      // Read once: the memo now trusts both tags as never expired for the next 300 ms.
      expect([await cache.get('first'), await cache.get('last')]).toEqual([1, 2]);
      clock.now += 1;

      await expect(cache.expireTag(tags)).resolves.toBeUndefined();

      expect(error).toHaveBeenCalledTimes(1);
      const [message, reason] = error.mock.calls[0];
      const [, lost] = /did not expire (\d+) of 2000 tag\(s\)/.exec(message) ?? [];
      expect(Number(lost)).toBeGreaterThan(0);
      expect(message).toContain('"t-');
      expect(message).toMatch(
        new RegExp(`and ${Number(lost) - 5} more\\); entries carrying them may still be served`),
      );
      expect(reason).toBe('its 1 ms budget ran out');
      // 2,000 writes cannot complete within 1 ms, so the last tag was never written.
      expect(await rawTagRow(client, tables.tagTableName, 't-1999')).toBeUndefined();
      // Still a hit: the memo was not told the unwritten tag expired (nor could the store be).
      expect(await cache.get('last')).toBe(2);
      // Whatever the memo holds for the first tag, it holds only because the row was written.
      if ((await cache.get('first')) === null) {
        expect(await rawTagRow(client, tables.tagTableName, 't-0')).toBeDefined();
      }
    });

    test('remembers the tags it wrote and not the ones it could not when a write fails midway', async () => {
      const { cache, client, clock } = setup();
      // The store refuses one tag's write (as an access policy scoped to some rows would).
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const input = (args as { input?: { Key?: { pk?: { S?: string } } } }).input;
          if (context.commandName === 'UpdateItemCommand' && input?.Key?.pk?.S === 'tag#refused') {
            throw Object.assign(new Error('not authorized to perform: dynamodb:UpdateItem'), {
              name: 'AccessDeniedException',
              $metadata: { httpStatusCode: 400 },
            });
          }
          return next(args);
        },
        { step: 'initialize', name: 'refuseOneTag' },
      );
      await cache.set('written', 1, { tags: ['ok'] });
      await cache.set('refused', 2, { tags: ['refused'] });
      expect([await cache.get('written'), await cache.get('refused')]).toEqual([1, 2]);
      clock.now += 1;

      await cache.expireTag(['ok', 'refused']);

      expect(error).toHaveBeenCalledWith(
        expect.stringContaining('expireTag did not expire 1 of 2 tag(s) ("refused")'),
        'AccessDeniedException: not authorized to perform: dynamodb:UpdateItem',
      );
      // Within the memo's 300 ms: decided by what this process remembers.
      expect([await cache.get('written'), await cache.get('refused')]).toEqual([null, 2]);
    });

    test('keeps the later expiry when an expireTag with an earlier time writes last', async () => {
      const later = setup();
      const earlier = setup({ now: () => later.clock.now - 100 });
      await later.cache.set('k', 'v', { tags: ['t'] });
      later.clock.now += 10;
      await later.cache.expireTag('t');
      await earlier.cache.expireTag('t');
      expect(await rawTagRow(later.client, tables.tagTableName, 't')).toMatchObject({
        expiredAt: { N: String(later.clock.now) },
      });
      expect(await setup({ now: () => later.clock.now }).cache.get('k')).toBeNull();
      // A newer expiry already in place is the outcome asked for, not a failure.
      expect(error).not.toHaveBeenCalled();
    });

    test('keeps expired entries expired when a slower expireTag that started earlier lands last', async () => {
      // The review's scenario: process A starts expireTag, its write is held up in the network; B
      // writes an entry, C expires the tag and resolves; then A's write lands, carrying A's start time.
      const clock = { now: Date.UTC(2026, 0, 1) };
      const now = () => clock.now;
      const slow = setup({ now });
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let sent!: () => void;
      const holding = new Promise<void>((resolve) => {
        sent = resolve;
      });
      slow.client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'UpdateItemCommand') {
            sent();
            await held;
          }
          return next(args);
        },
        { step: 'finalizeRequest', name: 'holdTagWrite' },
      );
      const writer = setup({ now });
      const fast = setup({ now });

      const slowExpiry = slow.cache.expireTag('posts'); // expiredAt = T0
      await holding;
      clock.now += 50;
      await writer.cache.set('k', 'stale', { tags: ['posts'] }); // createdAt = T0 + 50
      clock.now += 50;
      await fast.cache.expireTag('posts'); // expiredAt = T0 + 100
      expect(await setup({ now }).cache.get('k')).toBeNull();

      release();
      await slowExpiry;
      expect(await rawTagRow(fast.client, tables.tagTableName, 'posts')).toMatchObject({
        expiredAt: { N: String(clock.now) },
      });
      expect(await setup({ now }).cache.get('k')).toBeNull();
      expect(error).not.toHaveBeenCalled();
    });

    test('logs and resolves when the cache has no tag table', async () => {
      const { cache, client } = testCache({ cacheTableName: tables.cacheTableName });
      clients.push(client);
      await expect(cache.expireTag('t')).resolves.toBeUndefined();
      expect(error).toHaveBeenCalledWith(
        expect.stringContaining('expireTag did not expire 1 of 1 tag(s) ("t")'),
        expect.stringContaining('VERCEL_FUNCTIONS_AWS_TAG_TABLE is not set'),
      );
    });
  });

  describe('round trips', () => {
    test('answers a steady-state hit with one GetItem when the key was read before', async () => {
      const { cache, requests } = setup();
      const tags = Array.from({ length: 20 }, (_, i) => `t${i}`);
      await cache.set('k', { v: 1 }, { tags });
      const reader = setup();
      expect(await reader.cache.get('k')).toEqual({ v: 1 });
      // First read in this process: the head, then the tag rows it names.
      expect(reader.requests).toEqual(['GetItemCommand', 'BatchGetItemCommand']);
      reader.requests.length = 0;
      expect(await reader.cache.get('k')).toEqual({ v: 1 });
      // The tag rows were read moments ago: only the entry.
      expect(reader.requests).toEqual(['GetItemCommand']);
      // The writer remembers the layout it wrote, so its first read fetches entry and tags together.
      requests.length = 0;
      expect(await cache.get('k')).toEqual({ v: 1 });
      expect(requests).toEqual(['BatchGetItemCommand']);
    });

    test('answers a steady-state hit on a chunked entry with one request', async () => {
      const { cache, requests } = setup();
      const value = incompressibleJson(1_500_000);
      await cache.set('k', value, { tags: ['t'] });
      requests.length = 0;
      expect(await cache.get('k')).toBe(value);
      expect(requests).toEqual(['BatchGetItemCommand']);
    });

    test('answers a miss with one request', async () => {
      const { cache, requests } = setup();
      expect(await cache.get('missing')).toBeNull();
      expect(requests).toEqual(['GetItemCommand']);
    });
  });

  describe('read-your-own-writes', () => {
    // DynamoDB Local reads strongly consistent whatever it is asked, so these tests check the request.
    function readConsistency(client: DynamoDBClient) {
      const reads: { command: string; consistent: boolean }[] = [];
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as {
            ConsistentRead?: boolean;
            RequestItems?: Record<string, { ConsistentRead?: boolean }>;
          };
          if (context.commandName === 'GetItemCommand') {
            reads.push({ command: 'GetItem', consistent: input.ConsistentRead === true });
          } else if (context.commandName === 'BatchGetItemCommand') {
            const entry = input.RequestItems?.[tables.cacheTableName];
            if (entry) reads.push({ command: 'BatchGetItem', consistent: entry.ConsistentRead === true });
          }
          return next(args);
        },
        { step: 'initialize', name: 'captureConsistency' },
      );
      return reads;
    }

    test('reads a key strongly consistent when this process set it within the window', async () => {
      const { cache, client } = setup();
      const reads = readConsistency(client);
      await cache.set('k', 1);
      await cache.set('k', 2);
      await cache.set('tagged', 3, { tags: ['t'] });
      expect([await cache.get('k'), await cache.get('tagged')]).toEqual([2, 3]);
      expect(reads).toEqual([
        { command: 'GetItem', consistent: true },
        { command: 'BatchGetItem', consistent: true },
      ]);
    });

    test('reads a key strongly consistent when this process deleted it within the window', async () => {
      const { cache, client } = setup();
      await cache.set('k', 1);
      const reader = setup();
      const reads = readConsistency(reader.client);
      expect(await reader.cache.get('k')).toBe(1);
      await reader.cache.delete('k');
      expect(await reader.cache.get('k')).toBeNull();
      expect(reads.map((read) => read.consistent)).toEqual([false, true]);
      expect(await rawItems(client, tables.cacheTableName, 'k')).toEqual([]);
    });

    test('reads eventually consistent a key this process did not write', async () => {
      const writer = setup();
      await writer.cache.set('k', 1, { tags: ['t'] });
      const { cache, client } = setup();
      const reads = readConsistency(client);
      await cache.set('other', 2);
      expect(await cache.get('k')).toBe(1);
      expect(await cache.get('missing')).toBeNull();
      // The second request of the first read fetches only tag rows, always strongly consistent.
      expect(reads).toEqual([
        { command: 'GetItem', consistent: false },
        { command: 'GetItem', consistent: false },
      ]);
    });

    test('reads eventually consistent again once the window has passed', async () => {
      const { cache, client, clock } = setup();
      const reads = readConsistency(client);
      await cache.set('k', 1, { tags: ['t'] });
      clock.now += READ_YOUR_WRITES_WINDOW_MS - 1;
      expect(await cache.get('k')).toBe(1);
      clock.now += 1;
      expect(await cache.get('k')).toBe(1);
      expect(reads.map((read) => read.consistent)).toEqual([true, false]);
    });

    test('reads a key strongly consistent after a set that failed', async () => {
      const { cache, client } = setup({ timeouts: { set: 1 } });
      const reads = readConsistency(client);
      client.middlewareStack.add(
        (next) => async (args) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return next(args);
        },
        { step: 'finalizeRequest', name: 'slowWrite' },
      );
      await cache.set('k', 1);
      expect(error).toHaveBeenCalledWith(expect.stringContaining("set of 'k' failed"), expect.anything());
      await cache.get('k');
      expect(reads).toEqual([{ command: 'GetItem', consistent: true }]);
    });
  });

  describe('large values', () => {
    test('splits a 2 MB value over chunk items and reads it back whole', async () => {
      const { cache, client } = setup();
      const value = incompressibleJson(MAX_VALUE_BYTES);
      await cache.set('k', value, { tags: ['t'], ttl: 60 });
      const items = await rawItems(client, tables.cacheTableName, 'k');
      // Random base64 still compresses to ~75 %: about 1.5 MB in 350 KB slices.
      expect(items.map((item) => item.sk.N)).toEqual(['0', '1', '2', '3', '4']);
      expect(items[0].chunks).toEqual({ N: '5' });
      expect(new Set(items.map((item) => item.writeId.S)).size).toBe(1);
      expect(items.every((item) => item.expiresAt?.N === items[0].expiresAt.N)).toBe(true);
      expect(items.slice(1).every((item) => item.value.B!.byteLength <= 350 * 1024)).toBe(true);
      expect(await setup().cache.get('k')).toBe(value);
    });

    test('removes the old chunks when a chunked entry is replaced by a small one', async () => {
      const { cache, client } = setup();
      await cache.set('k', incompressibleJson(1_000_000));
      await cache.set('k', 'small');
      const items = await rawItems(client, tables.cacheTableName, 'k');
      expect(items.map((item) => item.sk.N)).toEqual(['0']);
      expect(await setup().cache.get('k')).toBe('small');
    });

    test('writes nothing when the transaction fails', async () => {
      const { cache, client } = setup();
      await cache.set('k', 'previous');
      // Make the last chunk of the next write too large for DynamoDB, on the wire, so the service
      // cancels the whole transaction.
      client.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { TransactItems?: { Put?: { Item: Record<string, unknown> } }[] };
          const puts = input.TransactItems?.filter((item) => item.Put) ?? [];
          if (puts.length > 1) puts[puts.length - 1].Put!.Item.value = { B: new Uint8Array(401 * 1024) };
          return next(args);
        },
        { step: 'initialize', name: 'breakLastChunk' },
      );
      await cache.set('k', incompressibleJson(1_000_000));
      expect(error).toHaveBeenCalledWith(expect.stringContaining("set of 'k' failed"), expect.anything());
      const items = await rawItems(client, tables.cacheTableName, 'k');
      expect(items.map((item) => item.sk.N)).toEqual(['0']);
      expect(await setup().cache.get('k')).toBe('previous');
    });

    test('does not cache a value over 2 MB, warns, and drops the older entry', async () => {
      const { cache, client } = setup();
      await cache.set('k', 'previous');
      await cache.set('k', incompressibleJson(MAX_VALUE_BYTES + 1), { name: 'report' });
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(/'report' was not cached: its JSON is 2097153 bytes, over the 2 MB/),
      );
      expect(await rawItems(client, tables.cacheTableName, 'k')).toEqual([]);
      expect(await cache.get('k')).toBeNull();
    });

    test('compresses a large compressible value', async () => {
      const { cache, client } = setup();
      const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i, title: `Product ${i}`, price: i * 1.5 }));
      await cache.set('k', rows);
      const [head, ...rest] = await rawItems(client, tables.cacheTableName, 'k');
      expect(head.encoding).toEqual({ S: 'br+json' });
      expect(head.value.B!.byteLength).toBeLessThan(JSON.stringify(rows).length / 4);
      expect(rest).toEqual([]);
      expect(await cache.get('k')).toEqual(rows);
    });

    test('caches the value and stores the name cut to 1 KB when given a name that fills an item', async () => {
      const { cache, client } = setup();
      // getCache() names an entry by its original key unless told otherwise: a 450 KB key does this.
      await cache.set('k', 'answer', { name: 'n'.repeat(450_000) });
      expect(await cache.get('k')).toBe('answer');
      const [head] = await rawItems(client, tables.cacheTableName, 'k');
      expect(head.name).toEqual({ S: `${'n'.repeat(1021)}…` });
      expect(warn).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
    });

    test('cuts a name at a character boundary when it is over 1 KB of multi-byte text', async () => {
      const { cache, client } = setup();
      await cache.set('k', 1, { name: '😀'.repeat(300) });
      const [head] = await rawItems(client, tables.cacheTableName, 'k');
      // 255 four-byte characters (1,020 bytes) and the ellipsis (3 bytes): never half a character.
      expect(head.name).toEqual({ S: `${'😀'.repeat(255)}…` });
    });

    test('misses when a chunk belongs to another write', async () => {
      const { cache, client } = setup();
      await cache.set('k', incompressibleJson(1_000_000));
      await client.send(
        new PutItemCommand({
          TableName: tables.cacheTableName,
          Item: {
            pk: { S: 'k' },
            sk: { N: '1' },
            value: { B: new Uint8Array(10) },
            writeId: { S: 'other-write' },
          },
        }),
      );
      expect(await cache.get('k')).toBeNull();
      expect(error).not.toHaveBeenCalled();
    });
  });

  describe('bad input', () => {
    test.each([
      [
        '129 tags',
        { tags: Array.from({ length: 129 }, (_, i) => `t${i}`) },
        TooManyCacheTagsError,
        /at most 128 tags, got 129/,
      ],
      [
        'a 257-byte tag',
        { tags: [`${'é'.repeat(128)}x`] },
        InvalidCacheTagError,
        /is 257 bytes \(UTF-8\); the limit is 256/,
      ],
      ['a tag with a comma', { tags: ['a,b'] }, InvalidCacheTagError, /"a,b" contains a comma/],
      ['an empty tag', { tags: [''] }, InvalidCacheTagError, /must not be empty/],
      [
        'a NaN ttl',
        { ttl: Number.NaN },
        InvalidCacheTtlError,
        /ttl must be a finite number of seconds >= 0.*got NaN/,
      ],
      ['an infinite ttl', { ttl: Number.POSITIVE_INFINITY }, InvalidCacheTtlError, /finite number/],
      ['a negative ttl', { ttl: -1 }, InvalidCacheTtlError, /got -1/],
    ])('rejects set and writes nothing when given %s', async (_label, options, type, message) => {
      const { cache, client } = setup();
      const attempt = cache.set('k', 1, options as never);
      await expect(attempt).rejects.toBeInstanceOf(type);
      await expect(attempt).rejects.toThrow(message);
      expect(await rawItems(client, tables.cacheTableName, 'k')).toEqual([]);
    });

    test.each([
      ['a BigInt', { n: BigInt(1) }, /BigInt/],
      [
        'a cycle',
        (() => {
          const node: Record<string, unknown> = {};
          node.self = node;
          return node;
        })(),
        /circular/,
      ],
    ])('rejects set naming the entry when given %s', async (_label, value, reason) => {
      const { cache } = setup();
      const attempt = cache.set('k', value, { name: 'my-key' });
      await expect(attempt).rejects.toBeInstanceOf(UnserializableCacheValueError);
      await expect(attempt).rejects.toThrow(/cannot cache the value of "my-key": JSON cannot represent it/);
      await expect(attempt).rejects.toThrow(reason);
      await expect(attempt).rejects.toHaveProperty('cause', expect.any(TypeError));
    });

    test('rejects a key DynamoDB cannot hold', async () => {
      const { cache } = setup();
      await expect(cache.get('')).rejects.toBeInstanceOf(InvalidCacheKeyError);
      await expect(cache.set('x'.repeat(2049), 1)).rejects.toThrow(/2049 bytes .*limit is 2048 bytes/);
    });

    test('rejects expireTag with a comma in a tag', async () => {
      const { cache, requests } = setup();
      await expect(cache.expireTag(['ok', 'a,b'])).rejects.toBeInstanceOf(InvalidCacheTagError);
      expect(requests).toEqual([]);
    });

    test.each([
      ['a non-string tag', 42, /cache tags must be strings, got 42/],
      ['an empty tag', '', /cache tags must not be empty strings/],
      ['a tag over 256 bytes', 'é'.repeat(129), /is 258 bytes \(UTF-8\); the limit is 256 bytes/],
      ['a lone surrogate', 'a\uD800', /not well-formed Unicode/],
    ])('rejects expireTag and writes no tag when the last of 2,000 tags is %s', async (_, bad, message) => {
      const { cache, requests } = setup();
      const tags = [...Array.from({ length: 1999 }, (_, i) => `ok-${i}`), bad] as string[];
      const attempt = cache.expireTag(tags);
      await expect(attempt).rejects.toBeInstanceOf(InvalidCacheTagError);
      await expect(attempt).rejects.toThrow(message);
      expect(requests).toEqual([]);
    });

    test('sends nothing when expireTag is given no tags', async () => {
      const { cache, requests } = setup();
      await expect(cache.expireTag([])).resolves.toBeUndefined();
      expect(requests).toEqual([]);
    });
  });
});
