import { pathPatternMatches } from '../../../../lib/local/cloudfront';

describe('pathPatternMatches', () => {
  test('matches CloudFront path patterns: * for any run of characters, ? for one, case-sensitive', () => {
    expect(pathPatternMatches('*', '/')).toBe(true);
    expect(pathPatternMatches('/api/users/*', '/api/users/1/posts')).toBe(true);
    expect(pathPatternMatches('/api/users/*', '/api/users')).toBe(false);
    expect(pathPatternMatches('api/hello', '/api/hello')).toBe(true);
    expect(pathPatternMatches('/api/v?/x', '/api/v2/x')).toBe(true);
    expect(pathPatternMatches('/api/v?/x', '/api/v10/x')).toBe(false);
    expect(pathPatternMatches('/API/hello', '/api/hello')).toBe(false);
    expect(pathPatternMatches('/a.b', '/axb')).toBe(false);
    expect(pathPatternMatches('/a+b$', '/a+b$')).toBe(true);
  });
});
