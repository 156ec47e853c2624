import type { RoutePattern } from '../../runtime/handler/route';

/** Characters CloudFront accepts in a path pattern segment (besides the `*` wildcard). */
export const PATH_PATTERN_SEGMENT = /^[A-Za-z0-9_\-.$~"'@:+&]+$/;

/**
 * The CloudFront path pattern serving a route: dynamic segments become `*`
 * (`/api/users/[id]` → `/api/users/*`). CloudFront's `*` also matches `/`, so the pattern lets
 * deeper paths through; the adapter answers those with a 404 (it knows the route).
 */
export function routePathPattern(route: RoutePattern): string {
  return `/${route.segments.map((segment) => (segment.kind === 'static' ? segment.value : '*')).join('/')}`;
}

/** The first literal segment CloudFront path patterns cannot express, if any. */
export function unsupportedPathPatternSegment(route: RoutePattern): string | undefined {
  for (const segment of route.segments) {
    if (segment.kind === 'static' && !PATH_PATTERN_SEGMENT.test(segment.value)) return segment.value;
  }
  return undefined;
}

/** One cache behaviour of a route. */
export interface RouteBehavior<R extends RoutePattern = RoutePattern> {
  readonly route: R;
  readonly pathPattern: string;
}

/**
 * The cache behaviours serving `routes` (ordered most specific first), in the order CloudFront must
 * evaluate them. Vercel serves a route's path with one trailing slash too (`/api/hello/`), which
 * vercel.json `trailingSlash: true` redirects every path to: a route whose last segment is literal
 * gets a second pattern for it (`/api/hello/`) unless `trailingSlash` is false (the viewer-request
 * functions then redirect the slash away first). A dynamic last segment's `*` matches the slash
 * already.
 *
 * CloudFront takes the first matching pattern, and `*` matches any run of characters, the empty one
 * and `/` included. So a pattern goes before every pattern that could take its paths:
 * - longer routes first (`/api/*` lets `/api/a/b` through, which `api/[x]/b.ts` serves);
 * - a trailing-slash pattern ranks with the routes one segment longer, and before them: `/api/` must
 *   win over `/api/*` (which matches it with an empty segment, served by no route);
 * - among equals, the route order (a literal segment before a dynamic one).
 */
export function routeBehaviors<R extends RoutePattern>(
  routes: readonly R[],
  trailingSlash: boolean | undefined,
): RouteBehavior<R>[] {
  const ranked = routes.flatMap((route, order) => {
    const pathPattern = routePathPattern(route);
    const length = route.segments.length;
    const own = { route, pathPattern, rank: length, tier: 1, order };
    if (!takesTrailingSlashPattern(route, trailingSlash)) return [own];
    return [own, { route, pathPattern: `${pathPattern}/`, rank: length + 1, tier: 0, order }];
  });
  ranked.sort((a, b) => b.rank - a.rank || a.tier - b.tier || a.order - b.order);
  return ranked.map(({ route, pathPattern }) => ({ route, pathPattern }));
}

/**
 * Two routes cache behaviours cannot tell apart, if any: the trailing-slash pattern of a route with a
 * dynamic segment and a literal last one (`/api/[a]/posts/`, whose `*` also matches `x/y`) ranks
 * before the routes one segment longer, so it would take `/api/x/y/posts/` from a route ending in a
 * dynamic segment (`/api/[a]/[b]/[c]`, which serves it on Vercel) — while that route's pattern
 * (three `*` after `/api`), ranked first, would take `/api/x/posts/` from it. Only the edge router matches
 * them exactly. Judged from the segments before the first dynamic one, where no `*` can shift the
 * alignment; past it the two are assumed to overlap.
 */
export function trailingSlashConflict<R extends RoutePattern>(
  routes: readonly R[],
  trailingSlash: boolean | undefined,
): { readonly slashed: R; readonly longer: R } | undefined {
  for (const slashed of routes) {
    if (!takesTrailingSlashPattern(slashed, trailingSlash)) continue;
    const firstDynamic = slashed.segments.findIndex((segment) => segment.kind === 'dynamic');
    if (firstDynamic === -1) continue;
    const longer = routes.find(
      (route) =>
        route.segments.length === slashed.segments.length + 1 &&
        route.segments.at(-1)!.kind === 'dynamic' &&
        slashed.segments.slice(0, firstDynamic).every((segment, i) => {
          const other = route.segments[i];
          return other.kind === 'dynamic' || (segment.kind === 'static' && other.value === segment.value);
        }),
    );
    if (longer) return { slashed, longer };
  }
  return undefined;
}

function takesTrailingSlashPattern(route: RoutePattern, trailingSlash: boolean | undefined): boolean {
  return trailingSlash !== false && route.segments.at(-1)!.kind === 'static';
}
