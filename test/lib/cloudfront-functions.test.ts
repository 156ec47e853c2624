import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import {
  BROWSER_CACHE_CONTROL_HEADER,
  DISTRIBUTION_DOMAIN_HEADER,
  DISTRIBUTION_ID_HEADER,
  INTERNAL_HEADER_PREFIX,
} from '../../lib/private/constructs-contract';

type Headers = Record<string, { value: string; multiValue?: { value: string }[] }>;

interface CloudFrontFunctionEvent {
  version: '1.0';
  context: { distributionDomainName?: string; distributionId?: string; eventType: string; requestId: string };
  viewer: { ip: string };
  request: { method: string; uri: string; querystring: object; headers: Headers; cookies: object };
  response?: { statusCode: number; statusDescription?: string; headers: Headers; cookies: object };
}

const FUNCTIONS_DIR = path.join(__dirname, '..', '..', 'lib', 'private', 'cloudfront-functions');

// Runs a CloudFront Function source the way CloudFront does: a script defining `handler`, called
// with the event. A fresh context per load, so no state leaks between tests.
function load(file: string): (event: CloudFrontFunctionEvent) => unknown {
  const context = vm.createContext({});
  vm.runInContext(readFileSync(path.join(FUNCTIONS_DIR, file), 'utf8'), context, { filename: file });
  return context.handler as (event: CloudFrontFunctionEvent) => unknown;
}

function viewerRequest(headers: Headers): CloudFrontFunctionEvent {
  return {
    version: '1.0',
    context: {
      distributionDomainName: 'd111111abcdef8.cloudfront.net',
      distributionId: 'EDFDVBD6EXAMPLE',
      eventType: 'viewer-request',
      requestId: 'req-1',
    },
    viewer: { ip: '198.51.100.10' },
    request: { method: 'GET', uri: '/api/hello', querystring: {}, headers, cookies: {} },
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
  const handler = load('viewer-request.js');

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
    const source = readFileSync(path.join(FUNCTIONS_DIR, 'viewer-request.js'), 'utf8');
    expect(source).toContain(`'${DISTRIBUTION_ID_HEADER}'`);
    expect(source).toContain(`'${DISTRIBUTION_DOMAIN_HEADER}'`);
    expect(source).toContain(`'${INTERNAL_HEADER_PREFIX}'`);
  });
});

describe('viewer-response CloudFront Function', () => {
  const handler = load('viewer-response.js');

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
    const source = readFileSync(path.join(FUNCTIONS_DIR, 'viewer-response.js'), 'utf8');
    expect(source).toContain(`'${BROWSER_CACHE_CONTROL_HEADER}'`);
  });
});

describe('not-found CloudFront Function', () => {
  test("answers Vercel's 404 when no function route matched", () => {
    const response = load('not-found.js')(viewerRequest({ host: { value: 'a.example' } })) as {
      statusCode: number;
      body: { data: string };
      headers: Headers;
    };
    expect(response.statusCode).toBe(404);
    expect(response.body.data).toContain('NOT_FOUND');
    expect(response.headers['content-type'].value).toMatch(/^text\/plain/);
  });
});
