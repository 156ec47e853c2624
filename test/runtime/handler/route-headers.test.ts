import type { ResponsePrelude } from '../../../runtime/handler/response-stream';
import {
  applyRouteHeaders,
  parseRouteHeaders,
  withRouteHeaders,
} from '../../../runtime/handler/route-headers';

let errors: jest.SpyInstance;
beforeEach(() => {
  errors = jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

const prelude = (headers: Record<string, string> = {}, cookies: string[] = []): ResponsePrelude => ({
  statusCode: 200,
  headers,
  cookies,
});

describe('parseRouteHeaders', () => {
  test('reads a JSON object of header names to values, names lower-cased', () => {
    expect(parseRouteHeaders('{"X-Frame-Options":"DENY","cache-control":"s-maxage=60"}', 'r')).toEqual({
      'x-frame-options': 'DENY',
      'cache-control': 's-maxage=60',
    });
    expect(errors).not.toHaveBeenCalled();
  });

  test.each([
    ['not JSON', '{"x-a":', /is not valid JSON/],
    ['a JSON array', '["x-a","1"]', /is not a JSON object \(got an array\)/],
    ['a JSON string', '"x-a"', /is not a JSON object \(got string\)/],
  ])(
    'logs the problem once, naming the header, and returns undefined when the value is %s',
    (_, raw, problem) => {
      expect(parseRouteHeaders(raw, 'req-7')).toBeUndefined();
      expect(errors).toHaveBeenCalledTimes(1);
      const line = String(errors.mock.calls[0][0]);
      expect(line).toContain('"x-vfa-route-headers"');
      expect(line).toMatch(problem);
      expect(line).toContain('(request req-7)');
    },
  );
});

describe('parseRouteHeaders with one bad header', () => {
  test.each([
    ['a non-string value', '"x-a":1', /"x-a", whose value is invalid \(1\)/],
    ['a value with a line break', '"x-a":"1\\r\\nx-b: 2"', /"x-a", whose value is invalid/],
    ['a value beyond Latin-1', '"x-a":"\u2018self\u2019"', /"x-a", whose value is invalid/],
    ['an invalid name', '"x a":"1"', /the invalid header name "x a"/],
  ])('leaves only that header out, and logs it once naming it, when it has %s', (_, entry, problem) => {
    const raw = `{"Content-Security-Policy":"default-src 'self'",${entry},"strict-transport-security":"max-age=63072000"}`;
    expect(parseRouteHeaders(raw, 'req-7')).toEqual({
      'content-security-policy': "default-src 'self'",
      'strict-transport-security': 'max-age=63072000',
    });
    expect(errors).toHaveBeenCalledTimes(1);
    const line = String(errors.mock.calls[0][0]);
    expect(line).toContain('"x-vfa-route-headers"');
    expect(line).toMatch(problem);
    expect(line).toContain('(request req-7)');
  });

  test('logs every header left out in one line', () => {
    expect(parseRouteHeaders('{"x-a":1,"x-b":"ok","x-c":null}', 'r')).toEqual({ 'x-b': 'ok' });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0][0])).toMatch(/"x-a".*"x-c"/);
  });
});

describe('applyRouteHeaders', () => {
  test('adds each rule header the response does not set, and keeps the ones it sets', () => {
    const target = prelude({ 'content-type': 'text/plain', 'cache-control': 'max-age=10' });
    applyRouteHeaders(
      target,
      JSON.stringify({ 'cache-control': 's-maxage=60', 'x-frame-options': 'DENY' }),
      'r',
    );
    expect(target.headers).toEqual({
      'content-type': 'text/plain',
      'cache-control': 'max-age=10',
      'x-frame-options': 'DENY',
    });
  });

  test("puts a rule's set-cookie into cookies when the response sets no cookie", () => {
    const target = prelude();
    applyRouteHeaders(target, JSON.stringify({ 'set-cookie': 'seen=1; Path=/' }), 'r');
    expect(target.cookies).toEqual(['seen=1; Path=/']);
    expect(target.headers['set-cookie']).toBeUndefined();
  });

  test("leaves a rule's set-cookie out when the response sets cookies", () => {
    const target = prelude({}, ['session=abc']);
    applyRouteHeaders(target, JSON.stringify({ 'set-cookie': 'seen=1' }), 'r');
    expect(target.cookies).toEqual(['session=abc']);
  });

  test('changes nothing and logs nothing when the request carried no route headers', () => {
    const target = prelude({ a: '1' });
    applyRouteHeaders(target, undefined, 'r');
    expect(target).toEqual(prelude({ a: '1' }));
    expect(errors).not.toHaveBeenCalled();
  });

  test("keeps a rule's CDN cache headers off the adapter's own response when adapterResponse is true", () => {
    const rules = JSON.stringify({ 'cdn-cache-control': 'max-age=3600', 'x-robots-tag': 'noindex' });
    const own = prelude({ 'cache-control': 'no-store' });
    applyRouteHeaders(own, rules, 'r', true);
    expect(own.headers).toEqual({ 'cache-control': 'no-store', 'x-robots-tag': 'noindex' });
    const users = prelude();
    applyRouteHeaders(users, rules, 'r');
    expect(users.headers['cdn-cache-control']).toBe('max-age=3600');
  });

  test('changes nothing, and logs the problem, when the value is invalid', () => {
    const target = prelude({ a: '1' });
    applyRouteHeaders(target, '["x-b","2"]', 'r');
    expect(target).toEqual(prelude({ a: '1' }));
    expect(errors).toHaveBeenCalledTimes(1);
  });
});

describe('withRouteHeaders', () => {
  test("adds the rules' headers to the adapter's own response without replacing its headers", async () => {
    const response = new Response('Not found', { status: 404, headers: { 'cache-control': 'no-store' } });
    const result = withRouteHeaders(
      response,
      JSON.stringify({ 'cache-control': 'max-age=600', 'x-robots-tag': 'noindex', 'set-cookie': 'a=1' }),
      'r',
    );
    expect(result).toBe(response);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.headers.get('x-robots-tag')).toBe('noindex');
    expect(result.headers.getSetCookie()).toEqual(['a=1']);
    expect(await result.text()).toBe('Not found');
  });

  test("leaves a rule's CDN-Cache-Control and Vercel-CDN-Cache-Control off the adapter's own response", () => {
    const response = new Response('Not found', { status: 404, headers: { 'cache-control': 'no-store' } });
    withRouteHeaders(
      response,
      JSON.stringify({ 'CDN-Cache-Control': 'max-age=3600', 'vercel-cdn-cache-control': 'max-age=60' }),
      'r',
    );
    expect(response.headers.has('cdn-cache-control')).toBe(false);
    expect(response.headers.has('vercel-cdn-cache-control')).toBe(false);
  });
});
