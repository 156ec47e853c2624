import { type CachedObject, EdgeCache } from '../../../../lib/local/cloudfront';
import { cacheTagsOf, MAX_TAGS_PER_OBJECT } from '../../../../lib/local/cloudfront/edge-cache';

function object(path: string, tags: string[] = [], life: Partial<CachedObject> = {}): CachedObject {
  return {
    statusCode: 200,
    headers: [],
    body: Buffer.from(path),
    path,
    tags: new Set(tags),
    storedAt: 0,
    freshUntil: 1_000,
    staleUntil: 1_000,
    staleIfErrorUntil: 1_000,
    ...life,
  };
}

describe('EdgeCache', () => {
  test('matches path invalidations exactly, query string included, or by a trailing wildcard', () => {
    const cache = new EdgeCache();
    for (const path of ['/a', '/a?x=1', '/ab', '/b']) cache.store(path, object(path));
    expect(cache.invalidate(['/a'])).toBe(1);
    expect(cache.lookup('/a?x=1', 0)).toBeDefined();
    expect(cache.invalidate(['/a*'])).toBe(2);
    expect(cache.lookup('/b', 0)).toBeDefined();
    expect(cache.invalidate(['/B'])).toBe(0);
  });

  test('matches tag invalidations whatever the case, across variants', () => {
    const cache = new EdgeCache();
    cache.store('k1', object('/p', ['product-1']));
    cache.store('k2', object('/p?v=2', ['product-1', 'list']));
    cache.store('k3', object('/q', ['list']));
    expect(cache.invalidate(['#PRODUCT-1'])).toBe(2);
    expect(cache.size).toBe(1);
  });

  test('serves fresh, then stale within stale-while-revalidate, then stale-if-error only for errors', () => {
    const cache = new EdgeCache();
    cache.store('k', object('/p', [], { freshUntil: 100, staleUntil: 200, staleIfErrorUntil: 300 }));
    expect(cache.lookup('k', 50)?.state).toBe('fresh');
    expect(cache.lookup('k', 150)?.state).toBe('stale');
    expect(cache.lookup('k', 250)).toBeUndefined();
    expect(cache.staleForError('k', 250)).toBeDefined();
    expect(cache.lookup('k', 350)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('cacheTagsOf', () => {
  test('splits on commas, trims, lower-cases, dedupes and keeps the first 50', () => {
    expect([...cacheTagsOf(' A, b ,,a')]).toEqual(['a', 'b']);
    const many = Array.from({ length: 60 }, (_, i) => `t${i}`).join(',');
    expect(cacheTagsOf(many).size).toBe(MAX_TAGS_PER_OBJECT);
    expect(cacheTagsOf(undefined).size).toBe(0);
  });
});
