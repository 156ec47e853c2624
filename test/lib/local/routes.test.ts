import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { discoverRoutes, matchRoute, RouteConflictError, withRouteParams } from '../../../lib/local/routes';

const projects: string[] = [];

/** Creates a project folder holding the given files (contents do not matter for routing). */
function project(...files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'routes-test-'));
  projects.push(dir);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), 'export default { fetch: () => new Response() };\n');
  }
  return dir;
}

afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

describe('discoverRoutes', () => {
  test('maps api files to paths without extensions when the folder has several kinds of files', () => {
    const dir = project('api/hello.ts', 'api/legacy.js', 'api/esm.mjs', 'api/cjs.cjs', 'api/page.tsx');
    expect(discoverRoutes(dir).map((route) => [route.path, route.source])).toEqual([
      ['/api/cjs', 'api/cjs.cjs'],
      ['/api/esm', 'api/esm.mjs'],
      ['/api/hello', 'api/hello.ts'],
      ['/api/legacy', 'api/legacy.js'],
      ['/api/page', 'api/page.tsx'],
    ]);
  });

  test('serves index files at their folder path when nested', () => {
    const dir = project('api/index.ts', 'api/users/index.ts');
    const routes = discoverRoutes(dir);
    expect(routes.map((route) => route.path)).toEqual(['/api', '/api/users']);
    expect(routes.every((route) => route.index)).toBe(true);
    expect(routes[0].file).toBe(join(dir, 'api/index.ts'));
  });

  test('skips underscore, dot, node_modules, declaration and non-code files when present', () => {
    const dir = project(
      'api/ok.ts',
      'api/_helper.ts',
      'api/_lib/db.ts',
      'api/.hidden.ts',
      'api/node_modules/pkg/index.js',
      'api/types.d.ts',
      'api/data.json',
      'api/README.md',
    );
    expect(discoverRoutes(dir).map((route) => route.source)).toEqual(['api/ok.ts']);
  });

  test('returns no routes when the project has no api folder', () => {
    expect(discoverRoutes(project('index.html'))).toEqual([]);
  });

  test('records dynamic segments from file and folder names', () => {
    const dir = project('api/[org]/[repo].ts');
    const [route] = discoverRoutes(dir);
    expect(route.path).toBe('/api/[org]/[repo]');
    expect(route.params).toEqual(['org', 'repo']);
  });

  test('orders literal segments before dynamic ones at the first difference', () => {
    const dir = project('api/users/[id].ts', 'api/users/me.ts', 'api/[section]/list.ts', 'api/users/list.ts');
    expect(discoverRoutes(dir).map((route) => route.path)).toEqual([
      '/api/users/list',
      '/api/users/me',
      '/api/users/[id]',
      '/api/[section]/list',
    ]);
  });

  test('throws when two files serve the same path with different extensions', () => {
    const dir = project('api/hello.ts', 'api/hello.js');
    expect(() => discoverRoutes(dir)).toThrow(RouteConflictError);
    expect(() => discoverRoutes(dir)).toThrow(
      /"api\/hello\.js" and "api\/hello\.ts" both serve \/api\/hello/,
    );
  });

  test('throws when sibling dynamic segments have different names', () => {
    const dir = project('api/users/[id].ts', 'api/users/[name].ts');
    expect(() => discoverRoutes(dir)).toThrow(/both serve \/api\/users\/\[id\]/);
    const folders = project('api/[a]/x.ts', 'api/[b]/y.ts');
    expect(() => discoverRoutes(folders)).toThrow(
      /name the same dynamic segment differently \("\[a\]" and "\[b\]"\)/,
    );
  });

  test('throws when one path uses a segment name twice', () => {
    const dir = project('api/[id]/[id].ts');
    expect(() => discoverRoutes(dir)).toThrow(
      /The segment "id" occurs more than once in "api\/\[id\]\/\[id\]\.ts"/,
    );
  });

  test('allows a file and an index file for the same path, preferring the file', () => {
    const dir = project('api/users.ts', 'api/users/index.ts');
    const match = matchRoute(discoverRoutes(dir), '/api/users');
    expect(match?.route.source).toBe('api/users.ts');
  });
});

describe('matchRoute', () => {
  const dir = project(
    'api/hello.ts',
    'api/index.ts',
    'api/users/[id].ts',
    'api/users/me.ts',
    'api/[org]/[repo]/index.ts',
    'api/hello world.ts',
  );
  const routes = discoverRoutes(dir);

  test('matches a static path exactly when no dynamic route competes', () => {
    expect(matchRoute(routes, '/api/hello')).toEqual({
      route: expect.objectContaining({ path: '/api/hello' }),
      params: {},
    });
  });

  test('matches the folder path when the file is an index', () => {
    expect(matchRoute(routes, '/api')?.route.source).toBe('api/index.ts');
    expect(matchRoute(routes, '/api/')?.route.source).toBe('api/index.ts');
  });

  test('prefers the literal file when a dynamic sibling also matches', () => {
    expect(matchRoute(routes, '/api/users/me')?.route.source).toBe('api/users/me.ts');
  });

  test('passes dynamic segments as decoded params when they match one segment', () => {
    expect(matchRoute(routes, '/api/users/42')?.params).toEqual({ id: '42' });
    expect(matchRoute(routes, '/api/users/J%C3%BCrgen%20M')?.params).toEqual({ id: 'Jürgen M' });
    expect(matchRoute(routes, '/api/vercel/next.js')?.params).toEqual({ org: 'vercel', repo: 'next.js' });
  });

  test('does not let a dynamic segment span several path segments', () => {
    expect(matchRoute(routes, '/api/users/42/posts/7')).toBeUndefined();
  });

  test('serves a path with the source extension when nothing else matches', () => {
    expect(matchRoute(routes, '/api/hello.ts')?.route.source).toBe('api/hello.ts');
    expect(matchRoute(routes, '/api/hello.js')?.route.source).toBe('api/hello.ts');
  });

  test('matches percent-encoded static segments against file names', () => {
    expect(matchRoute(routes, '/api/hello%20world')?.route.source).toBe('api/hello world.ts');
  });

  test('keeps a malformed escape raw when it fills a dynamic segment', () => {
    expect(matchRoute(routes, '/api/users/%E0%A4%A')?.params).toEqual({ id: '%E0%A4%A' });
  });

  test('returns undefined when no route matches', () => {
    expect(matchRoute(routes, '/')).toBeUndefined();
    expect(matchRoute(routes, '/api/nope')).toBeUndefined();
    expect(matchRoute(routes, '/api/users')).toBeUndefined();
    expect(matchRoute(routes, '/other/hello')).toBeUndefined();
  });
});

describe('withRouteParams', () => {
  test('appends params encoded when the query is empty', () => {
    expect(withRouteParams('', { id: '42' })).toBe('id=42');
    expect(withRouteParams('', { id: 'a b&c=d' })).toBe('id=a%20b%26c%3Dd');
  });

  test('replaces a client-sent parameter of the same name and keeps the others byte for byte', () => {
    expect(withRouteParams('id=1&q=a%20b&id=2&x=%2B', { id: '42' })).toBe('q=a%20b&x=%2B&id=42');
    expect(withRouteParams('i%64=spoof&flag', { id: '42' })).toBe('flag&id=42');
  });

  test('returns the query unchanged when the route has no params', () => {
    expect(withRouteParams('a=1&&b', {})).toBe('a=1&&b');
  });
});
