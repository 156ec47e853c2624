import * as vm from 'node:vm';
import { Token } from 'aws-cdk-lib';
import { transformSync } from 'esbuild';
import {
  type CloudFrontFunctionName,
  cloudFrontFunctionSource,
  type EdgeRouteList,
  FunctionCodeTooLargeError,
} from '../../lib/private/cloudfront-function-code';
import { REWRITE_PATH_HEADER, ROUTE_HEADERS_HEADER } from '../../lib/private/constructs-contract';
import { routeTableItems } from '../../lib/private/route-table';
import {
  compileRoutingRules,
  EDGE_GEO_HEADERS,
  type RoutingRulesInput,
} from '../../lib/private/vercel-json-routes';
import { parseRoute } from '../../runtime/handler/route';
import { addDerivedHeaders } from '../../runtime/handler/viewer-headers';

// vercel.json redirects, headers, trailingSlash and rewrites in the deployed CloudFront Functions
// (shared/vercel-routes.js), run in node:vm as cloudfront-functions.test.ts runs them: the code
// CloudFront gets, with the rules compiled by Vercel's routing-utils and spliced in at synth.

type Values = Record<string, { value: string; multiValue?: { value: string }[] }>;

interface Result {
  statusCode?: number;
  uri?: string;
  headers: Values;
  querystring?: Values;
  cookies?: Record<string, { value: string; attributes?: string }>;
}

interface Viewer {
  uri: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  /** The viewer's address, `event.viewer.ip`. */
  ip?: string;
}

function event({ uri, query = {}, headers = {}, cookies = {}, ip = '198.51.100.10' }: Viewer) {
  const values = (record: Record<string, string>) =>
    Object.fromEntries(Object.entries(record).map(([name, value]) => [name, { value }]));
  return {
    version: '1.0',
    context: {
      distributionDomainName: 'd1.cloudfront.net',
      distributionId: 'E1',
      eventType: 'viewer-request',
    },
    viewer: { ip },
    request: {
      method: 'GET',
      uri,
      querystring: values(query),
      headers: values({ host: 'shop.example.com', ...headers }),
      cookies: values(cookies),
    },
  };
}

function load(name: CloudFrontFunctionName, rules: RoutingRulesInput, context: object = {}) {
  return loadCompiled(name, compileRoutingRules('/p/vercel.json', rules)!.routes, context);
}

// `load` for a route list written by hand: what compileRoutingRules would refuse at synth.
function loadCompiled(name: CloudFrontFunctionName, routes: EdgeRouteList, context: object = {}) {
  const placeholders: Record<string, string> =
    name === 'router' ? { __VFA_ROUTE_TABLE_ID__: 'kvs', __VFA_FALLBACK_ORIGIN_ID__: FALLBACK.value } : {};
  const source = cloudFrontFunctionSource(name, placeholders, routes).replace(
    /^import cf from 'cloudfront';\n/,
    '',
  );
  const sandbox = vm.createContext(context);
  vm.runInContext(source, sandbox);
  const handler = sandbox.handler as (event: object) => Result | Promise<Result>;
  return async (viewer: Viewer) => handler(event(viewer));
}

// The fallback origin the next router() gets ('' = none, as without Cdn defaultFunction).
const FALLBACK = { value: '' };

// The edge router over a route table of `routes` (route → origin id); records the selected origin.
function router(rules: RoutingRulesInput, routes: Record<string, string>) {
  const table = new Map(
    routeTableItems(
      Object.entries(routes).map(([route, originId]) => ({ route: parseRoute(route), originId })),
    ).map((item) => [item.key, item.value]),
  );
  const selected: string[] = [];
  const cf = {
    kvs: () => ({
      get: async (key: string) => {
        const value = table.get(key);
        if (value === undefined) throw new Error(`Key ${key} not found`);
        return value;
      },
    }),
    selectRequestOriginById: (id: string) => selected.push(id),
  };
  const run = load('router', rules, { cf });
  return async (viewer: Viewer) => {
    selected.length = 0;
    const result = await run(viewer);
    return { result, origin: selected.length === 1 ? selected[0] : undefined, selections: selected.length };
  };
}

const HONO = { rewrites: [{ source: '/(.*)', destination: '/api' }] };
const ROUTES = { '/api': 'hono', '/api/users/[id]': 'user', '/api/x': 'x' };

describe('vercel.json redirects at the edge', () => {
  const redirects = {
    redirects: [
      { source: '/old/:slug', destination: '/new/:slug' },
      { source: '/temp', destination: '/elsewhere', permanent: false },
      { source: '/found', destination: 'https://example.org/found', statusCode: 302 },
      { source: '/api/x', destination: '/api/users/1' },
    ],
  };

  test.each(['viewer-request', 'not-found'] as const)(
    'answers 308 with the substituted Location when the %s function matches a redirect',
    async (name) => {
      const result = await load(name, redirects)({ uri: '/old/hello' });
      expect(result.statusCode).toBe(308);
      expect(result.headers.location).toEqual({ value: '/new/hello' });
    },
  );

  test('answers 307 for permanent: false, and statusCode wins when set', async () => {
    const run = load('viewer-request', redirects);
    expect(await run({ uri: '/temp' })).toMatchObject({
      statusCode: 307,
      headers: { location: { value: '/elsewhere' } },
    });
    expect(await run({ uri: '/found' })).toMatchObject({
      statusCode: 302,
      headers: { location: { value: 'https://example.org/found' } },
    });
  });

  test("passes the viewer's query on to the Location", async () => {
    const result = await load('viewer-request', redirects)({ uri: '/old/a', query: { utm: 'x%20y', b: '' } });
    expect(result.headers.location.value).toBe('/new/a?utm=x%20y&b');
  });

  test('redirects before the filesystem, so a path a function serves is redirected too', async () => {
    const route = router(redirects, ROUTES);
    const { result, selections } = await route({ uri: '/api/x' });
    expect(result).toMatchObject({ statusCode: 308, headers: { location: { value: '/api/users/1' } } });
    expect(selections).toBe(0);
  });

  test('leaves requests no redirect matches to the function, without route headers', async () => {
    const result = await load('viewer-request', redirects)({ uri: '/old/a/b' });
    expect(result.statusCode).toBeUndefined();
    expect(result.headers[ROUTE_HEADERS_HEADER]).toBeUndefined();
  });
});

describe('vercel.json headers at the edge', () => {
  const rules = {
    headers: [
      { source: '/api/(.*)', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] },
      { source: '/api/users/:id', headers: [{ key: 'X-User', value: ':id' }] },
    ],
    redirects: [{ source: '/api/gone', destination: '/api/x' }],
  };

  test('puts the matched headers, lower-cased and substituted, into x-vfa-route-headers for the function', async () => {
    const result = await load('viewer-request', rules)({ uri: '/api/users/7' });
    expect(JSON.parse(result.headers[ROUTE_HEADERS_HEADER].value)).toEqual({
      'access-control-allow-origin': '*',
      'x-user': '7',
    });
  });

  test('replaces an x-vfa-route-headers header the viewer sent, as it is set after sanitising', async () => {
    const run = load('viewer-request', rules);
    const forged = await run({ uri: '/other', headers: { [ROUTE_HEADERS_HEADER]: '{"set-cookie":"a=b"}' } });
    expect(forged.headers[ROUTE_HEADERS_HEADER]).toBeUndefined();
    const routed = await run({ uri: '/api/x', headers: { [ROUTE_HEADERS_HEADER]: '{"set-cookie":"a=b"}' } });
    expect(JSON.parse(routed.headers[ROUTE_HEADERS_HEADER].value)).toEqual({
      'access-control-allow-origin': '*',
    });
  });

  test("answers a redirect without the headers rules' headers, as routing-utils lists redirects before them", async () => {
    const result = await load('viewer-request', rules)({ uri: '/api/gone' });
    expect(result.statusCode).toBe(308);
    expect(result.headers).toEqual({ location: { value: '/api/x' } });
  });

  test("adds the matched headers to the edge's 404", async () => {
    const result = await load('not-found', rules)({ uri: '/api/nothing' });
    expect(result.statusCode).toBe(404);
    expect(result.headers['access-control-allow-origin']).toEqual({ value: '*' });
    const route = router(rules, ROUTES);
    expect((await route({ uri: '/api/nothing' })).result.headers['access-control-allow-origin']).toEqual({
      value: '*',
    });
  });

  test('sets them on a request the edge router sends to a function', async () => {
    const { result, origin } = await router(rules, ROUTES)({ uri: '/api/users/3' });
    expect(origin).toBe('user');
    expect(JSON.parse(result.headers[ROUTE_HEADERS_HEADER].value)).toEqual({
      'access-control-allow-origin': '*',
      'x-user': '3',
    });
  });
});

describe('vercel.json has and missing at the edge', () => {
  const rules = {
    redirects: [
      {
        source: '/go',
        destination: '/to/:tenant/:v',
        has: [
          { type: 'host', value: '(?<tenant>[a-z]+)\\.example\\.com' },
          { type: 'query', key: 'v' },
        ],
      },
      {
        source: '/beta',
        destination: '/beta-home',
        has: [{ type: 'cookie', key: 'beta', value: 'yes|true' }],
      },
      {
        source: '/mobile',
        destination: '/m',
        has: [{ type: 'header', key: 'User-Agent', value: '.*Mobile.*' }],
      },
      { source: '/login', destination: '/account', missing: [{ type: 'cookie', key: 'session' }] },
    ],
  };

  test('matches host, query, cookie and header conditions, with their parameters in the destination', async () => {
    const run = load('viewer-request', rules);
    expect((await run({ uri: '/go', query: { v: '2' } })).headers.location.value).toBe('/to/shop/2?v=2');
    expect((await run({ uri: '/beta', cookies: { beta: 'yes' } })).statusCode).toBe(308);
    expect((await run({ uri: '/mobile', headers: { 'user-agent': 'X Mobile Y' } })).statusCode).toBe(308);
    expect((await run({ uri: '/login' })).statusCode).toBe(308);
  });

  test('does not apply a rule when a has condition fails or a missing one is present', async () => {
    const run = load('viewer-request', rules);
    expect((await run({ uri: '/go' })).statusCode).toBeUndefined();
    expect(
      (await run({ uri: '/go', query: { v: '1' }, headers: { host: 'a.other.org' } })).statusCode,
    ).toBeUndefined();
    // The value matches whole, as Vercel and Next.js anchor it: 'not-yes' is not 'yes'.
    expect((await run({ uri: '/beta', cookies: { beta: 'not-yes' } })).statusCode).toBeUndefined();
    expect((await run({ uri: '/mobile', headers: { 'user-agent': 'Desktop' } })).statusCode).toBeUndefined();
    expect((await run({ uri: '/login', cookies: { session: 'abc' } })).statusCode).toBeUndefined();
  });
});

describe("has and missing on the headers Vercel's proxy sets, at the edge", () => {
  const geo = {
    redirects: [
      {
        source: '/',
        destination: '/:country/:region',
        has: [
          { type: 'header', key: 'x-vercel-ip-country', value: '(?<country>DE|AT)' },
          { type: 'header', key: 'x-vercel-ip-country-region', value: '(?<region>[A-Z]+)' },
        ],
      },
      {
        source: '/where',
        destination: '/at/:city/:lat/:lon/:zip/:tz',
        has: [
          { type: 'header', key: 'x-vercel-ip-city', value: '(?<city>.+)' },
          { type: 'header', key: 'x-vercel-ip-latitude', value: '(?<lat>.+)' },
          { type: 'header', key: 'x-vercel-ip-longitude', value: '(?<lon>.+)' },
          { type: 'header', key: 'x-vercel-ip-postal-code', value: '(?<zip>.+)' },
          { type: 'header', key: 'x-vercel-ip-timezone', value: '(?<tz>.+)' },
        ],
      },
      {
        source: '/office',
        destination: '/intranet',
        has: [{ type: 'header', key: 'x-real-ip', value: '10..*' }],
      },
      {
        source: '/ip',
        destination: '/ip/:ip',
        has: [{ type: 'header', key: 'X-Forwarded-For', value: '(?<ip>.+)' }],
      },
      {
        source: '/unknown',
        destination: '/nowhere',
        missing: [{ type: 'header', key: 'x-vercel-ip-country' }],
      },
    ],
  };
  const berlin = {
    'cloudfront-viewer-country': 'DE',
    'cloudfront-viewer-country-region': 'BE',
    'cloudfront-viewer-city': 'Berlin',
    'cloudfront-viewer-latitude': '52.52',
    'cloudfront-viewer-longitude': '13.40',
    'cloudfront-viewer-postal-code': '10115',
    'cloudfront-viewer-time-zone': 'Europe/Berlin',
  };

  test.each(['viewer-request', 'not-found', 'router'] as const)(
    "reads x-vercel-ip-* from CloudFront's viewer headers when the %s function evaluates a has condition",
    async (name) => {
      const run =
        name === 'router' ? async (v: Viewer) => (await router(geo, ROUTES)(v)).result : load(name, geo);
      expect((await run({ uri: '/', headers: berlin })).headers.location).toEqual({ value: '/DE/BE' });
      expect((await run({ uri: '/where', headers: berlin })).headers.location).toEqual({
        value: '/at/Berlin/52.52/13.40/10115/Europe%2FBerlin',
      });
      expect((await run({ uri: '/unknown', headers: berlin })).statusCode).not.toBe(308);
      expect((await run({ uri: '/unknown' })).headers.location).toEqual({ value: '/nowhere' });
    },
  );

  test.each(['viewer-request', 'not-found', 'router'] as const)(
    'never lets a viewer satisfy such a condition by sending x-vercel-ip-* itself to the %s function',
    async (name) => {
      const run =
        name === 'router' ? async (v: Viewer) => (await router(geo, ROUTES)(v)).result : load(name, geo);
      const forged = { 'x-vercel-ip-country': 'DE', 'x-vercel-ip-country-region': 'BE' };
      expect((await run({ uri: '/', headers: forged })).statusCode).not.toBe(308);
      expect(
        (await run({ uri: '/', headers: { ...forged, 'cloudfront-viewer-country': 'FR' } })).statusCode,
      ).not.toBe(308);
      // missing holds: the viewer's x-vercel-ip-country is not a location CloudFront vouches for.
      expect((await run({ uri: '/unknown', headers: forged })).headers.location).toEqual({
        value: '/nowhere',
      });
    },
  );

  test("reads x-real-ip and x-forwarded-for as the viewer's address, never as the headers the viewer sent", async () => {
    const run = load('viewer-request', geo);
    expect((await run({ uri: '/office', ip: '10.1.2.3' })).headers.location).toEqual({ value: '/intranet' });
    expect((await run({ uri: '/office', headers: { 'x-real-ip': '10.1.2.3' } })).statusCode).toBeUndefined();
    const forwarded = await run({
      uri: '/ip',
      ip: '2001:db8::1',
      headers: { 'x-forwarded-for': '10.0.0.1' },
    });
    expect(forwarded.headers.location).toEqual({ value: '/ip/2001%3Adb8%3A%3A1' });
  });

  test("ignores a viewer's x-vercel-* in the not-found function's headers rules, as it sanitises first", async () => {
    const rules = {
      headers: [
        {
          source: '/(.*)',
          has: [{ type: 'header', key: 'x-vercel-ip-country', value: '(?<c>.*)' }],
          headers: [{ key: 'X-Country', value: ':c' }],
        },
      ],
    };
    const run = load('not-found', rules);
    const forged = await run({ uri: '/nothing', headers: { 'x-vercel-ip-country': 'DE' } });
    expect(forged.statusCode).toBe(404);
    expect(forged.headers['x-country']).toBeUndefined();
    const trusted = await run({ uri: '/nothing', headers: { 'cloudfront-viewer-country': 'AT' } });
    expect(trusted.headers['x-country']).toEqual({ value: 'AT' });
  });
});

describe('x-vercel-ip-* conditions CloudFront cannot vouch for, at the edge', () => {
  // compileRoutingRules refuses such a condition at synth; the edge still never reads it from a
  // CloudFront-Viewer-* header CloudFront does not set, which only a viewer could have sent.
  const continent: EdgeRouteList = {
    b: [{ s: '^/eu$', h: { Location: '/eu-only' }, t: 308, y: [['header', 'x-vercel-ip-continent', 'EU']] }],
    r: [],
  };

  test.each(['viewer-request', 'not-found'] as const)(
    'does not read x-vercel-ip-continent from a cloudfront-viewer-continent header in the %s function',
    async (name) => {
      const run = loadCompiled(name, continent);
      const forged = await run({ uri: '/eu', headers: { 'cloudfront-viewer-continent': 'EU' } });
      expect(forged.statusCode).not.toBe(308);
      expect((await run({ uri: '/eu', headers: { 'x-vercel-ip-continent': 'EU' } })).statusCode).not.toBe(
        308,
      );
    },
  );

  test.each([...EDGE_GEO_HEADERS.keys()])(
    'reads %s from the CloudFront-Viewer-* header the adapter derives it from',
    async (key) => {
      const viewer = {
        'cloudfront-viewer-country': 'DE',
        'cloudfront-viewer-country-region': 'BE',
        'cloudfront-viewer-city': 'Berlin',
        'cloudfront-viewer-latitude': '52.52',
        'cloudfront-viewer-longitude': '13.40',
        'cloudfront-viewer-postal-code': '10115',
        'cloudfront-viewer-time-zone': 'Europe/Berlin',
      };
      const derived: Record<string, string> = { ...viewer };
      addDerivedHeaders(derived, { requestId: 'r', viaCloudFront: true });
      const run = load('viewer-request', {
        headers: [
          {
            source: '/(.*)',
            has: [{ type: 'header', key, value: '(?<v>.+)' }],
            headers: [{ key: 'X-V', value: ':v' }],
          },
        ],
      });
      const result = await run({ uri: '/api/x', headers: viewer });
      expect(JSON.parse(result.headers[ROUTE_HEADERS_HEADER].value)).toEqual({ 'x-v': derived[key] });
    },
  );
});

describe('x-vfa-route-headers at the edge', () => {
  test('is ASCII-only JSON, non-ASCII characters escaped as \\uXXXX, that parses back to the values', async () => {
    const rules = {
      headers: [
        {
          source: '/api/(.*)',
          has: [{ type: 'query', key: 'q', value: '(?<q>.*)' }],
          headers: [
            { key: 'X-Greeting', value: 'Grüße' },
            { key: 'X-Query', value: ':q' },
          ],
        },
      ],
    };
    for (const run of [
      async (v: Viewer) => load('viewer-request', rules)(v),
      async (v: Viewer) => (await router(rules, ROUTES)(v)).result,
    ]) {
      // Latin-1, what a header value may hold beyond ASCII: escaped, as JSON allows.
      const result = await run({ uri: '/api/x', query: { q: '%C3%A9t%C3%A9%20%C3%BF' } });
      const value = result.headers[ROUTE_HEADERS_HEADER].value;
      expect(value).toMatch(/^[\x20-\x7e]+$/);
      expect(value).toContain('Gr\\u00fc\\u00dfe');
      expect(value).toContain('\\u00e9t\\u00e9 \\u00ff');
      expect(JSON.parse(value)).toEqual({ 'x-greeting': 'Grüße', 'x-query': 'été ÿ' });
    }
  });
});

describe('vercel.json trailingSlash at the edge', () => {
  test('false redirects a path with a trailing slash to the one without', async () => {
    const run = load('viewer-request', { trailingSlash: false });
    expect(await run({ uri: '/api/hello/' })).toMatchObject({
      statusCode: 308,
      headers: { location: { value: '/api/hello' } },
    });
    expect((await run({ uri: '/api/hello' })).statusCode).toBeUndefined();
  });

  test('true redirects a path without a trailing slash (but not a file or /.well-known) to the one with', async () => {
    const run = load('not-found', { trailingSlash: true });
    expect((await run({ uri: '/about' })).headers.location).toEqual({ value: '/about/' });
    expect((await run({ uri: '/style.css/' })).headers.location).toEqual({ value: '/style.css' });
    expect((await run({ uri: '/.well-known/security.txt' })).statusCode).toBe(404);
  });
});

describe('vercel.json rewrites at the edge router', () => {
  test('sends a Hono-style catch-all to the one function, keeping the URL the viewer asked for', async () => {
    const { result, origin } = await router(HONO, ROUTES)({ uri: '/users/7/posts', query: { page: '2' } });
    expect(origin).toBe('hono');
    expect(result.uri).toBe('/users/7/posts');
    expect(result.querystring).toEqual({ page: { value: '2' } });
    expect(result.headers[REWRITE_PATH_HEADER]).toEqual({ value: '/api' });
  });

  test('serves paths a function serves from that function, before any rewrite', async () => {
    const { result, origin } = await router(HONO, ROUTES)({ uri: '/api/users/9' });
    expect(origin).toBe('user');
    expect(result.headers[REWRITE_PATH_HEADER]).toBeUndefined();
  });

  test("appends the rewrite's parameters to the query, percent-encoded", async () => {
    const rules = { rewrites: [{ source: '/rw/:path*', destination: '/api/x' }] };
    const { result, origin } = await router(rules, ROUTES)({ uri: '/rw/a/b' });
    expect(origin).toBe('x');
    expect(result.uri).toBe('/rw/a/b');
    expect(result.querystring).toEqual({ path: { value: 'a%2Fb' } });
  });

  test("keeps the viewer's value when it sent a query parameter of the parameter's name, as vercel dev does", async () => {
    const rules = { rewrites: [{ source: '/rw/:path*', destination: '/api/x' }] };
    const { result } = await router(rules, ROUTES)({ uri: '/rw/a/b', query: { path: 'mine', q: '1' } });
    expect(result.querystring).toEqual({ path: { value: 'mine' }, q: { value: '1' } });
  });

  test("substitutes parameters in the destination's path, and checks the destination path", async () => {
    const rules = { rewrites: [{ source: '/u/:id', destination: '/api/users/:id' }] };
    const { result, origin } = await router(rules, ROUTES)({ uri: '/u/42' });
    expect(origin).toBe('user');
    expect(result.headers[REWRITE_PATH_HEADER]).toEqual({ value: '/api/users/42' });
    expect(result.querystring).toEqual({});
  });

  test('lets the next rewrite match a destination no function serves, and 404s when none does', async () => {
    const rules = {
      rewrites: [
        { source: '/a', destination: '/b' },
        { source: '/b', destination: '/api/x' },
        { source: '/c', destination: '/nowhere' },
      ],
    };
    const route = router(rules, ROUTES);
    expect((await route({ uri: '/a' })).origin).toBe('x');
    const missed = await route({ uri: '/c' });
    expect(missed.selections).toBe(0);
    expect(missed.result.statusCode).toBe(404);
  });

  test('applies has conditions to rewrites', async () => {
    const rules = {
      rewrites: [
        { source: '/(.*)', destination: '/api/x', has: [{ type: 'header', key: 'x-beta', value: '1' }] },
      ],
    };
    const route = router(rules, ROUTES);
    expect((await route({ uri: '/page', headers: { 'x-beta': '1' } })).origin).toBe('x');
    expect((await route({ uri: '/page' })).result.statusCode).toBe(404);
  });

  test('sends what no rewrite serves to the fallback origin when there is one', async () => {
    FALLBACK.value = 'fallback';
    try {
      const route = router({ rewrites: [{ source: '/c', destination: '/nowhere' }] }, ROUTES);
      expect((await route({ uri: '/c' })).origin).toBe('fallback');
    } finally {
      FALLBACK.value = '';
    }
  });

  test("drops a viewer's x-vfa-rewrite-path before routing", async () => {
    const { result, origin } = await router(
      HONO,
      ROUTES,
    )({
      uri: '/api/x',
      headers: { [REWRITE_PATH_HEADER]: '/api/users/1' },
    });
    expect(origin).toBe('x');
    expect(result.headers[REWRITE_PATH_HEADER]).toBeUndefined();
  });
});

describe('redirect Locations at the edge', () => {
  test.each([
    ['//evil.com/', '/evil.com'],
    ['///evil.com/', '/evil.com'],
    ['/\\evil.com/', '/evil.com'],
  ])('never makes %s a protocol-relative Location (trailingSlash: false)', async (uri, location) => {
    const result = await load('viewer-request', { trailingSlash: false })({ uri });
    expect(result).toMatchObject({ statusCode: 308, headers: { location: { value: location } } });
  });

  test('never makes a path template protocol-relative through a parameter or trailingSlash: true', async () => {
    const rules = { redirects: [{ source: '/go/(.*)', destination: '/$1' }] };
    const result = await load('viewer-request', rules)({ uri: '/go//evil.com' });
    expect(result.headers.location.value).toBe('/evil.com');
    // trailingSlash: true's source never matches an empty segment: such paths are not redirected.
    const slash = await load('viewer-request', { trailingSlash: true })({ uri: '//evil.com' });
    expect(slash.statusCode).toBeUndefined();
  });

  test("keeps a destination that is a URL or a parameter as the rule's author wrote it", async () => {
    const rules = {
      redirects: [
        { source: '/ext/:slug', destination: 'https://example.org/:slug' },
        {
          source: '/to',
          has: [{ type: 'host' as const, value: '(?<sub>[^.]+)\\.example\\.com' }],
          destination: 'https://example.net/:sub',
        },
      ],
    };
    const run = load('viewer-request', rules);
    expect((await run({ uri: '/ext/a' })).headers.location.value).toBe('https://example.org/a');
    expect((await run({ uri: '/to', headers: { host: 'shop.example.com' } })).headers.location.value).toBe(
      'https://example.net/shop',
    );
  });

  test('puts the query before the fragment, and never a fragment into a query value', async () => {
    const rules = {
      redirects: [
        { source: '/docs', destination: '/guide#install' },
        { source: '/d2/:v', destination: '/guide?x=:v#install' },
      ],
    };
    const run = load('viewer-request', rules);
    expect((await run({ uri: '/docs', query: { utm: 'a' } })).headers.location.value).toBe(
      '/guide?utm=a#install',
    );
    expect((await run({ uri: '/docs' })).headers.location.value).toBe('/guide#install');
    expect((await run({ uri: '/d2/1', query: { utm: 'a' } })).headers.location.value).toBe(
      '/guide?utm=a&x=1#install',
    );
  });

  test('percent-encodes CR, LF and spaces from a condition, in the path and in the query', async () => {
    const rules = {
      redirects: [
        { source: '/go', has: [{ type: 'query' as const, key: 'to' }], destination: '/x/:to?t=:to' },
      ],
    };
    const result = await load(
      'viewer-request',
      rules,
    )({ uri: '/go', query: { to: 'a%0D%0ASet-Cookie:%20x=1' } });
    const location = result.headers.location.value;
    expect(location).not.toMatch(/[\r\n ]/);
    expect(location.startsWith('/x/a%0D%0ASet-Cookie%3A%20x%3D1?')).toBe(true);
    const spaced = await load('viewer-request', rules)({ uri: '/go', query: { to: 'a b?c#d' } });
    expect(spaced.headers.location.value.startsWith('/x/a%20b%3Fc%23d?')).toBe(true);
  });

  test('percent-encodes the non-ASCII characters of a destination in the Location', async () => {
    const rules = { redirects: [{ source: '/cafe', destination: '/mañana/😀' }] };
    const result = await load('viewer-request', rules)({ uri: '/cafe' });
    expect(result.headers.location.value).toBe('/ma%C3%B1ana/%F0%9F%98%80');
  });
});

describe('route parameters at the edge', () => {
  test('substitutes a parameter whose name has an underscore as a whole ($user_id)', async () => {
    const rules = {
      rewrites: [
        {
          source: '/has',
          has: [{ type: 'query' as const, key: 'user_id' }],
          destination: '/api/users/:user_id',
        },
      ],
    };
    const { result, origin } = await router(rules, ROUTES)({ uri: '/has', query: { user_id: '5' } });
    expect(origin).toBe('user');
    expect(result.headers[REWRITE_PATH_HEADER]).toEqual({ value: '/api/users/5' });
  });

  test('reads $10 as group 10', async () => {
    const rules = {
      redirects: [{ source: '/(a)/(b)/(c)/(d)/(e)/(f)/(g)/(h)/(i)/(j)', destination: '/x/$10' }],
    };
    const result = await load('viewer-request', rules)({ uri: '/a/b/c/d/e/f/g/h/i/j' });
    expect(result.headers.location.value).toBe('/x/j');
  });

  test("percent-encodes a condition's value going into a rewrite path", async () => {
    const rules = {
      rewrites: [
        { source: '/search', has: [{ type: 'query' as const, key: 'q' }], destination: '/api/search/:q' },
      ],
    };
    const route = router(rules, { '/api/search/[term]': 'search' });
    for (const [q, path] of [
      ['red%20shoes', '/api/search/red%20shoes'],
      ['red+shoes', '/api/search/red%20shoes'],
      ['a%2Fb', '/api/search/a%2Fb'],
      ['%E2%82%AC', '/api/search/%E2%82%AC'],
      ['100%25', '/api/search/100%25'],
    ]) {
      const { result, origin } = await route({ uri: '/search', query: { q } });
      expect([q, origin, result.headers[REWRITE_PATH_HEADER]]).toEqual([q, 'search', { value: path }]);
    }
  });

  test('reads + as a space only in query-string values, not in path captures or cookies', async () => {
    const rules = {
      redirects: [
        { source: '/plus/:v', destination: '/p?v=:v' },
        { source: '/cookie', has: [{ type: 'cookie' as const, key: 'c' }], destination: '/p?c=:c' },
      ],
    };
    const run = load('viewer-request', rules);
    expect((await run({ uri: '/plus/c++' })).headers.location.value).toBe('/p?v=c%2B%2B');
    expect((await run({ uri: '/plus/a%2Bb' })).headers.location.value).toBe('/p?v=a%2Bb');
    expect((await run({ uri: '/cookie', cookies: { c: 'a+b' } })).headers.location.value).toBe('/p?c=a%2Bb');
    const route = router({ rewrites: [{ source: '/lang/:name', destination: '/api/x' }] }, ROUTES);
    expect((await route({ uri: '/lang/c++' })).result.querystring?.name).toEqual({ value: 'c%2B%2B' });
  });

  test("does not decode a condition's value twice", async () => {
    const rules = {
      redirects: [{ source: '/q', has: [{ type: 'query' as const, key: 'v' }], destination: '/p/:v' }],
    };
    const result = await load('viewer-request', rules)({ uri: '/q', query: { v: '%2541' } });
    expect(result.headers.location.value.startsWith('/p/%2541?')).toBe(true);
  });
});

describe('condition values with control characters at the edge', () => {
  test('never lets CR or LF reach a value regex, so a has condition with a value does not hold', async () => {
    const rules = {
      redirects: [
        {
          source: '/hd',
          has: [{ type: 'query' as const, key: 'v', value: '(?<v>[a-z]+)' }],
          destination: '/y/:v',
        },
      ],
    };
    const run = load('viewer-request', rules);
    expect((await run({ uri: '/hd', query: { v: 'abc' } })).headers.location.value).toBe('/y/abc?v=abc');
    expect((await run({ uri: '/hd', query: { v: 'abc%0A' } })).statusCode).toBeUndefined();
  });

  test("leaves out a headers rule's header whose value would carry CR or LF, keeping the others", async () => {
    const rules = {
      headers: [
        {
          source: '/hh',
          has: [{ type: 'query' as const, key: 'v' }],
          headers: [
            { key: 'X-V', value: ':v' },
            { key: 'X-Fixed', value: '1' },
          ],
        },
      ],
    };
    const run = load('viewer-request', rules);
    const bad = await run({ uri: '/hh', query: { v: 'a%0D%0Ab' } });
    expect(JSON.parse(bad.headers[ROUTE_HEADERS_HEADER].value)).toEqual({ 'x-fixed': '1' });
    const good = await run({ uri: '/hh', query: { v: 'a%20b' } });
    expect(JSON.parse(good.headers[ROUTE_HEADERS_HEADER].value)).toEqual({ 'x-v': 'a b', 'x-fixed': '1' });
  });
});

describe('condition values beyond Latin-1 in headers rules at the edge', () => {
  // A header value the adapter takes (HEADER_VALUE in runtime/handler/route-headers.ts): tab,
  // printable ASCII, Latin-1. The edge leaves out the same headers, on its own responses too.
  const rules = {
    headers: [
      {
        source: '/(.*)',
        has: [{ type: 'query' as const, key: 'lang', value: '(?<lang>.*)' }],
        headers: [
          { key: 'Content-Language', value: ':lang' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ],
  };

  test.each(['not-found', 'router'] as const)(
    'leaves the header out of the %s 404 when the value holds a character beyond Latin-1, keeping the others',
    async (name) => {
      const run = async (viewer: Viewer) =>
        name === 'router' ? (await router(rules, ROUTES)(viewer)).result : await load(name, rules)(viewer);
      const euro = await run({ uri: '/nothing', query: { lang: '%E2%82%AC' } });
      expect(euro.statusCode).toBe(404);
      expect(euro.headers['content-language']).toBeUndefined();
      expect(euro.headers['x-frame-options']).toEqual({ value: 'DENY' });
      const emoji = await run({ uri: '/nothing', query: { lang: '%F0%9F%98%80' } });
      expect(emoji.headers['content-language']).toBeUndefined();
      // Latin-1 is a header value the adapter sends, so the edge sends it too.
      const latin1 = await run({ uri: '/nothing', query: { lang: 'fr%C3%A9' } });
      expect(latin1.headers['content-language']).toEqual({ value: 'fr\u00e9' });
    },
  );

  test("leaves such a header out of x-vfa-route-headers, so the function's response and the edge's agree", async () => {
    const run = load('viewer-request', rules);
    const euro = await run({ uri: '/api/x', query: { lang: '%E2%82%AC' } });
    expect(JSON.parse(euro.headers[ROUTE_HEADERS_HEADER].value)).toEqual({ 'x-frame-options': 'DENY' });
    const tab = await run({ uri: '/api/x', query: { lang: 'a%09b' } });
    expect(JSON.parse(tab.headers[ROUTE_HEADERS_HEADER].value)).toEqual({
      'content-language': 'a\tb',
      'x-frame-options': 'DENY',
    });
  });
});

describe("the edge's own responses with vercel.json headers", () => {
  const rules = {
    headers: [
      {
        source: '/(.*)',
        headers: [
          { key: 'Set-Cookie', value: 'seen=1; Path=/; HttpOnly' },
          { key: 'Cache-Control', value: 'public, max-age=3600' },
          { key: 'Content-Type', value: 'text/html' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ],
  };

  test.each(['not-found', 'router'] as const)(
    "puts a Set-Cookie into the %s 404's cookies and keeps its own Cache-Control and Content-Type",
    async (name) => {
      const result =
        name === 'router'
          ? (await router(rules, ROUTES)({ uri: '/nothing' })).result
          : await load(name, rules)({ uri: '/nothing' });
      expect(result.statusCode).toBe(404);
      expect(result.cookies).toEqual({ seen: { value: '1', attributes: 'Path=/; HttpOnly' } });
      expect(result.headers['set-cookie']).toBeUndefined();
      expect(result.headers['cache-control']).toEqual({ value: 'public, max-age=0, must-revalidate' });
      expect(result.headers['content-type']).toEqual({ value: 'text/plain; charset=utf-8' });
      expect(result.headers['x-frame-options']).toEqual({ value: 'DENY' });
    },
  );
});

describe('vercel.json routes in the deployed code', () => {
  test('splices the rewrites into the edge router only', () => {
    const compiled = compileRoutingRules('/p/vercel.json', {
      rewrites: [{ source: '/only-in-router', destination: '/api' }],
      redirects: [{ source: '/everywhere', destination: '/x' }],
    })!;
    const router = cloudFrontFunctionSource(
      'router',
      { __VFA_ROUTE_TABLE_ID__: 'k', __VFA_FALLBACK_ORIGIN_ID__: '' },
      compiled.routes,
    );
    expect(router).toContain('only-in-router');
    for (const name of ['viewer-request', 'not-found'] as const) {
      const code = cloudFrontFunctionSource(name, {}, compiled.routes);
      expect(code).toContain('everywhere');
      expect(code).not.toContain('only-in-router');
    }
  });

  test('writes sources and condition values as regex literals, not strings compiled per request', () => {
    const compiled = compileRoutingRules('/p/vercel.json', {
      redirects: [{ source: '/a/:b', destination: '/c', has: [{ type: 'header', key: 'x', value: 'y|z' }] }],
    })!;
    const code = cloudFrontFunctionSource('viewer-request', {}, compiled.routes);
    expect(code).toContain('s:/^\\/a(?:\\/([^/]+?))$/');
    expect(code).toContain('["header","x",/^y|z$/]');
    expect(code).not.toContain('new RegExp');
  });

  test.each(['viewer-request', 'viewer-response', 'not-found', 'router', 'image-viewer-request'] as const)(
    'deploys %s minified, as a script cloudfront-js-2.0 runs',
    (name) => {
      const code = cloudFrontFunctionSource(
        name,
        name === 'router' ? { __VFA_ROUTE_TABLE_ID__: 'k', __VFA_FALLBACK_ORIGIN_ID__: '' } : {},
      );
      expect(code).toMatch(/(^|[\n;}])(async )?function handler\(/);
      expect(code.split('\n').length).toBeLessThanOrEqual(name === 'router' || name === 'not-found' ? 5 : 2);
      // Syntax and built-ins newer than the runtime documents: esbuild emits some of them when minifying.
      for (const newer of ['?.', '??', '||=', '&&=', '**', '...', 'Object.hasOwn', 'class ']) {
        expect([newer, code.includes(newer)]).toEqual([newer, false]);
      }
      // It still parses as the same script (what tests run is what CloudFront runs).
      expect(() =>
        transformSync(code.replace(/^import cf from 'cloudfront';\n/, ''), { loader: 'js' }),
      ).not.toThrow();
    },
  );

  test('fits 75 simple redirects next to the edge router, with its 36-character KeyValueStore id', () => {
    const compiled = compileRoutingRules('/p/vercel.json', {
      redirects: Array.from({ length: 75 }, (_, i) => ({
        source: `/blog/post-${i}`,
        destination: `/articles/post-${i}`,
      })),
    })!;
    const code = cloudFrontFunctionSource(
      'router',
      { __VFA_ROUTE_TABLE_ID__: '0123abcd-0123-4567-89ab-0123456789ab', __VFA_FALLBACK_ORIGIN_ID__: '' },
      compiled.routes,
    );
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(10_240);
  });
});

describe('CloudFront Function size with values resolved at deploy time', () => {
  // The router's route table id is a CloudFormation token (the KeyValueStore's Id attribute) whose
  // text is shorter than the 36-character id CloudFront gets: the size checked is the deployed one.
  const kvsId = Token.asString({ 'Fn::GetAtt': ['RouteTable', 'Id'] });
  const routes = (pad: number) =>
    compileRoutingRules('/p/vercel.json', {
      redirects: Array.from({ length: 70 }, (_, i) => ({
        source: `/blog/post-${i}${i === 0 ? 'x'.repeat(pad) : ''}`,
        destination: `/articles/post-${i}`,
      })),
    })!.routes;
  const deployed = (pad: number) =>
    Buffer.byteLength(
      cloudFrontFunctionSource(
        'router',
        { __VFA_ROUTE_TABLE_ID__: 'a'.repeat(36), __VFA_FALLBACK_ORIGIN_ID__: '' },
        routes(pad),
      ),
    );
  const router = (pad: number) =>
    cloudFrontFunctionSource(
      'router',
      { __VFA_ROUTE_TABLE_ID__: { token: kvsId, maxBytes: 36 }, __VFA_FALLBACK_ORIGIN_ID__: '' },
      routes(pad),
    );

  test('splices the token into the code and accepts it when the code is 10240 bytes with the longest value', () => {
    const pad = 10_240 - deployed(0);
    expect(pad).toBeGreaterThan(0);
    const code = router(pad);
    expect(code).toContain(`'${kvsId}'`);
    expect(Buffer.byteLength(code)).toBeLessThan(10_240);
  });

  test('throws FunctionCodeTooLargeError with the deployed size when only the resolved value exceeds 10240 bytes', () => {
    const pad = 10_241 - deployed(0);
    let error: unknown;
    try {
      router(pad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FunctionCodeTooLargeError);
    expect((error as FunctionCodeTooLargeError).bytes).toBe(10_241);
    expect((error as Error).message).toBe(
      'CloudFront Function router is 10241 bytes; CloudFront allows 10240',
    );
  });

  test('throws when a token is passed as a plain string, whose deployed length is unknown', () => {
    expect(() =>
      cloudFrontFunctionSource('router', { __VFA_ROUTE_TABLE_ID__: kvsId, __VFA_FALLBACK_ORIGIN_ID__: '' }),
    ).toThrow(
      "CloudFront Function router: the value of '__VFA_ROUTE_TABLE_ID__' is a token; pass it as { token, maxBytes }",
    );
  });
});
