import { Template } from 'aws-cdk-lib/assertions';
import { Cdn } from '../../../lib/cdn';
import { OriginProtection } from '../../../lib/origin-protection';
import {
  applyCdnCacheControl,
  sharedCacheLifetimeSeconds,
  VERCEL_DEFAULT_CACHE_CONTROL,
} from '../../../runtime/cdn/cache-control';
import { BROWSER_CACHE_CONTROL_HEADER, INTERNAL_HEADER_PREFIX } from '../../../runtime/constructs-contract';
import { testStack } from '../../lib/helpers';

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

describe('applyCdnCacheControl with Vary', () => {
  test('keeps a response out of CloudFront and the browser Cache-Control aside when it varies on Cookie', () => {
    const headers: Record<string, string> = { 'cache-control': 's-maxage=60', vary: 'Cookie' };
    expect(applyCdnCacheControl(headers, 200)).toBe(true);
    expect(headers).toEqual({ 'cache-control': 'private', vary: 'Cookie', [BROWSER]: 's-maxage=60' });
    expect(sharedCacheLifetimeSeconds(headers)).toBe(0);
  });

  test('leaves a cacheable response alone when it varies only on headers in the cache key', () => {
    const headers = { 'cache-control': 's-maxage=60', vary: 'Accept-Encoding, host,X-Forwarded-Host' };
    expect(applyCdnCacheControl(headers, 200)).toBe(false);
    expect(headers).toEqual({
      'cache-control': 's-maxage=60',
      vary: 'Accept-Encoding, host,X-Forwarded-Host',
    });
  });

  test('keeps the response out of CloudFront when Vary mixes keyed and unkeyed headers', () => {
    const headers: Record<string, string> = {
      'cache-control': 'public, max-age=60',
      vary: 'Accept-Encoding, Accept-Language, Origin',
    };
    expect(applyCdnCacheControl(headers, 200)).toBe(true);
    expect(headers['cache-control']).toBe('max-age=60, private');
    expect(headers[BROWSER]).toBe('public, max-age=60');
  });

  test('treats Vary: * as unkeyed when the response would be cached', () => {
    const headers: Record<string, string> = { 'cache-control': 's-maxage=60', vary: '*' };
    expect(applyCdnCacheControl(headers, 200)).toBe(true);
    expect(headers['cache-control']).toBe('private');
  });

  test('keeps the function Cache-Control for browsers when a CDN-Cache-Control made the response cacheable', () => {
    const headers: Record<string, string> = {
      'cache-control': 'max-age=10',
      'cdn-cache-control': 'max-age=60',
      'vercel-cdn-cache-control': 's-maxage=3600',
      vary: 'Accept-Language',
    };
    expect(applyCdnCacheControl(headers, 200)).toBe(true);
    expect(headers).toEqual({
      'cache-control': 'private',
      'cdn-cache-control': 'max-age=60',
      vary: 'Accept-Language',
      [BROWSER]: 'max-age=10',
    });
  });

  test('keeps a response cached by Expires alone out of CloudFront when it varies on Cookie', () => {
    const expires = new Date(Date.now() + 600_000).toUTCString();
    const headers: Record<string, string> = { expires, vary: 'cookie' };
    expect(applyCdnCacheControl(headers, 200)).toBe(true);
    expect(headers).toEqual({ expires, vary: 'cookie', 'cache-control': 'private', [BROWSER]: 'private' });
  });

  test.each([
    ['no cache headers', {}],
    ['no-store', { 'cache-control': 'no-store' }],
    ['private', { 'cache-control': 'private, max-age=60' }],
  ])('changes nothing for Vary when the response has %s', (_, cache) => {
    const headers: Record<string, string> = { ...cache, vary: 'Cookie' };
    const before = { ...headers };
    expect(applyCdnCacheControl(headers, 200)).toBe(false);
    expect(headers).toEqual(before);
  });

  test('only applies the CDN directive when it already forbids caching a response that varies on Cookie', () => {
    const headers: Record<string, string> = {
      'cache-control': 'max-age=60',
      'cdn-cache-control': 'no-cache',
      vary: 'Cookie',
    };
    expect(applyCdnCacheControl(headers, 200)).toBe(false);
    expect(headers).toEqual({
      'cache-control': 'no-cache',
      'cdn-cache-control': 'no-cache',
      vary: 'Cookie',
      [BROWSER]: 'max-age=60',
    });
  });

  test('makes the response private without the companion header when the status is 400 or more', () => {
    const headers: Record<string, string> = {
      'cache-control': 'public, max-age=30, s-maxage=60',
      vary: 'Origin',
    };
    expect(applyCdnCacheControl(headers, 404)).toBe(true);
    expect(headers).toEqual({ 'cache-control': 'max-age=30, private', vary: 'Origin' });
  });

  test('drops the CDN lifetime of a CDN-Cache-Control when the status is 400 or more and Vary names Cookie', () => {
    const headers: Record<string, string> = {
      'cache-control': 'max-age=5',
      'vercel-cdn-cache-control': 'max-age=300',
      vary: 'Cookie',
    };
    expect(applyCdnCacheControl(headers, 404)).toBe(true);
    expect(headers).toEqual({ 'cache-control': 'max-age=5, private', vary: 'Cookie' });
  });
});

describe('applyCdnCacheControl with cookies', () => {
  test('keeps a cacheable response out of CloudFront and the browser Cache-Control aside when it sets cookies', () => {
    const headers: Record<string, string> = { 'cache-control': 'max-age=5, s-maxage=60' };
    expect(applyCdnCacheControl(headers, 200, true)).toBe(true);
    expect(headers).toEqual({ 'cache-control': 'max-age=5, private', [BROWSER]: 'max-age=5, s-maxage=60' });
    expect(sharedCacheLifetimeSeconds(headers)).toBe(0);
  });

  test('keeps the CDN directive out of CloudFront and the own Cache-Control for browsers when it sets cookies', () => {
    const headers: Record<string, string> = {
      'cache-control': 'max-age=10',
      'vercel-cdn-cache-control': 'max-age=3600',
    };
    expect(applyCdnCacheControl(headers, 200, true)).toBe(true);
    expect(headers).toEqual({ 'cache-control': 'max-age=3600, private', [BROWSER]: 'max-age=10' });
    expect(sharedCacheLifetimeSeconds(headers)).toBe(0);
  });

  test('makes a cacheable error private without the companion header when it sets cookies', () => {
    const headers: Record<string, string> = { 'cache-control': 'public, s-maxage=60' };
    expect(applyCdnCacheControl(headers, 404, true)).toBe(true);
    expect(headers).toEqual({ 'cache-control': 'private' });
  });

  test('changes nothing when a response that sets cookies is not cacheable anyway', () => {
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    expect(applyCdnCacheControl(headers, 200, true)).toBe(false);
    expect(headers).toEqual({ 'cache-control': 'no-store' });
  });

  test('leaves a cacheable response cached when it sets no cookies', () => {
    const headers: Record<string, string> = { 'cache-control': 's-maxage=60' };
    expect(applyCdnCacheControl(headers, 200, false)).toBe(false);
    expect(headers).toEqual({ 'cache-control': 's-maxage=60' });
  });
});

describe('applyCdnCacheControl against the Cdn cache policy', () => {
  test('keeps caching responses that vary only on headers the synthesized cache policy keys on', () => {
    const stack = testStack('us-east-1');
    new Cdn(stack, 'Cdn', { originProtection: OriginProtection.oac() });
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::CachePolicy'));
    const key = policy.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin;
    // The internal headers are set by the CDN's functions and removed before user code sees them.
    const keyed = (key.HeadersConfig.Headers as string[]).filter(
      (name) => !name.startsWith(INTERNAL_HEADER_PREFIX),
    );
    if (key.EnableAcceptEncodingGzip || key.EnableAcceptEncodingBrotli) keyed.push('Accept-Encoding');
    expect(keyed.length).toBeGreaterThan(1);
    for (const name of keyed) {
      const headers = { 'cache-control': 's-maxage=60', vary: name };
      expect([name, applyCdnCacheControl(headers, 200)]).toEqual([name, false]);
      expect(headers['cache-control']).toBe('s-maxage=60');
    }
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
