import * as vm from 'node:vm';
import {
  type CloudFrontFunctionName,
  cloudFrontFunctionSource,
} from '../../lib/private/cloudfront-function-code';
import { REWRITE_PATH_HEADER, ROUTE_HEADERS_HEADER } from '../../lib/private/constructs-contract';
import { routeTableItems } from '../../lib/private/route-table';
import { compileRoutingRules, type RoutingRulesInput } from '../../lib/private/vercel-json-routes';
import { parseRoute } from '../../runtime/handler/route';

// vercel.json redirects, headers, trailingSlash and rewrites in the deployed CloudFront Functions
// (shared/vercel-routes.js), run in node:vm as cloudfront-functions.test.ts runs them: the code
// CloudFront gets, with the rules compiled by Vercel's routing-utils and spliced in at synth.

type Values = Record<string, { value: string; multiValue?: { value: string }[] }>;

interface Result {
  statusCode?: number;
  uri?: string;
  headers: Values;
  querystring?: Values;
}

interface Viewer {
  uri: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
}

function event({ uri, query = {}, headers = {}, cookies = {} }: Viewer) {
  const values = (record: Record<string, string>) =>
    Object.fromEntries(Object.entries(record).map(([name, value]) => [name, { value }]));
  return {
    version: '1.0',
    context: {
      distributionDomainName: 'd1.cloudfront.net',
      distributionId: 'E1',
      eventType: 'viewer-request',
    },
    viewer: { ip: '198.51.100.10' },
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
  const compiled = compileRoutingRules('/p/vercel.json', rules)!;
  const placeholders: Record<string, string> =
    name === 'router' ? { __VFA_ROUTE_TABLE_ID__: 'kvs', __VFA_FALLBACK_ORIGIN_ID__: FALLBACK.value } : {};
  const source = cloudFrontFunctionSource(name, placeholders, compiled.routes).replace(
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
