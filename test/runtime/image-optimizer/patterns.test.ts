import fc from 'fast-check';
import type { RemotePattern } from '../../../runtime/image-optimizer/config';
import {
  isAllowedLocalSource,
  isAllowedRemoteSource,
  matchesLocal,
  matchesRemote,
} from '../../../runtime/image-optimizer/patterns';

const remote = (pattern: RemotePattern, url: string) => matchesRemote(pattern, new URL(url));

describe('matchesRemote', () => {
  test('matches an exact host name with any protocol, port, path and query when only hostname is given', () => {
    const pattern = { hostname: 'images.example.com' };
    expect(remote(pattern, 'https://images.example.com/a.png')).toBe(true);
    expect(remote(pattern, 'http://images.example.com:8080/x/y.png?v=1')).toBe(true);
    expect(remote(pattern, 'https://IMAGES.example.com/a.png')).toBe(true);
    expect(remote(pattern, 'https://example.com/a.png')).toBe(false);
    expect(remote(pattern, 'https://images.example.com.evil.net/a.png')).toBe(false);
  });

  test('matches one label with * and one or more leading labels with **', () => {
    expect(remote({ hostname: '*.example.com' }, 'https://a.example.com/x')).toBe(true);
    expect(remote({ hostname: '*.example.com' }, 'https://a.b.example.com/x')).toBe(false);
    expect(remote({ hostname: '*.example.com' }, 'https://example.com/x')).toBe(false);
    expect(remote({ hostname: '**.example.com' }, 'https://a.b.example.com/x')).toBe(true);
    expect(remote({ hostname: '**.example.com' }, 'https://a.example.com/x')).toBe(true);
    expect(remote({ hostname: '**.example.com' }, 'https://example.com/x')).toBe(false);
    expect(remote({ hostname: '**.example.com' }, 'https://notexample.com/x')).toBe(false);
  });

  test('checks protocol, port and search when the pattern names them', () => {
    const pattern: RemotePattern = { protocol: 'https', hostname: 'cdn.example.com', port: '', search: '' };
    expect(remote(pattern, 'https://cdn.example.com/a.png')).toBe(true);
    expect(remote(pattern, 'http://cdn.example.com/a.png')).toBe(false);
    expect(remote(pattern, 'https://cdn.example.com:8443/a.png')).toBe(false);
    expect(remote(pattern, 'https://cdn.example.com/a.png?v=2')).toBe(false);
    expect(remote({ hostname: 'cdn.example.com', search: '?v=2' }, 'https://cdn.example.com/a.png?v=2')).toBe(
      true,
    );
  });

  test('matches path segments with * and any number of segments with **', () => {
    const pattern = { hostname: 'cdn.example.com', pathname: '/account123/**' };
    expect(remote(pattern, 'https://cdn.example.com/account123/a.png')).toBe(true);
    expect(remote(pattern, 'https://cdn.example.com/account123/x/y/z.png')).toBe(true);
    expect(remote(pattern, 'https://cdn.example.com/account1234/a.png')).toBe(false);
    expect(remote(pattern, 'https://cdn.example.com/other/account123/a.png')).toBe(false);
    // Dot segments are resolved by the URL parser before matching.
    expect(remote(pattern, 'https://cdn.example.com/account123/../secret/a.png')).toBe(false);
    const star = { hostname: 'cdn.example.com', pathname: '/img/*.png' };
    expect(remote(star, 'https://cdn.example.com/img/a.png')).toBe(true);
    expect(remote(star, 'https://cdn.example.com/img/a/b.png')).toBe(false);
    expect(remote(star, 'https://cdn.example.com/img/a.jpg')).toBe(false);
  });

  test('treats regular-expression characters in patterns literally', () => {
    expect(
      remote(
        { hostname: 'cdn.example.com', pathname: '/a+b/(x).png' },
        'https://cdn.example.com/a+b/(x).png',
      ),
    ).toBe(true);
    expect(
      remote({ hostname: 'cdn.example.com', pathname: '/a+b/(x).png' }, 'https://cdn.example.com/aab/x.png'),
    ).toBe(false);
  });

  test('never matches a host that does not end with the pattern labels', () => {
    fc.assert(
      fc.property(fc.domain(), (host) => {
        const matched = remote({ hostname: '**.example.com' }, `https://${host}/a.png`);
        expect(matched).toBe(host.toLowerCase().endsWith('.example.com'));
      }),
    );
  });
});

describe('isAllowedRemoteSource', () => {
  const config = {
    domains: ['images.example.com'],
    remotePatterns: [{ hostname: 'cdn.example.com', pathname: '/pub/**' }],
  };

  test('allows a listed domain or a matching pattern and nothing else', () => {
    expect(isAllowedRemoteSource(new URL('http://images.example.com:81/x.png'), config)).toBe(true);
    expect(isAllowedRemoteSource(new URL('https://cdn.example.com/pub/x.png'), config)).toBe(true);
    expect(isAllowedRemoteSource(new URL('https://cdn.example.com/private/x.png'), config)).toBe(false);
    expect(isAllowedRemoteSource(new URL('https://evil.example.net/x.png'), config)).toBe(false);
  });

  test('refuses other protocols and URLs with credentials even for allowed hosts', () => {
    expect(isAllowedRemoteSource(new URL('ftp://images.example.com/x.png'), config)).toBe(false);
    expect(isAllowedRemoteSource(new URL('https://user:pw@images.example.com/x.png'), config)).toBe(false);
  });
});

describe('isAllowedLocalSource', () => {
  test('allows every path without localPatterns', () => {
    expect(isAllowedLocalSource(new URL('http://x/anything?y=1'), {})).toBe(true);
  });

  test('allows only matching paths and queries with localPatterns', () => {
    const config = { localPatterns: [{ pathname: '/assets/images/**', search: '' }] };
    expect(isAllowedLocalSource(new URL('http://x/assets/images/a/b.png'), config)).toBe(true);
    expect(isAllowedLocalSource(new URL('http://x/assets/images/a.png?v=1'), config)).toBe(false);
    expect(isAllowedLocalSource(new URL('http://x/assets/a.png'), config)).toBe(false);
    expect(matchesLocal({}, new URL('http://x/a/b?c'))).toBe(true);
  });
});
