import fc from 'fast-check';
import { cacheLifetime, parseCacheControl } from '../../../../lib/local/cloudfront';
import { CACHED_ERROR_CODES } from '../../../../lib/local/cloudfront/distribution-model';
import type { CachePolicyModel } from '../../../../lib/local/cloudfront/policies';

const NONE = { behavior: 'none', names: [] } as const;
const policy = (minTtl: number, defaultTtl: number, maxTtl: number): CachePolicyModel => ({
  name: 'test',
  minTtl,
  defaultTtl,
  maxTtl,
  headers: NONE,
  cookies: NONE,
  queryStrings: NONE,
  acceptEncodingGzip: false,
  acceptEncodingBrotli: false,
});
const ERRORS = new Map(CACHED_ERROR_CODES.map((code) => [code, 10]));
const NOW = Date.parse('2026-11-27T12:00:00Z');
const ttl = (headers: Record<string, string>, p = policy(0, 0, 31_536_000), status = 200) =>
  cacheLifetime(status, headers, p, ERRORS, NOW)?.ttlSeconds;

describe('cacheLifetime', () => {
  test('prefers s-maxage over max-age over Expires', () => {
    expect(ttl({ 'cache-control': 'max-age=10, s-maxage=60' })).toBe(60);
    expect(ttl({ 'cache-control': 'max-age=10', expires: 'Fri, 27 Nov 2026 13:00:00 GMT' })).toBe(10);
    expect(ttl({ expires: 'Fri, 27 Nov 2026 12:05:00 GMT' })).toBe(300);
  });

  test('uses the minimum TTL for no-cache, no-store and private, so 0 means not cached', () => {
    for (const directive of ['no-cache', 'no-store', 'private', 'private="set-cookie", s-maxage=60']) {
      expect(ttl({ 'cache-control': directive })).toBeUndefined();
      expect(ttl({ 'cache-control': directive }, policy(5, 0, 100))).toBe(5);
    }
  });

  test('uses the default TTL when the response names no lifetime, and clamps to the policy bounds', () => {
    expect(ttl({}, policy(0, 0, 100))).toBeUndefined();
    expect(ttl({}, policy(0, 30, 100))).toBe(30);
    expect(ttl({ 'cache-control': 's-maxage=1000' }, policy(0, 0, 100))).toBe(100);
    expect(ttl({ 'cache-control': 'max-age=1' }, policy(20, 0, 100))).toBe(20);
    expect(ttl({ expires: 'not a date' }, policy(0, 30, 100))).toBeUndefined();
  });

  test('caches listed error codes for the error caching minimum TTL, or longer when the headers ask', () => {
    expect(ttl({ 'cache-control': 'no-store' }, undefined, 404)).toBe(10);
    expect(ttl({ 'cache-control': 's-maxage=60' }, undefined, 503)).toBe(60);
    expect(ttl({ 'cache-control': 's-maxage=60' }, undefined, 401)).toBeUndefined();
    expect(cacheLifetime(404, {}, policy(0, 0, 100), new Map([[404, 0]]), NOW)).toBeUndefined();
  });

  test('reads stale-while-revalidate and stale-if-error', () => {
    expect(
      cacheLifetime(
        200,
        { 'cache-control': 's-maxage=5, stale-while-revalidate=30, stale-if-error=300' },
        policy(0, 0, 100),
        ERRORS,
        NOW,
      ),
    ).toEqual({
      ttlSeconds: 5,
      staleWhileRevalidateSeconds: 30,
      staleIfErrorSeconds: 300,
    });
  });

  test('keeps every lifetime it grants within the policy bounds when the status is below 400', () => {
    fc.assert(
      fc.property(
        fc.nat(1000),
        fc.nat(1000),
        fc.nat(1000),
        fc.option(fc.nat(5000)),
        fc.option(fc.nat(5000)),
        (a, b, c, shared, maxAge) => {
          const [min, def, max] = [a, b, c].sort((x, y) => x - y);
          const directives = [
            shared === null ? '' : `s-maxage=${shared}`,
            maxAge === null ? '' : `max-age=${maxAge}`,
          ];
          const lifetime = cacheLifetime(
            200,
            { 'cache-control': directives.filter(Boolean).join(', ') },
            policy(min, def, max),
            ERRORS,
            NOW,
          );
          return (
            lifetime === undefined ||
            (lifetime.ttlSeconds >= min && lifetime.ttlSeconds <= max && lifetime.ttlSeconds > 0)
          );
        },
      ),
    );
  });
});

describe('parseCacheControl', () => {
  test('reads directives case-insensitively, with quoted values and without values', () => {
    expect([...parseCacheControl('Public, S-MaxAge=60, private="x", no-store')]).toEqual([
      ['public', ''],
      ['s-maxage', '60'],
      ['private', 'x'],
      ['no-store', ''],
    ]);
  });
});
