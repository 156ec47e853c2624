import * as vm from 'node:vm';
import fc from 'fast-check';
import {
  type CloudFrontFunctionName,
  cloudFrontFunctionSource,
} from '../../lib/private/cloudfront-function-code';
import {
  BROWSER_CACHE_CONTROL_HEADER,
  DISTRIBUTION_DOMAIN_HEADER,
  DISTRIBUTION_ID_HEADER,
  INTERNAL_HEADER_PREFIX,
} from '../../lib/private/constructs-contract';
import { routeTableItems } from '../../lib/private/route-table';
import { compareRouteSpecificity, matchRoute, parseRoute } from '../../runtime/handler/route';

type Headers = Record<string, { value: string; multiValue?: { value: string }[] }>;

interface CloudFrontFunctionEvent {
  version: '1.0';
  context: { distributionDomainName?: string; distributionId?: string; eventType: string; requestId: string };
  viewer: { ip: string };
  request: { method: string; uri: string; querystring: object; headers: Headers; cookies: object };
  response?: { statusCode: number; statusDescription?: string; headers: Headers; cookies: object };
}

/** The `cloudfront` module's methods the router calls, recorded. */
interface FakeCloudFront {
  kvs(id: string): { get(key: string): Promise<string> };
  selectRequestOriginById(id: string): void;
}

// Runs a CloudFront Function the way CloudFront does: the deployed code (handler file and the shared
// files it is concatenated with) as a script defining `handler`, called with the event. The router's
// `import cf from 'cloudfront'` becomes a global `cf`. A fresh context per load, so no state leaks.
function load(
  name: CloudFrontFunctionName,
  options: { cf?: FakeCloudFront; placeholders?: Record<string, string> } = {},
): (event: CloudFrontFunctionEvent) => unknown {
  const source = cloudFrontFunctionSource(name, options.placeholders).replace(
    /^import cf from 'cloudfront';\n/,
    '',
  );
  const context = vm.createContext({ cf: options.cf });
  vm.runInContext(source, context, { filename: `${name}.js` });
  return context.handler as (event: CloudFrontFunctionEvent) => unknown;
}

function viewerRequest(headers: Headers, uri = '/api/hello'): CloudFrontFunctionEvent {
  return {
    version: '1.0',
    context: {
      distributionDomainName: 'd111111abcdef8.cloudfront.net',
      distributionId: 'EDFDVBD6EXAMPLE',
      eventType: 'viewer-request',
      requestId: 'req-1',
    },
    viewer: { ip: '198.51.100.10' },
    request: { method: 'GET', uri, querystring: {}, headers, cookies: {} },
  };
}

function viewerResponse(headers: Headers, statusCode = 200): CloudFrontFunctionEvent {
  return {
    ...viewerRequest({ host: { value: 'example.com' } }),
    context: { eventType: 'viewer-response', requestId: 'req-1' },
    response: { statusCode, headers, cookies: {} },
  };
}

describe('viewer-request CloudFront Function', () => {
  const handler = load('viewer-request');

  test('copies Host into x-forwarded-host when the viewer sends Host', () => {
    const request = handler(viewerRequest({ host: { value: 'shop.example.com' } })) as { headers: Headers };
    expect(request.headers['x-forwarded-host']).toEqual({ value: 'shop.example.com' });
    expect(request.headers.host).toEqual({ value: 'shop.example.com' });
  });

  test('drops spoofable headers when a viewer sends them', () => {
    const request = handler(
      viewerRequest({
        host: { value: 'shop.example.com' },
        'x-real-ip': { value: '6.6.6.6' },
        'x-forwarded-for': { value: '6.6.6.6' },
        'x-forwarded-host': { value: 'evil.example' },
        'x-vercel-ip-country': { value: 'KP' },
        'x-vercel-oidc-token': { value: 'forged' },
        'x-vercel-id': { value: 'fra1::forged' },
        'x-vfa-origin-secret': { value: 'guess' },
        'x-vfa-distribution-id': { value: 'OTHER' },
        accept: { value: 'text/html' },
      }),
    ) as { headers: Headers };
    expect(Object.keys(request.headers).sort()).toEqual(
      ['accept', 'host', 'x-forwarded-host', DISTRIBUTION_DOMAIN_HEADER, DISTRIBUTION_ID_HEADER].sort(),
    );
    expect(request.headers['x-forwarded-host'].value).toBe('shop.example.com');
    expect(request.headers[DISTRIBUTION_ID_HEADER].value).toBe('EDFDVBD6EXAMPLE');
  });

  test('adds the distribution id and domain from the event context', () => {
    const request = handler(viewerRequest({ host: { value: 'a.example' } })) as { headers: Headers };
    expect(request.headers[DISTRIBUTION_ID_HEADER]).toEqual({ value: 'EDFDVBD6EXAMPLE' });
    expect(request.headers[DISTRIBUTION_DOMAIN_HEADER]).toEqual({ value: 'd111111abcdef8.cloudfront.net' });
  });

  test('leaves x-forwarded-host unset when the viewer sent no Host', () => {
    const request = handler(viewerRequest({ 'x-forwarded-host': { value: 'evil.example' } })) as {
      headers: Headers;
    };
    expect(request.headers['x-forwarded-host']).toBeUndefined();
  });

  test('keeps CloudFront viewer headers and ordinary headers when forwarding', () => {
    const request = handler(
      viewerRequest({
        host: { value: 'a.example' },
        'cloudfront-viewer-country': { value: 'DE' },
        authorization: { value: 'Bearer x' },
      }),
    ) as { headers: Headers };
    expect(request.headers['cloudfront-viewer-country']).toEqual({ value: 'DE' });
    expect(request.headers.authorization).toEqual({ value: 'Bearer x' });
  });

  test('uses the header names of the constructs contract', () => {
    const source = cloudFrontFunctionSource('viewer-request');
    expect(source).toContain(JSON.stringify(DISTRIBUTION_ID_HEADER));
    expect(source).toContain(JSON.stringify(DISTRIBUTION_DOMAIN_HEADER));
    expect(source).toContain(JSON.stringify(INTERNAL_HEADER_PREFIX));
  });
});

describe('viewer-response CloudFront Function', () => {
  const handler = load('viewer-response');

  test('restores the browser Cache-Control when the runtime sent the companion header', () => {
    const response = handler(
      viewerResponse({
        'cache-control': { value: 'max-age=3600' },
        [BROWSER_CACHE_CONTROL_HEADER]: { value: 'max-age=10' },
      }),
    ) as { headers: Headers };
    expect(response.headers['cache-control']).toEqual({ value: 'max-age=10' });
    expect(response.headers[BROWSER_CACHE_CONTROL_HEADER]).toBeUndefined();
  });

  test('drops s-maxage from what browsers see, as Vercel does', () => {
    const response = handler(
      viewerResponse({ 'cache-control': { value: 'public, s-maxage=60, stale-while-revalidate=30' } }),
    ) as { headers: Headers };
    expect(response.headers['cache-control']).toEqual({ value: 'public, stale-while-revalidate=30' });
  });

  test("sends Vercel's default Cache-Control when only s-maxage was set", () => {
    const response = handler(viewerResponse({ 'cache-control': { value: 'S-MaxAge=60' } })) as {
      headers: Headers;
    };
    expect(response.headers['cache-control']).toEqual({ value: 'public, max-age=0, must-revalidate' });
  });

  test('leaves responses without Cache-Control without one', () => {
    const response = handler(viewerResponse({ 'content-type': { value: 'text/plain' } })) as {
      headers: Headers;
    };
    expect(response.headers['cache-control']).toBeUndefined();
    expect(response.headers['content-type']).toEqual({ value: 'text/plain' });
  });

  test('removes every internal header from viewer responses', () => {
    const response = handler(
      viewerResponse({ 'x-vfa-anything': { value: '1' }, 'x-powered-by': { value: 'x' } }),
    ) as { headers: Headers };
    expect(Object.keys(response.headers)).toEqual(['x-powered-by']);
  });

  test('uses the header names of the constructs contract', () => {
    const source = cloudFrontFunctionSource('viewer-response');
    expect(source).toContain(JSON.stringify(BROWSER_CACHE_CONTROL_HEADER));
  });
});

describe('not-found CloudFront Function', () => {
  test("answers Vercel's 404 when no function route matched", () => {
    const response = load('not-found')(viewerRequest({ host: { value: 'a.example' } })) as {
      statusCode: number;
      body: { data: string };
      headers: Headers;
    };
    expect(response.statusCode).toBe(404);
    expect(response.body.data).toContain('NOT_FOUND');
    expect(response.headers['content-type'].value).toMatch(/^text\/plain/);
  });
});

// A route table as the constructs write it, served by a fake KeyValueStore that records its reads.
function routerFor(routes: Record<string, string>, fallback = '') {
  const items = routeTableItems(
    Object.entries(routes).map(([route, originId]) => ({ route: parseRoute(route), originId })),
  );
  const data = new Map(items.map((item) => [item.key, item.value]));
  const reads: string[] = [];
  const selected: string[] = [];
  const cf: FakeCloudFront = {
    kvs(id) {
      if (id !== 'kvs-test-id') throw new Error(`unknown KeyValueStore ${id}`);
      return {
        async get(key) {
          reads.push(key);
          const value = data.get(key);
          // CloudFront's get() rejects for a missing key.
          if (value === undefined) throw new Error(`Key ${key} not found`);
          return value;
        },
      };
    },
    selectRequestOriginById(id) {
      selected.push(id);
    },
  };
  const handler = load('router', {
    cf,
    placeholders: { __VFA_ROUTE_TABLE_ID__: 'kvs-test-id', __VFA_FALLBACK_ORIGIN_ID__: fallback },
  });
  const route = async (uri: string, headers: Headers = { host: { value: 'shop.example.com' } }) => {
    selected.length = 0;
    reads.length = 0;
    const result = (await handler(viewerRequest(headers, uri))) as { statusCode?: number; headers: Headers };
    return { result, origin: selected.length === 1 ? selected[0] : undefined, selections: selected.length };
  };
  return { route, reads };
}

const EXAMPLE_ROUTES = {
  '/api/hello': 'hello',
  '/api/users/[id]': 'user',
  '/api/users/me': 'me',
  '/api/users': 'users',
  '/api/[section]/list': 'list',
  '/api/index': 'index',
};

describe('router CloudFront Function', () => {
  test('keeps the cloudfront import on the first line, as CloudFront requires', () => {
    expect(cloudFrontFunctionSource('router').split('\n')[0]).toBe("import cf from 'cloudfront';");
  });

  test.each([
    ['/api/hello', 'hello'],
    ['/api/hello/', 'hello'],
    ['/api/hello.ts', 'hello'],
    ['/api/users', 'users'],
    ['/api/users/me', 'me'],
    ['/api/users/42', 'user'],
    ['/api/users/a%20b', 'user'],
    // A literal segment beats a dynamic one at the first difference: users/[id] over [section]/list.
    ['/api/users/list', 'user'],
    ['/api/posts/list', 'list'],
    ['/api/hell%6F', 'hello'],
  ])('selects the origin of the route serving %s', async (uri, origin) => {
    const { route } = routerFor(EXAMPLE_ROUTES);
    const { result, origin: selected, selections } = await route(uri);
    expect(selected).toBe(origin);
    expect(selections).toBe(1);
    expect(result.statusCode).toBeUndefined();
  });

  test.each(['/', '/api', '/api/users/1/2', '/api/users//', '/api/nothing', '/api/users%2Fme', '/other'])(
    "answers Vercel's 404 without selecting an origin for %s",
    async (uri) => {
      const { route } = routerFor(EXAMPLE_ROUTES);
      const { result, selections } = await route(uri);
      expect(selections).toBe(0);
      expect(result.statusCode).toBe(404);
      expect(JSON.stringify(result)).toContain('NOT_FOUND');
    },
  );

  test('sends unrouted paths to the fallback origin when there is one', async () => {
    const { route } = routerFor(EXAMPLE_ROUTES, 'default-fn');
    expect((await route('/other')).origin).toBe('default-fn');
    expect((await route('/api/hello')).origin).toBe('hello');
  });

  test('sanitises viewer headers like the viewer-request function', async () => {
    const { route } = routerFor(EXAMPLE_ROUTES);
    const { result } = await route('/api/hello', {
      host: { value: 'shop.example.com' },
      'x-vfa-origin-secret': { value: 'guess' },
      'x-vercel-ip-country': { value: 'KP' },
    });
    expect(Object.keys(result.headers).sort()).toEqual(
      ['host', 'x-forwarded-host', DISTRIBUTION_DOMAIN_HEADER, DISTRIBUTION_ID_HEADER].sort(),
    );
  });

  test('reads one key per path segment when literal segments match', async () => {
    const { route, reads } = routerFor(EXAMPLE_ROUTES);
    await route('/api/users/me');
    expect(reads).toEqual(['/api', '/api/users', '/api/users/me']);
  });

  test('routes exactly like the runtime matcher on any route set and path', async () => {
    const segment = fc.constantFrom('api', 'users', 'me', 'list', 'x', '[p]');
    const routeSet = fc.uniqueArray(fc.array(segment, { minLength: 1, maxLength: 4 }), {
      minLength: 1,
      maxLength: 8,
      // Routes of the same shape would serve the same paths (the constructs reject them).
      selector: (segments) => segments.map((s) => (s === '[p]' ? '*' : s)).join('/'),
    });
    const pathSegment = fc.constantFrom(
      'api',
      'users',
      'me',
      'list',
      'x',
      'y',
      '',
      'a%20b',
      '%E0%A4',
      'me.ts',
      '*',
    );
    const requestPath = fc
      .tuple(fc.array(pathSegment, { minLength: 0, maxLength: 5 }), fc.boolean())
      .map(([segments, slash]) => `/${segments.join('/')}${slash ? '/' : ''}`);
    await fc.assert(
      fc.asyncProperty(routeSet, requestPath, async (sets, uri) => {
        // Unique parameter names per route, as Vercel requires.
        const paths = sets.map(
          (segments) => `/${segments.map((s, i) => (s === '[p]' ? `[p${i}]` : s)).join('/')}`,
        );
        const routes = Object.fromEntries(paths.map((p, i) => [p, `origin-${i}`]));
        const expected = matchRoute(paths.map(parseRoute).sort(compareRouteSpecificity), uri);
        const { origin } = await routerFor(routes).route(uri);
        expect(origin).toBe(expected ? routes[expected.route.path] : undefined);
      }),
      { numRuns: 400 },
    );
  });
});
