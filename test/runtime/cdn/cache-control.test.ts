import {
  applyCdnCacheControl,
  sharedCacheLifetimeSeconds,
  VERCEL_DEFAULT_CACHE_CONTROL,
} from '../../../runtime/cdn/cache-control';
import { BROWSER_CACHE_CONTROL_HEADER } from '../../../runtime/constructs-contract';

const BROWSER = BROWSER_CACHE_CONTROL_HEADER;

describe('applyCdnCacheControl', () => {
  test('leaves the headers alone when no CDN cache header is set', () => {
    const headers = { 'cache-control': 's-maxage=60' };
    applyCdnCacheControl(headers, 200);
    expect(headers).toEqual({ 'cache-control': 's-maxage=60' });
  });

  test('moves Vercel-CDN-Cache-Control into Cache-Control and the own one aside when the status is below 400', () => {
    const headers: Record<string, string> = {
      'cache-control': 'max-age=10',
      'cdn-cache-control': 'max-age=60',
      'vercel-cdn-cache-control': 'max-age=3600, stale-while-revalidate=60',
    };
    applyCdnCacheControl(headers, 200);
    expect(headers).toEqual({
      'cache-control': 'max-age=3600, stale-while-revalidate=60',
      // Passed on, as Vercel passes it on to downstream CDNs.
      'cdn-cache-control': 'max-age=60',
      [BROWSER]: 'max-age=10',
    });
  });

  test('uses CDN-Cache-Control and Vercel default browser caching when nothing else is set', () => {
    const headers: Record<string, string> = { 'cdn-cache-control': 'max-age=60' };
    applyCdnCacheControl(headers, 304);
    expect(headers['cache-control']).toBe('max-age=60');
    expect(headers[BROWSER]).toBe(VERCEL_DEFAULT_CACHE_CONTROL);
  });

  test('expresses the CDN lifetime as s-maxage without the companion header when the status is 400 or more', () => {
    const headers: Record<string, string> = {
      'cache-control': 'public, max-age=5, s-maxage=1',
      'vercel-cdn-cache-control': 'max-age=300, stale-while-revalidate=30',
    };
    applyCdnCacheControl(headers, 404);
    expect(headers).toEqual({ 'cache-control': 'public, max-age=5, s-maxage=300' });
  });

  test('forbids shared caching with private when the status is 400 or more and the CDN directive says no-store', () => {
    const headers: Record<string, string> = {
      'cache-control': 'public, max-age=5',
      'cdn-cache-control': 'no-store',
    };
    applyCdnCacheControl(headers, 500);
    expect(headers['cache-control']).toBe('max-age=5, private');
    expect(headers).not.toHaveProperty(BROWSER);
  });
});

describe('sharedCacheLifetimeSeconds', () => {
  test.each([
    ['no cache headers', {}, 0],
    ['s-maxage over max-age', { 'cache-control': 'max-age=10, s-maxage=60' }, 60],
    ['max-age', { 'cache-control': 'public, max-age=120' }, 120],
    [
      'stale windows added',
      { 'cache-control': 's-maxage=60, stale-while-revalidate=30, stale-if-error=10' },
      100,
    ],
    ['no-store', { 'cache-control': 'no-store, s-maxage=60' }, 0],
    ['private', { 'cache-control': 'private, max-age=60' }, 0],
    ['no-cache', { 'cache-control': 'no-cache' }, 0],
    ['a quoted value', { 'cache-control': 's-maxage="60"' }, 60],
    ['a cap at CloudFront maximum TTL', { 'cache-control': 's-maxage=999999999' }, 365 * 24 * 3600],
  ])('returns the lifetime when given %s', (_, headers, expected) => {
    expect(sharedCacheLifetimeSeconds(headers as Record<string, string>)).toBe(expected);
  });

  test('reads Expires when Cache-Control gives no lifetime', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(sharedCacheLifetimeSeconds({ expires: 'Thu, 01 Jan 2026 00:10:00 GMT' }, now)).toBe(600);
    expect(sharedCacheLifetimeSeconds({ expires: 'not a date' }, now)).toBe(0);
  });
});
