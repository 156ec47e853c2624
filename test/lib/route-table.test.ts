import { KEY_VALUE_STORE_LIMITS, routeTableImport, routeTableItems } from '../../lib/private/route-table';
import { parseRoute } from '../../runtime/handler/route';

const entries = (routes: Record<string, string>) =>
  Object.entries(routes).map(([route, originId]) => ({ route: parseRoute(route), originId }));

describe('routeTableItems', () => {
  test('writes one key per route prefix with the origin and the kinds of continuation', () => {
    const items = routeTableItems(
      entries({ '/api/users': 'u', '/api/users/[id]': 'i', '/api/users/me': 'm' }),
    );
    expect(items).toEqual([
      { key: '/api', value: '{"l":1}' },
      { key: '/api/users', value: '{"o":"u","l":1,"d":1}' },
      { key: '/api/users/*', value: '{"o":"i"}' },
      { key: '/api/users/me', value: '{"o":"m"}' },
    ]);
  });

  test('produces the KeyValueStore import format', () => {
    expect(JSON.parse(routeTableImport(routeTableItems(entries({ '/a': 'x' }))))).toEqual({
      data: [{ key: '/a', value: '{"o":"x"}' }],
    });
  });

  test('throws when two routes serve the same paths', () => {
    expect(() => routeTableItems(entries({ '/api/[a]': 'x', '/api/[b]': 'y' }))).toThrow(
      'the routes /api/[a] and /api/[b] serve the same paths',
    );
  });

  test('throws when a key exceeds the KeyValueStore key size', () => {
    const long = `/${'a'.repeat(KEY_VALUE_STORE_LIMITS.keyBytes)}`;
    expect(() => routeTableItems(entries({ [long]: 'x' }))).toThrow(
      /bytes; a KeyValueStore key may have 512/,
    );
  });

  test('throws when a literal segment holds the dynamic marker', () => {
    expect(() => routeTableItems(entries({ '/api/a*': 'x' }))).toThrow(/literal segment with "\*"/);
  });
});
