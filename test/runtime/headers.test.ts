import * as upstream from '@vercel/functions/headers';
import * as headers from '../../runtime/headers';

const { geolocation, ipAddress } = headers;

function request(init: Record<string, string>): Request {
  return new Request('https://example.com/', { headers: init });
}

const FULL = {
  'x-vercel-ip-city': 'Tel Aviv',
  'x-vercel-ip-country': 'IL',
  'x-vercel-ip-country-region': 'TA',
  'x-vercel-ip-latitude': '32.0853',
  'x-vercel-ip-longitude': '34.7818',
  'x-vercel-ip-postal-code': '6100000',
  'x-vercel-id': 'fra1::abc-123',
};

describe('ipAddress', () => {
  test('returns x-real-ip when given a request', () => {
    expect(ipAddress(request({ 'x-real-ip': '203.0.113.7' }))).toBe('203.0.113.7');
  });

  test('returns x-real-ip when given headers', () => {
    expect(ipAddress(new Headers({ 'x-real-ip': '2001:db8::1' }))).toBe('2001:db8::1');
  });

  test('returns undefined when only x-forwarded-for is present', () => {
    expect(ipAddress(request({ 'x-forwarded-for': '203.0.113.7' }))).toBeUndefined();
  });
});

describe('geolocation', () => {
  test('returns all eight keys, undefined except region dev1, when no headers are set', () => {
    const geo = geolocation(request({}));
    expect(Object.keys(geo).sort()).toEqual(
      ['city', 'country', 'countryRegion', 'flag', 'latitude', 'longitude', 'postalCode', 'region'].sort(),
    );
    expect(geo).toEqual({
      city: undefined,
      country: undefined,
      flag: undefined,
      countryRegion: undefined,
      region: 'dev1',
      latitude: undefined,
      longitude: undefined,
      postalCode: undefined,
    });
  });

  test('reads every header and computes the flag when all are set', () => {
    expect(geolocation(request(FULL))).toEqual({
      city: 'Tel Aviv',
      country: 'IL',
      flag: '🇮🇱',
      countryRegion: 'TA',
      region: 'fra1',
      latitude: '32.0853',
      longitude: '34.7818',
      postalCode: '6100000',
    });
  });

  test('reports the first region when the request id names two', () => {
    expect(geolocation(request({ 'x-vercel-id': 'hnd1:iad1::abc' })).region).toBe('hnd1');
  });

  test('reports dev1 when the request id is empty', () => {
    expect(geolocation(request({ 'x-vercel-id': '' })).region).toBe('dev1');
  });

  test.each(['AAA', 'us', 'U1', ''])('has no flag when the country is %j', (country) => {
    expect(geolocation(request({ 'x-vercel-ip-country': country })).flag).toBeUndefined();
  });

  test('decodes a percent-encoded city when it has multi-byte characters', () => {
    const geo = geolocation(request({ 'x-vercel-ip-city': 'S%C3%A3o%20Paulo', 'x-vercel-ip-country': 'BR' }));
    expect(geo.city).toBe('São Paulo');
    expect(geo.flag).toBe('🇧🇷');
  });

  test('returns the raw city instead of throwing when the encoding is malformed', () => {
    expect(geolocation(request({ 'x-vercel-ip-city': '%E0%A4%A' })).city).toBe('%E0%A4%A');
    // Upstream throws here; this is the one deliberate difference.
    expect(() => upstream.geolocation(request({ 'x-vercel-ip-city': '%E0%A4%A' }))).toThrow(URIError);
  });

  test('keeps empty header values as empty strings except the city, like upstream', () => {
    const geo = geolocation(request({ 'x-vercel-ip-city': '', 'x-vercel-ip-latitude': '' }));
    expect(geo.city).toBeUndefined();
    expect(geo.latitude).toBe('');
  });

  test.each([
    ['no headers', {}],
    ['all headers', FULL],
    ['two regions', { 'x-vercel-id': 'hnd1:iad1::abc' }],
    ['an invalid country', { 'x-vercel-ip-country': 'AAA' }],
    ['an encoded city', { 'x-vercel-ip-city': 'S%C3%A3o%20Paulo', 'x-vercel-ip-country': 'BR' }],
    ['empty values', { 'x-vercel-ip-city': '', 'x-vercel-ip-postal-code': '' }],
  ])('matches the real package when given %s', (_label, init) => {
    expect(geolocation(request(init))).toEqual(upstream.geolocation(request(init)));
    expect(ipAddress(request(init))).toEqual(upstream.ipAddress(request(init)));
  });
});

describe('header name constants', () => {
  test('equal the real package values', () => {
    const constants = (module: object) =>
      Object.entries(module).filter(([, value]) => typeof value !== 'function');
    expect(constants(headers)).toHaveLength(9);
    expect(Object.fromEntries(constants(headers))).toEqual(Object.fromEntries(constants(upstream)));
  });
});
