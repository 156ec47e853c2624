import { pathPatternMatches } from '../../lib/local/cloudfront';
import {
  routeBehaviors,
  routePathPattern,
  trailingSlashConflict,
} from '../../lib/private/route-path-pattern';
import {
  compareRouteSpecificity,
  matchRoute,
  parseRoute,
  type RoutePattern,
} from '../../runtime/handler/route';

// Cache behaviours against Vercel's matching (runtime/handler/route.ts, which the edge router and
// `npm start` share): for every path built from a project's routes, the function CloudFront's first
// matching pattern sends it to, then the adapter's own route check, must give what Vercel gives.

function routes(...paths: string[]): RoutePattern[] {
  return paths.map(parseRoute).sort(compareRouteSpecificity);
}

// What a project serves a path with through cache behaviours: the route of the first matching
// behaviour, if the adapter of that route accepts the path (it answers 404 otherwise).
function servedByBehaviors(project: RoutePattern[], trailingSlash: boolean | undefined, path: string) {
  const behavior = routeBehaviors(project, trailingSlash).find(({ pathPattern }) =>
    pathPatternMatches(pathPattern, path),
  );
  return behavior && matchRoute([behavior.route], path) ? behavior.route.path : undefined;
}

// Paths around every route: each dynamic segment filled with each literal of the project (and one
// that is none), with and without a trailing slash and an extension, one segment more and one less.
function probes(project: RoutePattern[]): string[] {
  const literals = [
    ...new Set(project.flatMap((r) => r.segments.flatMap((s) => (s.kind === 'static' ? [s.value] : [])))),
  ];
  const values = [...literals, 'x'];
  const paths = new Set<string>();
  for (const route of project) {
    let filled = [''];
    for (const segment of route.segments) {
      const options = segment.kind === 'static' ? [segment.value] : values;
      filled = filled.flatMap((prefix) => options.map((value) => `${prefix}/${value}`));
    }
    for (const path of filled) {
      for (const variant of [
        path,
        `${path}/`,
        `${path}.ts`,
        `${path}/x`,
        `${path}/x/`,
        path.slice(0, path.lastIndexOf('/') + 1),
      ]) {
        paths.add(variant);
      }
    }
  }
  return [...paths];
}

// The paths served differently. `/api/hello.ts` is left out when no behaviour takes it: cache
// behaviours answer it with the edge's 404 (README, "Differences from Vercel"). With
// `trailingSlash: false` so are paths ending in `/`, which the viewer-request functions redirect
// before CloudFront chooses a behaviour.
function mismatches(project: RoutePattern[], trailingSlash?: boolean): string[] {
  return probes(project).flatMap((path) => {
    const vercel = matchRoute(project, path)?.route.path;
    const cloudFront = servedByBehaviors(project, trailingSlash, path);
    if (vercel === cloudFront) return [];
    if (cloudFront === undefined && path.endsWith('.ts')) return [];
    if (trailingSlash === false && path.endsWith('/')) return [];
    return [`${path}: Vercel ${vercel}, cache behaviours ${cloudFront}`];
  });
}

describe('routeBehaviors', () => {
  test.each([
    [['/api/hello', '/api/[id]']],
    [['/api', '/api/hello', '/api/[id]']],
    [['/api/users', '/api/users/[id]', '/api/users/[id]/posts', '/api/users/me']],
    [['/api/users/[id]/posts', '/api/users/[id]', '/api/[a]/[b]', '/api/only/me', '/api/index-page']],
    [['/api/[a]/b', '/api/[a]/[c]', '/api/x/[c]', '/api/x/b']],
    [['/api/after', '/api/hello', '/api/products/[id]', '/api/stock/[id]', '/api/users/[id]']],
    [['/legacy', '/legacy/[id]/edit', '/api/[...slug]']],
  ])('serves every path from the function Vercel serves it with, for %j', (paths) => {
    const project = routes(...paths);
    expect(trailingSlashConflict(project, undefined)).toBeUndefined();
    expect(mismatches(project)).toEqual([]);
    expect(mismatches(project, true)).toEqual([]);
    expect(mismatches(project, false)).toEqual([]);
  });

  test('gives a route ending in a literal segment a trailing-slash pattern ranked before the longer routes', () => {
    const project = routes('/api', '/api/hello', '/api/[id]', '/api/users/[id]/posts', '/api/users/[id]');
    expect(routeBehaviors(project, undefined).map((b) => b.pathPattern)).toEqual([
      '/api/users/*/posts/',
      '/api/users/*/posts',
      '/api/hello/',
      '/api/users/*',
      '/api/',
      '/api/hello',
      '/api/*',
      '/api',
    ]);
  });

  test('leaves trailing-slash patterns out when trailingSlash is false', () => {
    const project = routes('/api', '/api/hello', '/api/[id]');
    expect(routeBehaviors(project, false).map((b) => b.pathPattern)).toEqual([
      '/api/hello',
      '/api/*',
      '/api',
    ]);
  });
});

describe('trailingSlashConflict', () => {
  test('names the routes when a trailing-slash pattern would take the paths of a longer dynamic route', () => {
    const project = routes('/api/users/[id]/posts', '/api/users/[id]/posts/[postId]');
    const conflict = trailingSlashConflict(project, undefined);
    expect(conflict && [conflict.slashed.path, conflict.longer.path]).toEqual([
      '/api/users/[id]/posts',
      '/api/users/[id]/posts/[postId]',
    ]);
    // A real difference: the slashed pattern's * takes `x/posts`, and the posts function answers 404.
    expect(mismatches(project)).toContain(
      '/api/users/x/posts/posts/: Vercel /api/users/[id]/posts/[postId], cache behaviours undefined',
    );
    expect(routePathPattern(conflict!.slashed)).toBe('/api/users/*/posts');
  });

  test('finds none when trailingSlash is false or the literal prefixes differ', () => {
    expect(
      trailingSlashConflict(routes('/api/a/[id]/posts', '/api/a/[id]/posts/[p]'), false),
    ).toBeUndefined();
    expect(
      trailingSlashConflict(routes('/api/a/[id]/posts', '/api/b/[id]/x/[p]'), undefined),
    ).toBeUndefined();
  });
});
