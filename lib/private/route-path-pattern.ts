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
