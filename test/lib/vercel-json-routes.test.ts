import { VercelJsonError } from '../../lib/private/vercel-json-error';
import {
  compileRoutingRules,
  EDGE_GEO_HEADERS,
  unsupportedRegexSyntax,
} from '../../lib/private/vercel-json-routes';
import { addDerivedHeaders } from '../../runtime/handler/viewer-headers';

// vercel.json's routing rules compiled at synth: Vercel's routing-utils converts them, this module
// validates what Vercel's schema validates, refuses what CloudFront Functions cannot run, and writes
// the compact list shared/vercel-routes.js evaluates (tested in cloudfront-functions-routes.test.ts).

const FILE = '/p/vercel.json';
// Vercel sets x-vercel-ip-continent; CloudFront has no continent header.
const CONTINENT = { type: 'header', key: 'x-vercel-ip-continent', value: 'EU' };

function errorFor(rules: Record<string, unknown>): VercelJsonError {
  try {
    compileRoutingRules(FILE, rules);
  } catch (error) {
    expect(error).toBeInstanceOf(VercelJsonError);
    return error as VercelJsonError;
  }
  throw new Error('expected a VercelJsonError');
}

describe('compileRoutingRules', () => {
  test('returns undefined when the file sets no routing rules', () => {
    expect(compileRoutingRules(FILE, {})).toBeUndefined();
  });

  test("lists trailingSlash, redirects and headers before the filesystem and rewrites after, in routing-utils' order", () => {
    const compiled = compileRoutingRules(FILE, {
      rewrites: [{ source: '/rw/:path*', destination: '/api/x' }],
      headers: [{ source: '/api/(.*)', headers: [{ key: 'X-A', value: '1' }] }],
      redirects: [{ source: '/old/:slug', destination: '/new/:slug', permanent: false }],
      trailingSlash: false,
    })!;
    expect(compiled.routes).toEqual({
      b: [
        { s: '^/(.*)/$', h: { Location: '/$1' }, t: 308 },
        { s: '^/old(?:/([^/]+?))$', h: { Location: '/new/$1' }, t: 307 },
        { s: '^/api(?:/(.*))$', h: { 'X-A': '1' }, c: 1 },
      ],
      r: [{ s: '^/rw(?:/((?:[^/]+?)(?:/(?:[^/]+?))*))?$', d: '/api/x?path=$1' }],
    });
    expect(compiled).toMatchObject({ file: FILE, ruleCount: 4, hasRewrites: true, hasHeaders: true });
  });

  test('writes has and missing conditions as [type, key, value]', () => {
    const compiled = compileRoutingRules(FILE, {
      redirects: [
        {
          source: '/x',
          destination: '/y/:sub',
          has: [
            { type: 'host', value: '(?<sub>.*)\\.example\\.com' },
            { type: 'header', key: 'X-Beta' },
          ],
          missing: [{ type: 'cookie', key: 'seen', value: '1' }],
        },
      ],
    })!;
    expect(compiled.routes.b[0]).toMatchObject({
      y: [
        ['host', '', '(?<sub>.*)\\.example\\.com'],
        ['header', 'x-beta'],
      ],
      n: [['cookie', 'seen', '1']],
    });
    expect(compiled.hasRewrites).toBe(false);
  });

  test.each([
    [{ redirects: {} }, 'redirects must be an array, got {}'],
    [{ rewrites: ['/a'] }, 'rewrites[0] must be an object, got "/a"'],
    [{ redirects: [{ source: '/a' }] }, 'redirects[0].destination must be a non-empty string, got undefined'],
    [
      { redirects: [{ source: '/a', destination: '/b', statusCode: 200 }] },
      'redirects[0].statusCode must be a redirect status (300-399), got 200',
    ],
    [
      { redirects: [{ source: '/a', destination: '/b', permanent: 'yes' }] },
      'redirects[0].permanent must be true or false, got "yes"',
    ],
    [
      { headers: [{ source: '/a', headers: [] }] },
      'headers[0].headers must be a non-empty array of { "key", "value" }, got an array',
    ],
    [
      { headers: [{ source: '/a', headers: [{ key: 'Bad Name', value: '1' }] }] },
      'headers[0].headers[0] must be { "key": a header name, "value": a string }',
    ],
    [{ trailingSlash: 'yes' }, 'trailingSlash must be true or false, got "yes"'],
    [
      { rewrites: [{ source: '/a', destination: '/b', has: [{ type: 'ip', key: 'x' }] }] },
      'rewrites[0].has[0] must be an object whose type is header, cookie, query, host',
    ],
    [
      { rewrites: [{ source: '/a', destination: '/b', has: [{ type: 'host' }] }] },
      'rewrites[0].has[0]: a host condition needs a value',
    ],
    [
      { redirects: [{ source: '/a', destination: '/b', sourse: '/c' }] },
      "redirects[0] has an unknown field 'sourse'",
    ],
  ])('refuses a malformed rule %j, naming the entry', (rules, message) => {
    const error = errorFor(rules);
    expect(error.message).toContain(`${FILE}: ${message}`);
  });

  test("refuses what Vercel refuses, with routing-utils' message naming the entry", () => {
    expect(errorFor({ rewrites: [{ source: '/(.*', destination: '/api' }] }).message).toBe(
      `${FILE}: Rewrite at index 0 has invalid \`source\` regular expression "/(.*".`,
    );
    expect(errorFor({ redirects: [{ source: '/a', destination: '/b/:x' }] }).message).toContain(
      'Redirect at index 0 has segment ":x" in `destination` property but not in `source` or `has` property.',
    );
  });

  test.each([
    [
      { source: '/a', destination: 'https://api.example.com/a' },
      "rewrites[0].destination 'https://api.example.com/a' is an external URL: rewrites to other sites are not supported on AWS yet",
    ],
    [{ source: '/a', destination: '//api.example.com/a' }, 'is an external URL'],
    [
      { source: '/a', destination: '/b', transforms: [] },
      'rewrites[0].transforms: request and response transforms are not supported on AWS (yet)',
    ],
    [
      { source: '/a', destination: '/b', statusCode: 404 },
      'rewrites[0].statusCode: a rewrite with its own status code is not supported',
    ],
    [
      { source: '/a', destination: '/b', env: ['X'] },
      'rewrites[0].env: environment-dependent rules are not supported',
    ],
    [
      { source: '/a', destination: '/b', has: [{ type: 'query', key: 'q', value: { eq: '1' } }] },
      'rewrites[0].has[0].value must be a string (a regular expression); operator objects (eq, inc, re, …) are not supported on AWS yet',
    ],
  ])('refuses a rewrite the edge cannot apply (%j), saying it is not supported', (rewrite, message) => {
    expect(errorFor({ rewrites: [rewrite] }).message).toContain(message);
  });

  test('refuses a source pattern CloudFront Functions cannot run, naming the entry and the syntax', () => {
    const error = errorFor({ headers: [{ source: '/:p([^]+)', headers: [{ key: 'X', value: '1' }] }] });
    expect(error.message).toContain(
      `${FILE}: headers[0].source uses the empty negated class [^], which CloudFront Functions' regular expressions do not support`,
    );
  });

  test('refuses a has value CloudFront Functions cannot run, or that is not a regular expression', () => {
    expect(
      errorFor({
        redirects: [
          { source: '/a', destination: '/b', has: [{ type: 'header', key: 'x', value: '\\p{L}+' }] },
        ],
      }).message,
    ).toContain('redirects[0].has[0].value uses Unicode property escapes \\p{…}');
    expect(
      errorFor({
        rewrites: [{ source: '/a', destination: '/b', missing: [{ type: 'query', key: 'q', value: '(' }] }],
      }).message,
    ).toContain('rewrites[0].missing[0].value is not a valid regular expression');
  });
});

describe('compileRoutingRules on x-vercel-ip-* conditions', () => {
  test.each([
    ['redirects[0].has[0]', { redirects: [{ source: '/eu', destination: '/eu-only', has: [CONTINENT] }] }],
    ['rewrites[0].missing[0]', { rewrites: [{ source: '/a', destination: '/b', missing: [CONTINENT] }] }],
    [
      'headers[0].has[1]',
      {
        headers: [
          {
            source: '/(.*)',
            has: [
              { type: 'header', key: 'x-vercel-ip-country', value: 'DE' },
              { ...CONTINENT, key: 'X-Vercel-IP-Continent' },
            ],
            headers: [{ key: 'X-Eu', value: '1' }],
          },
        ],
      },
    ],
  ])('refuses %s on a header CloudFront has no viewer header for, naming the supported ones', (at, rules) => {
    const { message } = errorFor(rules);
    expect(message).toContain(`${FILE}: ${at}.key is '`);
    expect(message).toContain('a location CloudFront does not provide');
    expect(message).toContain(
      'The x-vercel-ip-* headers a condition can test: x-vercel-ip-country, x-vercel-ip-country-region, x-vercel-ip-city, x-vercel-ip-latitude, x-vercel-ip-longitude, x-vercel-ip-postal-code, x-vercel-ip-timezone',
    );
  });

  test('compiles every x-vercel-ip-* condition the adapter can derive to the CloudFront header it reads, in any case', () => {
    const names = [...EDGE_GEO_HEADERS.keys()];
    const compiled = compileRoutingRules(FILE, {
      redirects: names.map((key, i) => ({
        source: `/r${i}`,
        destination: '/b',
        has: [{ type: 'header', key: key.toUpperCase(), value: 'v' }],
        missing: [{ type: 'header', key }],
      })),
    })!;
    expect(compiled.routes.b.map((route) => [route.y, route.n])).toEqual(
      names.map((key) => [
        [['header', EDGE_GEO_HEADERS.get(key), 'v']],
        [['header', EDGE_GEO_HEADERS.get(key)]],
      ]),
    );
    expect(compiled.routes.b.map((route) => route.y?.[0][1])).toEqual([
      'cloudfront-viewer-country',
      'cloudfront-viewer-country-region',
      'cloudfront-viewer-city',
      'cloudfront-viewer-latitude',
      'cloudfront-viewer-longitude',
      'cloudfront-viewer-postal-code',
      'cloudfront-viewer-time-zone',
    ]);
  });

  test('accepts x-vercel-ip-* names in cookie and query conditions, which no proxy sets', () => {
    expect(
      compileRoutingRules(FILE, {
        redirects: [
          { source: '/a', destination: '/b', has: [{ type: 'query', key: 'x-vercel-ip-continent' }] },
        ],
      })?.ruleCount,
    ).toBe(1);
  });

  test('maps exactly the x-vercel-ip-* headers the adapter derives, each from the CloudFront header it reads', () => {
    const viewer: Record<string, string> = {
      'cloudfront-viewer-country': 'DE',
      'cloudfront-viewer-country-region': 'BE',
      'cloudfront-viewer-city': 'Berlin',
      'cloudfront-viewer-latitude': '52.52',
      'cloudfront-viewer-longitude': '13.40',
      'cloudfront-viewer-postal-code': '10115',
      'cloudfront-viewer-time-zone': 'Europe/Berlin',
      'cloudfront-viewer-metro-code': '807',
      'cloudfront-viewer-asn': '3320',
    };
    const derivedFrom = (cloudFront: Record<string, string>) => {
      const headers = { ...cloudFront };
      addDerivedHeaders(headers, { requestId: 'r', viaCloudFront: true });
      return Object.keys(headers).filter((name) => name.startsWith('x-vercel-ip-'));
    };
    expect(derivedFrom(viewer).sort()).toEqual([...EDGE_GEO_HEADERS.keys()].sort());
    for (const [vercel, cloudFront] of EDGE_GEO_HEADERS) {
      expect([vercel, derivedFrom({ [cloudFront]: viewer[cloudFront] })]).toEqual([vercel, [vercel]]);
    }
  });
});

describe('compileRoutingRules on what CloudFront matches and sends', () => {
  test.each([
    [{ redirects: [{ source: 'a', destination: '/b' }] }, "redirects[0].source must start with '/'"],
    [{ rewrites: [{ source: 'api/(.*)', destination: '/api' }] }, "rewrites[0].source must start with '/'"],
    [
      { headers: [{ source: '*', headers: [{ key: 'X', value: '1' }] }] },
      "headers[0].source must start with '/'",
    ],
  ])('refuses a source without a leading slash (%j), naming vercel.json and the entry', (rules, message) => {
    expect(errorFor(rules).message).toContain(`${FILE}: ${message}`);
  });

  test.each([
    ['a\r\nb', 'headers[0].headers[1].value must not contain control characters'],
    ['a\u0000', 'headers[0].headers[1].value must not contain control characters'],
    ['default-src \u2018self\u2019', 'headers[0].headers[1].value must hold only printable ASCII or Latin-1'],
    ['\u{1f600}', 'headers[0].headers[1].value must hold only printable ASCII or Latin-1'],
  ])('refuses a header value with control characters or beyond Latin-1 (%j)', (value, message) => {
    const error = errorFor({
      headers: [
        {
          source: '/a',
          headers: [
            { key: 'X-Ok', value: 'ok' },
            { key: 'X', value },
          ],
        },
      ],
    });
    expect(error.message).toContain(`${FILE}: ${message}`);
  });

  test('accepts a header value with Latin-1 characters when they are all the adapter can send', () => {
    const compiled = compileRoutingRules(FILE, {
      headers: [{ source: '/a', headers: [{ key: 'X-Greeting', value: 'caf\u00e9 \u00bb ok' }] }],
    });
    expect(compiled?.hasHeaders).toBe(true);
  });

  test('refuses a redirect destination with control characters', () => {
    expect(errorFor({ redirects: [{ source: '/a', destination: '/b\r\nX: y' }] }).message).toContain(
      `${FILE}: redirects[0].destination must not contain control characters`,
    );
  });

  test('percent-encodes the literal spaces and non-ASCII characters of a source, as CloudFront hands the URI', () => {
    const compiled = compileRoutingRules(FILE, {
      redirects: [
        { source: '/café', destination: '/mañana' },
        { source: '/a b/:x', destination: '/x' },
        { source: '/%C3%A9t%C3%A9', destination: '/summer' },
      ],
    })!;
    const sources = compiled.routes.b.map((route) => route.s);
    expect(sources[0]).toBe('^/caf%C3%A9$');
    expect(sources[1]).toMatch(/^\^\/a%20b\(/);
    expect(new RegExp(sources[1]).test('/a%20b/1')).toBe(true);
    expect(sources[2]).toBe('^/%C3%A9t%C3%A9$');
    // The destination stays as written: the edge percent-encodes the Location it answers with.
    expect(compiled.routes.b[0].h).toEqual({ Location: '/mañana' });
  });

  test('refuses a non-ASCII character in a character class or under a quantifier, which encoding would change', () => {
    expect(errorFor({ redirects: [{ source: '/caf(é+)', destination: '/b' }] }).message).toContain(
      `${FILE}: redirects[0].source has the character "é" in a character class or under a quantifier`,
    );
    expect(errorFor({ redirects: [{ source: '/:x([éa]+)', destination: '/b' }] }).message).toContain(
      'redirects[0].source has the character "é" in a character class or under a quantifier',
    );
  });
});

describe('unsupportedRegexSyntax', () => {
  test.each([
    ['^/a(?<!b)$', 'negative lookbehind (?<!…)'],
    ['^(?<x>a)\\k<x>$', 'named backreferences \\k<…>'],
    ['^a[^]b$', 'the empty negated class [^]'],
    ['^a[]b$', 'the empty class []'],
    ['^\\u{1F600}$', 'code point escapes \\u{…}'],
  ])('names the unsupported syntax of %s', (pattern, name) => {
    expect(unsupportedRegexSyntax(pattern)).toBe(name);
  });

  test.each([
    '^/api(?:/(.*))$',
    '^(?<tenant>[a-z]+)\\.example\\.com$',
    '^a\\(?<=b$',
    '^[(?<=]$',
    '^[\\]]$',
    '^a(?=b)(?!c)$',
    '^\\\\p{L}$',
  ])('accepts %s (named groups, lookahead, escaped or class-bound tokens)', (pattern) => {
    expect(unsupportedRegexSyntax(pattern)).toBeUndefined();
  });
});
