import { getCache as upstreamGetCache } from '@vercel/functions';
import { getCache } from '../../../runtime/cache';
import { CACHE_UNAVAILABLE_WARNING } from '../../../runtime/cache/backend';
import type { RuntimeCache } from '../../../runtime/cache/types';
import { InvalidCacheKeyError } from '../../../runtime/errors';

const CONTEXT_SYMBOL = Symbol.for('@vercel/request-context');
const slot = globalThis as Record<symbol, unknown>;

type Call = [string, ...unknown[]];

function recordingCache(calls: Call[]): RuntimeCache {
  return {
    get: async (...args) => {
      calls.push(['get', ...args]);
      return 'from-context';
    },
    set: async (...args) => {
      calls.push(['set', ...args]);
    },
    delete: async (...args) => {
      calls.push(['delete', ...args]);
    },
    expireTag: async (...args) => {
      calls.push(['expireTag', ...args]);
    },
  };
}

const FALLBACK_KEY = Symbol.for('vercel-functions-aws/in-memory-cache');

// Another copy of the module, as a second function bundle in the same process would carry.
function otherBundleCopy(): { getCache: typeof getCache } {
  let isolated: { getCache: typeof getCache } | undefined;
  jest.isolateModules(() => {
    isolated = require('../../../runtime/cache');
  });
  return isolated!;
}

function installContextCache(cache: RuntimeCache | undefined): void {
  slot[CONTEXT_SYMBOL] = { get: () => (cache ? { cache } : {}) };
}

describe('getCache', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    // Start every test without a fallback cache and without the warning issued.
    delete slot[FALLBACK_KEY];
  });

  afterEach(() => {
    delete slot[CONTEXT_SYMBOL];
    jest.restoreAllMocks();
  });

  test('uses the context cache with hashed keys when the context provides one', async () => {
    const calls: Call[] = [];
    installContextCache(recordingCache(calls));
    const cache = getCache();
    expect(await cache.get('key')).toBe('from-context');
    await cache.set('my-key', { v: 1 }, { ttl: 60, tags: ['a'] });
    await cache.delete('key');
    await cache.expireTag(['a', 'b']);
    expect(calls).toEqual([
      ['get', 'b876d32'],
      ['set', '57f938ab', { v: 1 }, { ttl: 60, tags: ['a'], name: 'my-key' }],
      ['delete', 'b876d32'],
      ['expireTag', ['a', 'b']],
    ]);
    expect(warn).not.toHaveBeenCalled();
  });

  test('namespaces keys but never tags when given a namespace', async () => {
    const calls: Call[] = [];
    installContextCache(recordingCache(calls));
    const cache = getCache({ namespace: 'test', namespaceSeparator: ':' });
    await cache.get('key');
    await cache.set('key', 1, { tags: ['t'] });
    await cache.expireTag('t');
    expect(calls).toEqual([
      ['get', 'test:b876d32'],
      ['set', 'test:b876d32', 1, { tags: ['t'], name: 'key' }],
      ['expireTag', 't'],
    ]);
  });

  test('keeps an explicit name, including the empty string, when given one', async () => {
    const calls: Call[] = [];
    installContextCache(recordingCache(calls));
    const cache = getCache();
    await cache.set('key', 1, { name: 'Friendly' });
    await cache.set('key', 1, { name: '' });
    expect(calls.map((call) => call[3])).toEqual([{ name: 'Friendly' }, { name: '' }]);
  });

  test('passes the same arguments to the backend as the real package does', async () => {
    const ours: Call[] = [];
    const theirs: Call[] = [];
    const options = { namespace: 'ns', keyHashFunction: (k: string) => k.toUpperCase() };
    const script = async (cache: RuntimeCache) => {
      await cache.get('a');
      await cache.set('b', [1], { ttl: 5 });
      await cache.set('', 'empty');
      await cache.delete('c');
      await cache.expireTag('t');
    };
    installContextCache(recordingCache(ours));
    await script(getCache(options));
    installContextCache(recordingCache(theirs));
    await script(upstreamGetCache(options));
    expect(ours).toEqual(theirs);
  });

  test.each([
    ['a number', 42, /cache key must be a string, got number 42/],
    ['an object', { id: 1 }, /cache key must be a string, got object \{"id":1\}/],
    ['an array', ['a'], /cache key must be a string, got array \["a"\]/],
    ['null', null, /cache key must be a string, got null/],
    ['undefined', undefined, /cache key must be a string, got undefined/],
  ])(
    'rejects get, set and delete without calling the backend or the hash when the key is %s',
    async (_label, key, message) => {
      const calls: Call[] = [];
      installContextCache(recordingCache(calls));
      const keyHashFunction = jest.fn((k: string) => k);
      const cache = getCache({ keyHashFunction });
      for (const attempt of [
        cache.get(key as never),
        cache.set(key as never, 1, { name: 'labelled' }),
        cache.delete(key as never),
      ]) {
        await expect(attempt).rejects.toBeInstanceOf(InvalidCacheKeyError);
        await expect(attempt).rejects.toThrow(message);
      }
      expect(calls).toEqual([]);
      expect(keyHashFunction).not.toHaveBeenCalled();
    },
  );

  test("keeps the '' entry when given non-string keys, which upstream hashes like ''", async () => {
    const cache = getCache();
    await cache.set('', 'value of the empty key');
    await expect(cache.get(42 as never)).rejects.toBeInstanceOf(InvalidCacheKeyError);
    await expect(cache.delete(99 as never)).rejects.toBeInstanceOf(InvalidCacheKeyError);
    expect(await cache.get('')).toBe('value of the empty key');
  });

  test('resolves the backend on every call when held across requests', async () => {
    const first: Call[] = [];
    const second: Call[] = [];
    const cache = getCache();
    installContextCache(recordingCache(first));
    await cache.get('key');
    installContextCache(recordingCache(second));
    await cache.get('key');
    expect(first).toEqual([['get', 'b876d32']]);
    expect(second).toEqual([['get', 'b876d32']]);
  });

  test('falls back to one process-wide in-memory cache and warns once when there is no context cache', async () => {
    await getCache().set('key', { v: 1 });
    expect(await getCache().get('key')).toEqual({ v: 1 });
    expect(await getCache({ namespace: 'other' }).get('key')).toBeNull();
    expect(await otherBundleCopy().getCache().get('key')).toEqual({ v: 1 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(CACHE_UNAVAILABLE_WARNING);
    expect(CACHE_UNAVAILABLE_WARNING).toBe(
      'Runtime Cache unavailable in this environment. Falling back to in-memory cache.',
    );
  });

  test('falls back silently when RUNTIME_CACHE_DISABLE_BUILD_CACHE is true', async () => {
    process.env.RUNTIME_CACHE_DISABLE_BUILD_CACHE = 'true';
    try {
      await getCache().set('k', 1);
      expect(await getCache().get('k')).toBe(1);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      delete process.env.RUNTIME_CACHE_DISABLE_BUILD_CACHE;
    }
  });

  test('expires fallback entries by tag across namespaces', async () => {
    const a = getCache({ namespace: 'a' });
    const b = getCache({ namespace: 'b' });
    await a.set('k', 1, { tags: ['shared'] });
    await b.set('k', 2, { tags: ['shared'] });
    await a.expireTag('shared');
    expect([await a.get('k'), await b.get('k')]).toEqual([null, null]);
  });
});
