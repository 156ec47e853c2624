import { BROWSER_CACHE_CONTROL_HEADER } from '../../../runtime/constructs-contract';
import type { ResponsePrelude } from '../../../runtime/handler/response-stream';

// The CDN step's Vary warning: once per process (each route is its own function, so its own
// process). The module remembers that it warned, so each test loads a fresh copy.

type PrepareCdnResponse = typeof import('../../../runtime/cdn/response').prepareCdnResponse;

let warnings: jest.SpyInstance;

beforeEach(() => {
  warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  jest.restoreAllMocks();
});

function freshPrepare(): PrepareCdnResponse {
  let prepare: PrepareCdnResponse | undefined;
  jest.isolateModules(() => {
    prepare = (require('../../../runtime/cdn/response') as typeof import('../../../runtime/cdn/response'))
      .prepareCdnResponse;
  });
  return prepare!;
}

function respond(
  prepare: PrepareCdnResponse,
  url: string,
  headers: Record<string, string>,
  cookies: string[] = [],
  requestHeaders: Record<string, string> = {},
): ResponsePrelude {
  const prelude: ResponsePrelude = { statusCode: 200, headers: { ...headers }, cookies };
  const context = {
    requestId: `req-${url}`,
    headers: requestHeaders,
    deadline: Date.now() + 30_000,
    awaiter: { waitUntil: () => {} },
  };
  prepare(prelude, context, { method: 'GET', url });
  return prelude;
}

const logged = () => warnings.mock.calls.map((args) => args.map(String).join(' '));

describe('prepareCdnResponse', () => {
  test('keeps the response out of CloudFront and warns naming the path and Vary when Vary names Cookie', () => {
    const prepare = freshPrepare();
    const prelude = respond(prepare, 'https://example.com/api/me?token=secret', {
      'cache-control': 's-maxage=60',
      vary: 'Accept-Encoding, Cookie',
    });
    expect(prelude.headers).toEqual({
      'cache-control': 'private',
      vary: 'Accept-Encoding, Cookie',
      [BROWSER_CACHE_CONTROL_HEADER]: 's-maxage=60',
    });
    expect(logged()).toEqual([
      '[vercel-functions-aws] /api/me is not cached by CloudFront: its cache key ignores Vary: Accept-Encoding, Cookie (request req-https://example.com/api/me?token=secret)',
    ]);
  });

  test('warns only once when the process answers more such responses', () => {
    const prepare = freshPrepare();
    const headers = { 'cache-control': 's-maxage=60', vary: 'Accept-Language' };
    const first = respond(prepare, 'https://example.com/api/users/1', headers);
    const second = respond(prepare, 'https://example.com/api/users/2', { ...headers, vary: 'Origin' });
    expect(first.headers['cache-control']).toBe('private');
    expect(second.headers['cache-control']).toBe('private');
    expect(logged()).toHaveLength(1);
    expect(logged()[0]).toContain('/api/users/1 is not cached by CloudFront');
  });

  test('keeps the response out of CloudFront and warns naming the path when it sets cookies', () => {
    const prepare = freshPrepare();
    const prelude = respond(prepare, 'https://example.com/api/login', { 'cache-control': 's-maxage=60' }, [
      'session=abc; HttpOnly',
    ]);
    expect(prelude.headers).toEqual({
      'cache-control': 'private',
      [BROWSER_CACHE_CONTROL_HEADER]: 's-maxage=60',
    });
    expect(prelude.cookies).toEqual(['session=abc; HttpOnly']);
    expect(logged()).toEqual([
      '[vercel-functions-aws] /api/login is not cached by CloudFront: it sets cookies (request req-https://example.com/api/login)',
    ]);
  });

  test('warns once for cookies and Vary together when the process answers both', () => {
    const prepare = freshPrepare();
    respond(prepare, 'https://example.com/api/a', { 'cache-control': 's-maxage=60' }, ['a=1']);
    const varied = respond(prepare, 'https://example.com/api/b', {
      'cache-control': 's-maxage=60',
      vary: 'Cookie',
    });
    expect(varied.headers['cache-control']).toBe('private');
    expect(logged()).toHaveLength(1);
  });

  test('keeps the response out of CloudFront and warns naming Authorization when the request carried one', () => {
    const prepare = freshPrepare();
    const prelude = respond(
      prepare,
      'https://example.com/api/me',
      { 'cache-control': 'public, s-maxage=60' },
      [],
      {
        authorization: 'Bearer alice-token',
      },
    );
    expect(prelude.headers).toEqual({
      'cache-control': 'private',
      [BROWSER_CACHE_CONTROL_HEADER]: 'public, s-maxage=60',
    });
    expect(logged()).toEqual([
      '[vercel-functions-aws] /api/me is not cached by CloudFront: the request has Authorization (request req-https://example.com/api/me)',
    ]);
  });

  test('leaves a cacheable response to a request without Authorization cacheable', () => {
    const prepare = freshPrepare();
    const prelude = respond(
      prepare,
      'https://example.com/api/me',
      { 'cache-control': 'public, s-maxage=60' },
      [],
      {
        'x-real-ip': '203.0.113.9',
      },
    );
    expect(prelude.headers).toEqual({ 'cache-control': 'public, s-maxage=60' });
    expect(warnings).not.toHaveBeenCalled();
  });

  test('neither warns nor changes the response when Vary names only Accept-Encoding', () => {
    const prepare = freshPrepare();
    const prelude = respond(prepare, 'https://example.com/api/page', {
      'cache-control': 's-maxage=60',
      vary: 'Accept-Encoding',
    });
    expect(prelude.headers).toEqual({ 'cache-control': 's-maxage=60', vary: 'Accept-Encoding' });
    expect(warnings).not.toHaveBeenCalled();
  });

  test('does not warn when a response that varies on Cookie is not cacheable anyway', () => {
    const prepare = freshPrepare();
    respond(prepare, 'https://example.com/api/me', {
      'cache-control': 'private, max-age=60',
      vary: 'Cookie',
    });
    respond(prepare, 'https://example.com/api/me', { vary: 'Cookie' });
    expect(warnings).not.toHaveBeenCalled();
  });
});
