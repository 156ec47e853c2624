import { InMemoryCache } from '../../../runtime/cache/in-memory-cache';
import {
  InvalidCacheTagError,
  InvalidCacheTtlError,
  TooManyCacheTagsError,
  UnserializableCacheValueError,
} from '../../../runtime/errors';

describe('InMemoryCache', () => {
  let cache: InMemoryCache;

  beforeEach(() => {
    cache = new InMemoryCache();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  test.each([
    ['a string', 'hello'],
    ['an object', { a: 1, b: { c: [1, 2] } }],
    ['an array', [1, 'two', { three: 3 }]],
    ['null', null],
    ['a number', 0],
    ['a boolean', false],
  ])('returns %s that was set', async (_label, value) => {
    await cache.set('k', value);
    expect(await cache.get('k')).toEqual(value);
  });

  test('returns null when the key was never set', async () => {
    expect(await cache.get('missing')).toBeNull();
  });

  test('stores null when given undefined', async () => {
    await cache.set('k', undefined);
    expect(await cache.get('k')).toBeNull();
  });

  test('applies JSON semantics when given rich values', async () => {
    const date = new Date('2026-01-02T03:04:05.000Z');
    await cache.set('k', {
      date,
      gone: undefined,
      list: [1, undefined, 3],
      map: new Map([['a', 1]]),
      set: new Set([1]),
      fn: () => 1,
    });
    expect(await cache.get('k')).toEqual({
      date: '2026-01-02T03:04:05.000Z',
      list: [1, null, 3],
      map: {},
      set: {},
    });
  });

  test('returns a fresh copy on every get', async () => {
    const value = { nested: { n: 1 } };
    await cache.set('k', value);
    const first = (await cache.get('k')) as typeof value;
    expect(first).not.toBe(value);
    first.nested.n = 2;
    expect(await cache.get('k')).toEqual({ nested: { n: 1 } });
  });

  test('stores null instead of unparsable text when given a bare function', async () => {
    await cache.set('k', () => 1);
    await expect(cache.get('k')).resolves.toBeNull();
  });

  test('rejects with a typed error keeping the TypeError when given a value JSON cannot serialize', async () => {
    const attempt = cache.set('k', { n: BigInt(1) });
    await expect(attempt).rejects.toBeInstanceOf(UnserializableCacheValueError);
    await expect(attempt).rejects.toHaveProperty('cause', expect.any(TypeError));
  });

  test('rejects the tags and ttl the deployed cache would reject', async () => {
    await expect(cache.set('k', 1, { tags: ['a,b'] })).rejects.toBeInstanceOf(InvalidCacheTagError);
    await expect(
      cache.set('k', 1, { tags: Array.from({ length: 129 }, (_, i) => `${i}`) }),
    ).rejects.toBeInstanceOf(TooManyCacheTagsError);
    await expect(cache.set('k', 1, { ttl: -1 })).rejects.toBeInstanceOf(InvalidCacheTtlError);
    await expect(cache.expireTag('a,b')).rejects.toBeInstanceOf(InvalidCacheTagError);
    expect(await cache.get('k')).toBeNull();
  });

  test('keeps an entry until its ttl has passed', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    await cache.set('k', 'v', { ttl: 60 });
    jest.advanceTimersByTime(59_000);
    expect(await cache.get('k')).toBe('v');
    jest.advanceTimersByTime(1_000);
    expect(await cache.get('k')).toBe('v');
    jest.advanceTimersByTime(1_001);
    expect(await cache.get('k')).toBeNull();
    // The expired entry is gone for good, not just hidden.
    jest.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    expect(await cache.get('k')).toBeNull();
  });

  test.each([
    ['no ttl', undefined],
    ['ttl 0', 0],
  ])('never expires an entry when given %s', async (_label, ttl) => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    await cache.set('k', 'v', { ttl });
    jest.advanceTimersByTime(365 * 24 * 3600 * 1000);
    expect(await cache.get('k')).toBe('v');
  });

  test('deletes an existing key and resolves undefined when the key is absent', async () => {
    await cache.set('k', 'v');
    await expect(cache.delete('k')).resolves.toBeUndefined();
    expect(await cache.get('k')).toBeNull();
    await expect(cache.delete('never-set')).resolves.toBeUndefined();
  });

  test('expires every entry carrying the tag when given one tag', async () => {
    await cache.set('a', 1, { tags: ['t1'] });
    await cache.set('b', 2, { tags: ['t1', 't2'] });
    await cache.set('c', 3, { tags: ['t2'] });
    await cache.set('d', 4);
    await cache.expireTag('t1');
    expect([await cache.get('a'), await cache.get('b'), await cache.get('c'), await cache.get('d')]).toEqual([
      null,
      null,
      3,
      4,
    ]);
  });

  test('expires entries carrying any of the tags when given an array', async () => {
    await cache.set('a', 1, { tags: ['t1'] });
    await cache.set('b', 2, { tags: ['t2'] });
    await cache.set('c', 3, { tags: ['t3'] });
    await cache.expireTag(['t1', 't2']);
    expect([await cache.get('a'), await cache.get('b'), await cache.get('c')]).toEqual([null, null, 3]);
  });

  test('stores keys such as __proto__ like any other key', async () => {
    await cache.set('__proto__', { polluted: true });
    expect(await cache.get('__proto__')).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
