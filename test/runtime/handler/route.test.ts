import { InvalidRouteError } from '../../../runtime/errors';
import {
  compareRouteSpecificity,
  matchRoute,
  parseRoute,
  withRouteParams,
} from '../../../runtime/handler/route';

describe('parseRoute', () => {
  test('splits a route into literal and dynamic segments when it has both', () => {
    expect(parseRoute('/api/users/[id]')).toEqual({
      path: '/api/users/[id]',
      segments: [
        { kind: 'static', value: 'api' },
        { kind: 'static', value: 'users' },
        { kind: 'dynamic', name: 'id' },
      ],
      params: ['id'],
    });
  });

  test('treats empty brackets as a literal segment', () => {
    expect(parseRoute('/api/[]').segments[1]).toEqual({ kind: 'static', value: '[]' });
  });

  test.each([
    ['', /starting with "\/"/],
    ['api/x', /starting with "\/"/],
    ['/', /at least one segment/],
    ['/api//x', /empty path segment/],
    ['/api/x/', /empty path segment/],
    ['/api/[id]/[id]', /"id" occurs more than once/],
  ])('throws InvalidRouteError when the route is %j', (route, message) => {
    expect(() => parseRoute(route)).toThrow(InvalidRouteError);
    expect(() => parseRoute(route)).toThrow(message);
  });
});

describe('matchRoute', () => {
  const users = parseRoute('/api/users/[id]');
  const me = parseRoute('/api/users/me');
  const hello = parseRoute('/api/hello');
  const routes = [me, hello, users].sort(compareRouteSpecificity);

  test('prefers a literal segment over a dynamic one when both match', () => {
    expect(matchRoute(routes, '/api/users/me')?.route).toBe(me);
    expect(matchRoute(routes, '/api/users/42')).toEqual({ route: users, params: { id: '42' } });
  });

  test('percent-decodes dynamic values and literal segments when matching', () => {
    expect(matchRoute([users], '/api/users/a%20b')?.params).toEqual({ id: 'a b' });
    expect(matchRoute([hello], '/api/hell%6F')?.route).toBe(hello);
  });

  test('keeps a malformed escape raw when it fills a dynamic segment', () => {
    expect(matchRoute([users], '/api/users/%E0%A4%A')?.params).toEqual({ id: '%E0%A4%A' });
  });

  test('tolerates one trailing slash and strips a function file extension when nothing else matches', () => {
    expect(matchRoute([hello], '/api/hello/')?.route).toBe(hello);
    expect(matchRoute([hello], '/api/hello.ts')?.route).toBe(hello);
    expect(matchRoute([hello], '/api/.ts')).toBeUndefined();
  });

  test('matches nothing when the path is deeper, shallower or empty where a segment is dynamic', () => {
    expect(matchRoute([users], '/api/users/1/2')).toBeUndefined();
    expect(matchRoute([users], '/api/users')).toBeUndefined();
    expect(matchRoute([users], '/api/users//')).toBeUndefined();
    expect(matchRoute([hello], '/')).toBeUndefined();
  });
});

describe('compareRouteSpecificity', () => {
  test('orders literal before dynamic at the first difference, then shorter first', () => {
    const sorted = ['/api/[section]/list', '/api/users/[id]', '/api/users/me', '/api', '/api/users']
      .map(parseRoute)
      .sort(compareRouteSpecificity)
      .map((route) => route.path);
    expect(sorted).toEqual(['/api', '/api/users', '/api/users/me', '/api/users/[id]', '/api/[section]/list']);
  });
});

describe('withRouteParams', () => {
  test('replaces client parameters of the same name and keeps the others byte for byte', () => {
    expect(withRouteParams('id=evil&x=%2F&id=2&y', { id: '1 2' })).toBe('x=%2F&y&id=1%202');
  });

  test('returns the query unchanged when the route has no parameters', () => {
    expect(withRouteParams('a=1&&b', {})).toBe('a=1&&b');
  });
});
