import * as upstream from '@vercel/functions/middleware';
import { InvalidMiddlewareRequestError } from '../../runtime/errors';
import { type ExtraResponseInit, next, rewrite } from '../../runtime/middleware';

function headersOf(response: Response): Record<string, string> {
  return Object.fromEntries(response.headers);
}

describe('rewrite', () => {
  test('sets x-middleware-rewrite when given a string', () => {
    const response = rewrite('https://example.com/new');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-middleware-rewrite')).toBe('https://example.com/new');
    expect(response.body).toBeNull();
  });

  test('stringifies the destination when given a URL', () => {
    expect(rewrite(new URL('/a?b=1', 'https://example.com')).headers.get('x-middleware-rewrite')).toBe(
      'https://example.com/a?b=1',
    );
  });

  test('keeps custom response headers and adds request overrides when given init', () => {
    const response = rewrite('https://example.com/new', {
      headers: { 'x-custom': 'kept' },
      request: { headers: new Headers({ 'x-from-middleware1': 'hello1', 'x-from-middleware2': 'hello2' }) },
    });
    expect(headersOf(response)).toEqual({
      'x-custom': 'kept',
      'x-middleware-rewrite': 'https://example.com/new',
      'x-middleware-request-x-from-middleware1': 'hello1',
      'x-middleware-request-x-from-middleware2': 'hello2',
      'x-middleware-override-headers': 'x-from-middleware1,x-from-middleware2',
    });
    expect(response.status).toBe(200);
  });
});

describe('next', () => {
  test('sets x-middleware-next to 1 when given no init', () => {
    const response = next();
    expect(response.status).toBe(200);
    expect(headersOf(response)).toEqual({ 'x-middleware-next': '1' });
  });

  test('passes status and statusText through when given them', () => {
    const response = next({ status: 202, statusText: 'Accepted' });
    expect(response.status).toBe(202);
    expect(response.statusText).toBe('Accepted');
  });

  test('sets an empty override list when the request headers are empty', () => {
    expect(next({ request: { headers: new Headers() } }).headers.get('x-middleware-override-headers')).toBe(
      '',
    );
  });

  test('throws a typed error with upstream message when request.headers is a plain object', () => {
    const init = { request: { headers: { 'x-a': 'b' } } } as unknown as ExtraResponseInit;
    expect(() => next(init)).toThrow(InvalidMiddlewareRequestError);
    expect(() => rewrite('/x', init)).toThrow('request.headers must be an instance of Headers');
    expect(() => upstream.next(init as upstream.ExtraResponseInit)).toThrow(
      'request.headers must be an instance of Headers',
    );
  });

  test.each<[string, ExtraResponseInit | undefined]>([
    ['no init', undefined],
    ['response headers', { headers: [['x-a', '1']] }],
    ['request headers', { request: { headers: new Headers({ 'x-user': 'u1', authorization: 'b' }) } }],
    ['a status', { status: 299, headers: new Headers({ 'x-b': '2' }) }],
  ])('produces the same response as the real package when given %s', (_label, init) => {
    for (const [ours, theirs] of [
      [next(init), upstream.next(init)],
      [rewrite('/dest', init), upstream.rewrite('/dest', init)],
    ]) {
      expect(headersOf(ours)).toEqual(headersOf(theirs));
      expect(ours.status).toBe(theirs.status);
    }
  });
});
