import { pathPatternMatches } from '../../lib/local/cloudfront';
import { minimumRouteBehaviors, routeBehaviorPlan } from '../../lib/private/route-path-pattern';
import {
  compareRouteSpecificity,
  matchRoute,
  parseRoute,
  type RoutePattern,
} from '../../runtime/handler/route';

// Cache behaviours against Vercel's matching (runtime/handler/route.ts, which the edge router and
// `npm start` share): for every path built from a project's routes, the function CloudFront's first
// matching pattern sends it to, then the adapter's own route check, must give what Vercel gives.

const routeBehaviors = (project: RoutePattern[], trailingSlash: boolean | undefined) =>
  routeBehaviorPlan(project, trailingSlash).behaviors;
const trailingSlashConflict = (project: RoutePattern[], trailingSlash: boolean | undefined) =>
  routeBehaviorPlan(project, trailingSlash).conflict;

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
  // One value equal to no literal stands for all of them (they behave alike for both).
  let fresh = 'x';
  while (literals.includes(fresh)) fresh += 'x';
  const values = [...literals, fresh];
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
    // A trailing-slash pattern after the routes of its length more specific at an earlier segment.
    [['/api/[a]/b', '/api/x/[c]']],
    [['/api/[org]/members', '/api/admin/[resource]']],
    [['/api/[org]/members', '/api/admin/[resource]', '/api/[org]/[team]/members', '/api/admin/x/[y]']],
    [['/api/[a]/[b]/c', '/api/[a]/x/[d]', '/api/y/[b]/[e]']],
    // A dynamic route whose slashed paths a longer route's literal prefix takes: `/api/users/`.
    [['/api', '/api/hello', '/api/[id]', '/api/users/[id]/posts', '/api/users/[id]']],
    [['/api/[id]', '/api/users/[id]', '/api/teams/[id]', '/api/teams/[id]/members']],
    [['/api/v1/[id]', '/api/v1/users/[id]', '/api/v1/users/me']],
    [['/api/[id]', '/api/users/[id]/[field]']],
    // Index routes, catch-alls and optional catch-alls (one segment each, as the adapter matches them).
    [['/api', '/api/users', '/api/users/[...slug]', '/api/[[...path]]/x']],
    [['/index-page', '/api/[...slug]', '/api/docs/[[...slug]]', '/api/docs']],
    [['/[a]', '/x/[b]/y', '/[a]/z']],
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
      // /api/[id]'s own: /api/users/* matches it (with an empty *), and must follow /api/*'s
      // /api/users/7, which /api/users/[id] serves.
      '/api/users/',
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

// A conflict is real: each step's pattern matches a path Vercel serves with the route of the
// previous step's pattern, so whichever pattern of the cycle CloudFront tries first takes a path
// from another route.
function expectRealCycle(project: RoutePattern[], trailingSlash: boolean | undefined) {
  const conflict = trailingSlashConflict(project, trailingSlash);
  expect(conflict).toBeDefined();
  const patterns = routeBehaviors(project, trailingSlash);
  conflict!.steps.forEach((step, i) => {
    const previous = conflict!.steps.at(i - 1)!;
    expect(step.servedBy).toBe(previous.route);
    expect(step.servedBy).not.toBe(step.route);
    expect(pathPatternMatches(step.pathPattern, step.path)).toBe(true);
    expect(matchRoute(project, step.path)?.route).toBe(step.servedBy);
    expect(patterns).toContainEqual({ route: step.route, pathPattern: step.pathPattern });
    // The path's own route has no other pattern that could serve it first.
    const own = patterns.filter(
      (b) => b.route === step.servedBy && pathPatternMatches(b.pathPattern, step.path),
    );
    expect(own.map((b) => b.pathPattern)).toEqual([previous.pathPattern]);
  });
  return conflict!;
}

describe('trailingSlashConflict', () => {
  test('names the routes when a trailing-slash pattern would take the paths of a longer dynamic route', () => {
    const project = routes('/api/users/[id]/posts', '/api/users/[id]/posts/[postId]');
    const conflict = expectRealCycle(project, undefined);
    expect([conflict.first.path, conflict.second.path]).toEqual([
      '/api/users/[id]/posts',
      '/api/users/[id]/posts/[postId]',
    ]);
    expect(conflict.reason).toBe(
      'CloudFront takes the first matching path pattern, and its * matches several segments or none: /api/users/*/posts/* (/api/users/[id]/posts/[postId]) matches /api/users/x/posts/, which /api/users/[id]/posts serves, and /api/users/*/posts/ (/api/users/[id]/posts with a trailing slash) matches /api/users/x/posts/posts/, which /api/users/[id]/posts/[postId] serves, so no order of the patterns serves every path as Vercel does',
    );
    // A real difference: the slashed pattern's * takes `x/posts`, and the posts function answers 404.
    expect(mismatches(project)).toContain(
      '/api/users/x/posts/posts/: Vercel /api/users/[id]/posts/[postId], cache behaviours undefined',
    );
  });

  test.each([
    // /api/*/* takes /api/x/ from /api/[id], whose /api/* takes /api/x/y from /api/[a]/[b].
    [['/api/[id]', '/api/[a]/[b]']],
    [['/api/users/[id]', '/api/users/[id]/[field]']],
    [['/api/[a]/[b]/c', '/api/[a]/x/[d]', '/api/y/[b]/[e]', '/api/[a]/[b]/[f]']],
    [['/[a]', '/[a]/[b]']],
  ])('finds a real cycle for %j, unless trailingSlash is false', (paths) => {
    const project = routes(...paths);
    expectRealCycle(project, undefined);
    expectRealCycle(project, true);
    expect(trailingSlashConflict(project, false)).toBeUndefined();
    expect(mismatches(project, false)).toEqual([]);
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

describe('routeBehaviors on every small project', () => {
  // Every project of two or three routes built from these: whenever no conflict is found, every
  // path is served as on Vercel; with trailingSlash: false there is never one.
  const shapes = [
    '/api',
    '/api/a',
    '/api/[p]',
    '/api/a/b',
    '/api/a/[q]',
    '/api/[p]/b',
    '/api/[p]/[q]',
    '/api/a/b/[r]',
    '/api/[p]/b/c',
    '/api/[p]/[q]/b',
    '/api/[p]/a/[r]',
  ];
  const projects: string[][] = [];
  for (let i = 0; i < shapes.length; i++) {
    for (let j = i + 1; j < shapes.length; j++) {
      projects.push([shapes[i], shapes[j]]);
      for (let k = j + 1; k < shapes.length; k++) projects.push([shapes[i], shapes[j], shapes[k]]);
    }
  }

  test('serves every path as Vercel does, or reports a real cycle', () => {
    let conflicts = 0;
    for (const paths of projects) {
      const project = routes(...paths);
      for (const trailingSlash of [undefined, true, false]) {
        if (trailingSlashConflict(project, trailingSlash)) {
          expect(trailingSlash).not.toBe(false);
          expectRealCycle(project, trailingSlash);
          conflicts++;
        } else {
          expect({ paths, trailingSlash, mismatches: mismatches(project, trailingSlash) }).toEqual({
            paths,
            trailingSlash,
            mismatches: [],
          });
        }
      }
    }
    // Most small projects keep their cache behaviours.
    expect(conflicts).toBeLessThan(projects.length);
  });

  test('minimumRouteBehaviors never counts more behaviours than planning gives, and as many without extra exact patterns', () => {
    const gaps = new Set<number>();
    for (const paths of projects) {
      const project = routes(...paths);
      for (const trailingSlash of [undefined, true, false]) {
        const plan = routeBehaviorPlan(project, trailingSlash);
        const minimum = minimumRouteBehaviors(project, trailingSlash);
        const exactExtras = plan.behaviors.filter(
          ({ route, pathPattern }) =>
            !pathPattern.includes('*') && pathPattern !== route.path && pathPattern !== `${route.path}/`,
        );
        if (plan.conflict === undefined) {
          expect({ paths, trailingSlash, minimum }).toEqual({
            paths,
            trailingSlash,
            minimum: plan.behaviors.length - exactExtras.length,
          });
        }
        expect(minimum).toBeLessThanOrEqual(plan.behaviors.length);
        if (trailingSlash === false) expect(minimum).toBe(project.length);
        gaps.add(plan.behaviors.length - minimum);
      }
    }
    // Both kinds are among them: projects planned to the minimum, and projects given exact patterns.
    expect(gaps.has(0)).toBe(true);
    expect([...gaps].some((gap) => gap > 0)).toBe(true);
  });
});
