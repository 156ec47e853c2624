import { InvalidImageOptimizerConfigError } from '../../../runtime/errors';
import {
  DEFAULT_IMAGE_SIZES,
  IMAGE_OPTIMIZER_CONFIG_ENV,
  type ImageOptimizerConfigInput,
  imageOptimizerConfigFromEnv,
  resolveImageOptimizerConfig,
  serializeImageOptimizerConfig,
} from '../../../runtime/image-optimizer/config';

describe('resolveImageOptimizerConfig', () => {
  test("fills in Vercel's and Next.js's defaults when nothing is configured", () => {
    expect(resolveImageOptimizerConfig({})).toEqual({
      sizes: DEFAULT_IMAGE_SIZES,
      qualities: undefined,
      formats: ['image/webp'],
      domains: [],
      remotePatterns: [],
      localPatterns: undefined,
      minimumCacheTTL: 14_400,
      dangerouslyAllowSVG: false,
      contentSecurityPolicy: "script-src 'none'; frame-src 'none'; sandbox;",
      contentDispositionType: 'attachment',
      maximumResponseBody: 50_000_000,
      dangerouslyAllowLocalIP: false,
      localOrigin: undefined,
    });
  });

  test('sorts sizes and qualities and lower-cases host names', () => {
    const config = resolveImageOptimizerConfig({
      sizes: [1080, 640],
      qualities: [90, 50],
      domains: ['Images.Example.com'],
      remotePatterns: [{ hostname: '**.CDN.example.com', pathname: '/pub/**' }],
    });
    expect(config.sizes).toEqual([640, 1080]);
    expect(config.qualities).toEqual([50, 90]);
    expect(config.domains).toEqual(['images.example.com']);
    expect(config.remotePatterns[0].hostname).toBe('**.cdn.example.com');
  });

  test.each<[string, ImageOptimizerConfigInput, string]>([
    ['a width of 0', { sizes: [0] }, 'sizes[0] must be a whole number from 1 to 16383, got 0'],
    ['a fractional width', { sizes: [64.5] }, 'sizes[0] must be a whole number from 1 to 16383, got 64.5'],
    ['no widths', { sizes: [] }, 'sizes must list at least one width'],
    ['a repeated width', { sizes: [64, 64] }, 'sizes lists 64 twice'],
    [
      'too many widths',
      { sizes: Array.from({ length: 51 }, (_, i) => i + 1) },
      'sizes may have at most 50 entries, got 51',
    ],
    ['a quality of 101', { qualities: [101] }, 'qualities[0] must be a whole number from 1 to 100, got 101'],
    ['no qualities', { qualities: [] }, 'qualities must list at least one quality'],
    [
      'an unknown format',
      { formats: ['image/jxl'] },
      "formats[0] must be one of 'image/avif', 'image/webp', got \"image/jxl\"",
    ],
    ['a repeated format', { formats: ['image/webp', 'image/webp'] }, 'formats lists a format twice'],
    [
      'a domain with a scheme',
      { domains: ['https://example.com'] },
      "domains[0] must be a host name such as 'images.example.com'",
    ],
    [
      'a pattern without hostname',
      { remotePatterns: [{ pathname: '/a' }] },
      'remotePatterns[0].hostname must be a host name',
    ],
    [
      '** in the middle of a host',
      { remotePatterns: [{ hostname: 'a.**.com' }] },
      'remotePatterns[0].hostname must be a host name',
    ],
    [
      'a pattern with a bad protocol',
      { remotePatterns: [{ hostname: 'a.com', protocol: 'ftp' }] },
      "remotePatterns[0].protocol must be 'http' or 'https', got \"ftp\"",
    ],
    [
      'a pattern with a numeric port',
      { remotePatterns: [{ hostname: 'a.com', port: 443 }] },
      'remotePatterns[0].port must be a string of digits',
    ],
    [
      'a relative pathname',
      { remotePatterns: [{ hostname: 'a.com', pathname: 'img/**' }] },
      "remotePatterns[0].pathname must be a path starting with '/'",
    ],
    [
      'a search without ?',
      { localPatterns: [{ search: 'v=1' }] },
      "localPatterns[0].search must be '' (no query) or a query starting with '?'",
    ],
    [
      'an unknown pattern field',
      { remotePatterns: [{ hostname: 'a.com', host: 'b.com' }] },
      "remotePatterns[0] has an unknown field 'host'",
    ],
    [
      'a negative minimumCacheTTL',
      { minimumCacheTTL: -1 },
      'minimumCacheTTL must be a whole number from 0 to 31536000, got -1',
    ],
    [
      'a disposition type other than inline/attachment',
      { contentDispositionType: 'download' },
      "contentDispositionType must be 'inline' or 'attachment'",
    ],
    [
      'a CSP with a line break',
      { contentSecurityPolicy: "default-src 'none'\n" },
      'contentSecurityPolicy must be a string of printable ASCII characters',
    ],
    [
      'a localOrigin with a path',
      { localOrigin: 'http://localhost:3000/app' },
      'localOrigin must be an http(s) origin without a path',
    ],
    [
      'a non-boolean flag',
      { dangerouslyAllowSVG: 'yes' },
      'dangerouslyAllowSVG must be true or false, got "yes"',
    ],
  ])('throws naming the field for %s', (_name, input, message) => {
    expect(() => resolveImageOptimizerConfig(input)).toThrow(InvalidImageOptimizerConfigError);
    expect(() => resolveImageOptimizerConfig(input)).toThrow(message);
  });

  test('throws for an unknown field, listing the known ones', () => {
    expect(() => resolveImageOptimizerConfig({ deviceSizes: [640] } as ImageOptimizerConfigInput)).toThrow(
      "unknown field 'deviceSizes' (known: sizes, qualities, formats",
    );
  });
});

describe('imageOptimizerConfigFromEnv', () => {
  test('reads the JSON the construct writes, and the defaults without it', () => {
    const config = resolveImageOptimizerConfig({
      sizes: [320],
      formats: ['image/avif', 'image/webp'],
      minimumCacheTTL: 60,
    });
    const env = { [IMAGE_OPTIMIZER_CONFIG_ENV]: serializeImageOptimizerConfig(config) };
    expect(imageOptimizerConfigFromEnv(env)).toEqual(config);
    expect(imageOptimizerConfigFromEnv({})).toEqual(resolveImageOptimizerConfig({}));
  });

  test('writes only what differs from the defaults', () => {
    const config = resolveImageOptimizerConfig({
      sizes: DEFAULT_IMAGE_SIZES as number[],
      minimumCacheTTL: 60,
    });
    expect(serializeImageOptimizerConfig(config)).toBe('{"minimumCacheTTL":60}');
  });

  test('throws a clear error for JSON that does not parse', () => {
    expect(() => imageOptimizerConfigFromEnv({ [IMAGE_OPTIMIZER_CONFIG_ENV]: '{sizes:' })).toThrow(
      'VERCEL_FUNCTIONS_AWS_IMAGE_CONFIG is not valid JSON',
    );
  });
});
