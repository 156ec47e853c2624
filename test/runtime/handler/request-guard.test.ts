import { createServer } from 'node:net';
import type { SecretsManagerEndpoint } from '../../../lib/local/secrets-manager-endpoint';
import { guardRequest } from '../../../runtime/handler/request-guard';
import { useSecretsManagerEndpoint } from './secrets-env';

const SECRET_ENV = 'VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN';
const ROUTE_ENV = 'VERCEL_FUNCTIONS_AWS_ROUTE';

function request(path: string, headers: Record<string, string> = {}, init: RequestInit = {}): Request {
  return new Request(`https://shop.example.com${path}`, { headers, ...init });
}

let errors: jest.SpyInstance;
beforeEach(() => {
  errors = jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

describe('guardRequest', () => {
  test('passes the request through and strips the origin secret header when no check is configured', async () => {
    const incoming = request('/api/hello', { 'x-vfa-origin-secret': 'anything', accept: 'text/plain' });
    const result = await guardRequest(incoming, 'r', {});
    expect(result).toBe(incoming);
    expect((result as Request).headers.has('x-vfa-origin-secret')).toBe(false);
    expect((result as Request).headers.get('accept')).toBe('text/plain');
  });

  describe('with secretHeader() protection', () => {
    let endpoint: SecretsManagerEndpoint;
    let restore: () => Promise<void>;
    let arn: string;
    beforeEach(async () => {
      ({ endpoint, restore } = await useSecretsManagerEndpoint());
      arn = endpoint.createSecret('origin-secret', 'cloudfront-knows-this');
    });
    afterEach(async () => {
      await restore();
    });

    test.each([
      ['missing', {}],
      ['wrong', { 'x-vfa-origin-secret': 'cloudfront-knows-thiz' }],
    ])('answers 403 without caching when the header is %s', async (_, headers) => {
      const result = await guardRequest(request('/api/hello', headers), 'r', { [SECRET_ENV]: arn });
      expect(result).toBeInstanceOf(Response);
      const response = result as Response;
      expect(response.status).toBe(403);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.text()).toBe('Forbidden');
    });

    test('answers 403 before refusing route headers a bundle without the headers rules cannot apply', async () => {
      const switches = globalThis as Record<string, unknown>;
      switches.__VFA_ROUTE_HEADERS__ = false;
      try {
        const result = await guardRequest(request('/api/hello', { 'x-vfa-route-headers': '{}' }), 'r', {
          [SECRET_ENV]: arn,
        });
        expect((result as Response).status).toBe(403);
        expect(errors).not.toHaveBeenCalled();
      } finally {
        delete switches.__VFA_ROUTE_HEADERS__;
      }
    });

    test('passes the request on without the header when the secret is right', async () => {
      const incoming = request('/api/hello', { 'x-vfa-origin-secret': 'cloudfront-knows-this' });
      const result = await guardRequest(incoming, 'r', { [SECRET_ENV]: arn });
      expect(result).toBe(incoming);
      expect(incoming.headers.has('x-vfa-origin-secret')).toBe(false);
    });

    test('answers 503 and logs why when Secrets Manager cannot be reached', async () => {
      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${await closedPort()}`;
      const result = await guardRequest(
        request('/api/hello', { 'x-vfa-origin-secret': 'cloudfront-knows-this' }),
        'req-503',
        { [SECRET_ENV]: arn },
      );
      expect((result as Response).status).toBe(503);
      expect((result as Response).headers.get('retry-after')).toBe('5');
      expect(String(errors.mock.calls[0][0])).toMatch(
        new RegExp(`Could not read the origin secret ${arn} .*Failing closed.*\\(request req-503\\)`),
      );
    });

    test("leaves the rules' headers off the 403 and 503 when the caller did not pass the secret check", async () => {
      const rules = {
        'x-vfa-route-headers': JSON.stringify({ 'content-security-policy': "default-src 'self'" }),
      };
      const forbidden = (await guardRequest(request('/api/hello', rules), 'r', {
        [SECRET_ENV]: arn,
      })) as Response;
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers.has('content-security-policy')).toBe(false);

      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${await closedPort()}`;
      const unavailable = (await guardRequest(
        request('/api/hello', { ...rules, 'x-vfa-origin-secret': 'cloudfront-knows-this' }),
        'r',
        { [SECRET_ENV]: arn },
      )) as Response;
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers.has('content-security-policy')).toBe(false);
    });

    test("adds the rules' headers to the route's 404 when the secret check passed", async () => {
      const result = (await guardRequest(
        request('/nowhere', {
          'x-vfa-origin-secret': 'cloudfront-knows-this',
          'x-vfa-route-headers': JSON.stringify({ 'x-robots-tag': 'noindex' }),
        }),
        'r',
        { [SECRET_ENV]: arn, [ROUTE_ENV]: '/api/hello' },
      )) as Response;
      expect(result.status).toBe(404);
      expect(result.headers.get('x-robots-tag')).toBe('noindex');
    });

    test('checks the secret before the route, so callers without it learn nothing about routes', async () => {
      const result = await guardRequest(request('/nowhere'), 'r', {
        [SECRET_ENV]: arn,
        [ROUTE_ENV]: '/api/hello',
      });
      expect((result as Response).status).toBe(403);
    });
  });

  describe('with a route', () => {
    test("answers Vercel's 404 when the route does not match the path the CDN let through", async () => {
      const result = await guardRequest(request('/api/users/1/2'), 'r', { [ROUTE_ENV]: '/api/users/[id]' });
      expect((result as Response).status).toBe(404);
      expect(await (result as Response).text()).toBe('The page could not be found.\n\nNOT_FOUND\n');
    });

    test('adds dynamic segments to the query, replacing client-sent ones, when the route matches', async () => {
      const result = await guardRequest(request('/api/users/a%2Fb?id=evil&x=1'), 'r', {
        [ROUTE_ENV]: '/api/users/[id]',
      });
      const routed = new URL((result as Request).url);
      expect(routed.pathname).toBe('/api/users/a%2Fb');
      expect(routed.search).toBe('?x=1&id=a%2Fb');
      expect(routed.searchParams.get('id')).toBe('a/b');
    });

    test('keeps method, headers and the streamed body when it rewrites the query', async () => {
      const incoming = request(
        '/api/users/7',
        { 'content-type': 'application/json' },
        { method: 'POST', body: '{"name":"Ada"}' },
      );
      const result = (await guardRequest(incoming, 'r', { [ROUTE_ENV]: '/api/users/[id]' })) as Request;
      expect(result.method).toBe('POST');
      expect(result.headers.get('content-type')).toBe('application/json');
      expect(await result.json()).toEqual({ name: 'Ada' });
      expect(new URL(result.url).searchParams.get('id')).toBe('7');
    });

    test('passes the same request through when a static route matches', async () => {
      const incoming = request('/api/hello/?a=1');
      expect(await guardRequest(incoming, 'r', { [ROUTE_ENV]: '/api/hello' })).toBe(incoming);
    });

    test('after a static route let a path through, still answers every other path for itself', async () => {
      // The guard remembers the last URL (up to its query) a parameterless route let through, so
      // repeats skip parsing and matching: nothing else may ride on that.
      const route = { [ROUTE_ENV]: '/api/hello' };
      const first = request('/api/hello?a=1');
      expect(await guardRequest(first, 'r', route)).toBe(first);
      const again = request('/api/hello?b=2');
      expect(await guardRequest(again, 'r', route)).toBe(again);
      for (const path of ['/api/hellox', '/api/hello/x', '/api/hell', '/api', '/api/hello%2Fx']) {
        expect(((await guardRequest(request(path), 'r', route)) as Response).status).toBe(404);
      }
      const elsewhere = new Request('https://other.example.com/api/nope?x=/api/hello');
      expect(((await guardRequest(elsewhere, 'r', route)) as Response).status).toBe(404);
      // The rewrite's destination decides, even for the URL let through just before.
      const rewritten = request('/api/hello', { 'x-vfa-rewrite-path': '/api/other' });
      expect(((await guardRequest(rewritten, 'r', route)) as Response).status).toBe(404);
      const toRoute = request('/elsewhere', { 'x-vfa-rewrite-path': '/api/hello' });
      expect(await guardRequest(toRoute, 'r', route)).toBe(toRoute);
      // ...and a destination let through admits no viewer URL of the same text.
      const viewer = request('/elsewhere');
      expect(((await guardRequest(viewer, 'r', route)) as Response).status).toBe(404);
      const last = request('/api/hello/');
      expect(await guardRequest(last, 'r', route)).toBe(last);
    });

    test('forgets the path a route let through when the route changes', async () => {
      const hello = request('/api/hello');
      expect(await guardRequest(hello, 'r', { [ROUTE_ENV]: '/api/hello' })).toBe(hello);
      const result = await guardRequest(request('/api/hello'), 'r', { [ROUTE_ENV]: '/api/bye' });
      expect((result as Response).status).toBe(404);
      const bye = request('/api/bye');
      expect(await guardRequest(bye, 'r', { [ROUTE_ENV]: '/api/bye' })).toBe(bye);
    });

    test('matches every request of a route with parameters, each with its own values', async () => {
      const route = { [ROUTE_ENV]: '/api/users/[id]' };
      for (const id of ['1', '1', '2']) {
        const result = (await guardRequest(request(`/api/users/${id}`), 'r', route)) as Request;
        expect(new URL(result.url).searchParams.get('id')).toBe(id);
      }
    });

    test('answers 500 and logs the variable when the route is malformed', async () => {
      const result = await guardRequest(request('/api/x'), 'req-bad', { [ROUTE_ENV]: 'api/x' });
      expect((result as Response).status).toBe(500);
      expect(String(errors.mock.calls[0][0])).toMatch(
        /VERCEL_FUNCTIONS_AWS_ROUTE is not a route.*\(request req-bad\)/,
      );
    });
  });

  describe('with a route and a vercel.json rewrite', () => {
    const route = { [ROUTE_ENV]: '/api/users/[id]' };

    test("matches the route against the rewrite's destination and keeps the viewer's path in the URL", async () => {
      const incoming = request('/u/7?id=7&sort=asc', { 'x-vfa-rewrite-path': '/api/users/7' });
      const result = (await guardRequest(incoming, 'r', route)) as Request;
      expect(result).toBeInstanceOf(Request);
      expect(result.url).toBe('https://shop.example.com/u/7?sort=asc&id=7');
      expect(result.headers.has('x-vfa-rewrite-path')).toBe(false);
    });

    test("adds the destination's decoded dynamic segment to the query when it is percent-encoded", async () => {
      const incoming = request('/people/ada', { 'x-vfa-rewrite-path': '/api/users/ada%20lovelace' });
      const result = (await guardRequest(incoming, 'r', route)) as Request;
      expect(new URL(result.url).searchParams.get('id')).toBe('ada lovelace');
      expect(new URL(result.url).pathname).toBe('/people/ada');
    });

    test("answers Vercel's 404 when the route does not serve the rewrite's destination", async () => {
      // The viewer's path would match; the destination decides.
      const incoming = request('/api/users/7', { 'x-vfa-rewrite-path': '/api/users/7/posts' });
      const result = (await guardRequest(incoming, 'r', route)) as Response;
      expect(result.status).toBe(404);
      expect(await result.text()).toContain('NOT_FOUND');
    });

    test.each([
      ['does not start with "/"', 'api/users/7', 'must be a URL path starting with "/"'],
      ['holds a query', '/api/users/7?x=1', 'must be a percent-encoded URL path without query or fragment'],
      ['holds a fragment', '/api/users/7#x', 'must be a percent-encoded URL path without query or fragment'],
      ['holds a space', '/api/users/a b', 'must be a percent-encoded URL path without query or fragment'],
    ])('answers "Bad Request", and logs the header, when the destination %s', async (_, path, problem) => {
      const result = (await guardRequest(
        request('/u/7', { 'x-vfa-rewrite-path': path }),
        'req-rw',
        route,
      )) as Response;
      expect(result.status).toBe(400);
      expect(result.headers.get('cache-control')).toBe('no-store');
      // The body names no internal header; the log does.
      expect(await result.text()).toBe('Bad Request');
      const line = String(errors.mock.calls[0][0]);
      expect(line).toContain('Rejected the request with 400');
      expect(line).toContain('(request req-rw)');
      expect(errors.mock.calls[0][1]).toMatchObject({
        name: 'InvalidEventError',
        message: `Invalid request: header "x-vfa-rewrite-path" ${problem}, got ${JSON.stringify(path)}`,
      });
    });

    test('routes a destination with a malformed percent-escape as the same path requested directly', async () => {
      // The viewer's path put the escape there (`/u/%E0%A4` → `/api/users/%E0%A4`), not the config.
      const direct = (await guardRequest(request('/api/users/%E0%A4'), 'r', route)) as Request;
      const rewritten = (await guardRequest(
        request('/u/%E0%A4', { 'x-vfa-rewrite-path': '/api/users/%E0%A4' }),
        'r',
        route,
      )) as Request;
      expect(rewritten).toBeInstanceOf(Request);
      expect(new URL(rewritten.url).searchParams.get('id')).toBe(new URL(direct.url).searchParams.get('id'));
      expect(new URL(rewritten.url).pathname).toBe('/u/%E0%A4');
      expect(errors).not.toHaveBeenCalled();
    });

    test('ignores the rewrite path, and strips it, when the function has no route', async () => {
      const incoming = request('/api/hello', { 'x-vfa-rewrite-path': 'not a path' });
      expect(await guardRequest(incoming, 'r', {})).toBe(incoming);
      expect(incoming.headers.has('x-vfa-rewrite-path')).toBe(false);
    });
  });

  describe('with route headers', () => {
    const routeHeaders = JSON.stringify({ 'cache-control': 'max-age=600', 'x-robots-tag': 'noindex' });

    test('strips them from an admitted request', async () => {
      const incoming = request('/api/hello', { 'x-vfa-route-headers': routeHeaders });
      expect(await guardRequest(incoming, 'r', {})).toBe(incoming);
      expect(incoming.headers.has('x-vfa-route-headers')).toBe(false);
    });

    test("leaves a rule's CDN-Cache-Control and Vercel-CDN-Cache-Control off the guard's 404", async () => {
      const result = (await guardRequest(
        request('/api/users/1/2', {
          'x-vfa-route-headers': JSON.stringify({
            'cdn-cache-control': 'max-age=3600',
            'vercel-cdn-cache-control': 'max-age=3600',
            'x-robots-tag': 'noindex',
          }),
        }),
        'r',
        { [ROUTE_ENV]: '/api/users/[id]' },
      )) as Response;
      expect(result.status).toBe(404);
      expect(result.headers.has('cdn-cache-control')).toBe(false);
      expect(result.headers.has('vercel-cdn-cache-control')).toBe(false);
      expect(result.headers.get('x-robots-tag')).toBe('noindex');
    });

    test("adds them to the guard's 404 without replacing its own Cache-Control", async () => {
      const result = (await guardRequest(
        request('/api/users/1/2', { 'x-vfa-route-headers': routeHeaders }),
        'r',
        { [ROUTE_ENV]: '/api/users/[id]' },
      )) as Response;
      expect(result.status).toBe(404);
      expect(result.headers.get('x-robots-tag')).toBe('noindex');
      expect(result.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    });
  });

  // A bundle built without a check (esbuild `define`, bundle-switches.ts) sees the switch as a global
  // `false`; setting the global stands in for the define here. test/harness/origin-guard.test.ts runs
  // real bundles built that way.
  describe('in a bundle built without a check', () => {
    const switches = globalThis as Record<string, unknown>;
    afterEach(() => {
      delete switches.__VFA_ORIGIN_SECRET_CHECK__;
      delete switches.__VFA_ROUTE_CHECK__;
      delete switches.__VFA_ROUTE_HEADERS__;
    });

    test('refuses with 500 and logs the variable when the origin secret variable is set anyway', async () => {
      switches.__VFA_ORIGIN_SECRET_CHECK__ = false;
      const result = await guardRequest(
        request('/api/hello', { 'x-vfa-origin-secret': 'anything' }),
        'req-lean',
        { [SECRET_ENV]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:origin-AbCdEf' },
      );
      expect((result as Response).status).toBe(500);
      expect((result as Response).headers.get('cache-control')).toBe('no-store');
      expect(String(errors.mock.calls[0][0])).toMatch(
        /VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN is set, but this function was bundled without the origin secret check.*refusing the request.*\(request req-lean\)/,
      );
    });

    test('refuses with 500 and logs the variable when the route variable is set anyway', async () => {
      switches.__VFA_ROUTE_CHECK__ = false;
      const result = await guardRequest(request('/api/users/1'), 'req-lean', {
        [ROUTE_ENV]: '/api/users/[id]',
      });
      expect((result as Response).status).toBe(500);
      expect(String(errors.mock.calls[0][0])).toMatch(
        /VERCEL_FUNCTIONS_AWS_ROUTE is set, but this function was bundled without the route check/,
      );
    });

    test('serves the request and strips the secret header when neither variable is set', async () => {
      switches.__VFA_ORIGIN_SECRET_CHECK__ = false;
      switches.__VFA_ROUTE_CHECK__ = false;
      const incoming = request('/api/hello', { 'x-vfa-origin-secret': 'anything' });
      expect(await guardRequest(incoming, 'r', {})).toBe(incoming);
      expect(incoming.headers.has('x-vfa-origin-secret')).toBe(false);
    });

    test('refuses with 500 and logs the header and the prop when route headers arrive without the headers rules', async () => {
      switches.__VFA_ROUTE_HEADERS__ = false;
      const incoming = request('/api/users/1', {
        'x-vfa-route-headers': JSON.stringify({ 'content-security-policy': "default-src 'self'" }),
      });
      const result = (await guardRequest(incoming, 'req-lean', {})) as Response;
      expect(result.status).toBe(500);
      expect(result.headers.get('cache-control')).toBe('no-store');
      // Nothing of the rules is added: this bundle cannot read them.
      expect(result.headers.has('content-security-policy')).toBe(false);
      expect(await result.text()).toBe('Internal Server Error');
      expect(String(errors.mock.calls[0][0])).toMatch(
        /The CDN sent vercel\.json headers rules' response headers \(x-vfa-route-headers\), but this function was bundled with routeHeaders: false; set routeHeaders: true on its VercelFunction \(VercelProject sets it from vercel\.json\)\. Refusing the request rather than serving it without them.*\(request req-lean\)/,
      );
    });

    test('serves a request without route headers when bundled without the headers rules', async () => {
      switches.__VFA_ROUTE_HEADERS__ = false;
      const incoming = request('/u/1', { 'x-vfa-rewrite-path': '/api/users/1' });
      const result = (await guardRequest(incoming, 'r', { [ROUTE_ENV]: '/api/users/[id]' })) as Request;
      expect(result.url).toBe('https://shop.example.com/u/1?id=1');
      expect(errors).not.toHaveBeenCalled();
    });

    test('runs the checks when the switches are true', async () => {
      switches.__VFA_ORIGIN_SECRET_CHECK__ = true;
      switches.__VFA_ROUTE_CHECK__ = true;
      switches.__VFA_ROUTE_HEADERS__ = true;
      const result = await guardRequest(
        request('/api/users/1/2', { 'x-vfa-route-headers': '{"x-robots-tag":"noindex"}' }),
        'r',
        { [ROUTE_ENV]: '/api/users/[id]' },
      );
      expect((result as Response).status).toBe(404);
      expect((result as Response).headers.get('x-robots-tag')).toBe('noindex');
    });
  });
});

// A port nothing listens on: bound, then released.
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
