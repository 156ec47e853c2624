import { InvalidRouteError } from '../errors';

// Vercel's zero-config routing for an `api/` folder, the part that decides which request a route
// serves — shared by the adapter (a function deployed for one route checks the request against it
// and receives the route's parameters in the query) and the local dev server (lib/local/routes.ts,
// which adds the file discovery). One implementation, so both behave the same:
// - a route path is the file path under the project without its extension (`index` stands for its
//   folder); a `[name]` segment matches exactly one non-empty path segment, whose percent-decoded
//   value reaches the function as the query parameter `name`, replacing a client-sent one
//   (`vercel dev` merges the route's query last);
// - a literal segment beats a dynamic one at the first position where two routes differ (Vercel
//   serves files before its dynamic rewrites);
// - one trailing slash is tolerated, and a request for `/api/hello.ts` is served by `api/hello.ts`
//   (Vercel's miss-phase extension strip).
// Source: vercel/vercel packages/fs-detectors/src/detect-builders.ts, and `vercel dev`'s behaviour.

/** File extensions that make a file under `api/` a function. */
export const ROUTE_EXTENSIONS: readonly string[] = ['.ts', '.tsx', '.js', '.mjs', '.cjs'];

/** One segment of a route's URL path. */
export type RouteSegment =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'dynamic'; readonly name: string };

/** A route path split into its segments, e.g. `/api/users/[id]`. */
export interface RoutePattern {
  /** The URL path it serves, dynamic segments in brackets, e.g. `/api/users/[id]`. */
  readonly path: string;
  /** The URL path's segments. */
  readonly segments: readonly RouteSegment[];
  /** Names of the dynamic segments, in path order. */
  readonly params: readonly string[];
}

/** A request path resolved to a route. */
export interface RouteMatch<R extends RoutePattern = RoutePattern> {
  readonly route: R;
  /** Values of the dynamic segments, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
}

/** One path segment of a route source: `[name]` is dynamic, anything else literal. */
export function parseRouteSegment(part: string): RouteSegment {
  return part.startsWith('[') && part.endsWith(']') && part.length > 2
    ? { kind: 'dynamic', name: part.slice(1, -1) }
    : { kind: 'static', value: part };
}

/**
 * Parses a route path such as `/api/users/[id]`.
 *
 * @throws InvalidRouteError when the path does not start with `/`, has an empty segment, or uses a
 *   parameter name twice
 */
export function parseRoute(path: string): RoutePattern {
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/') {
    throw new InvalidRouteError(
      `A route must be a path such as /api/users/[id] (starting with "/", at least one segment), got ${JSON.stringify(path)}`,
    );
  }
  const parts = path.slice(1).split('/');
  if (parts.some((part) => part === '')) {
    throw new InvalidRouteError(`The route ${JSON.stringify(path)} has an empty path segment`);
  }
  const segments = parts.map(parseRouteSegment);
  const params = segments.flatMap((segment) => (segment.kind === 'dynamic' ? [segment.name] : []));
  const duplicate = params.find((name, i) => params.indexOf(name) !== i);
  if (duplicate !== undefined) {
    throw new InvalidRouteError(
      `The segment "${duplicate}" occurs more than once in the route ${JSON.stringify(path)}: dynamic segment names must be unique`,
    );
  }
  // `path` as given: its segments, joined again, are exactly what formatRoutePath would write.
  return { path, segments, params };
}

/** The route path of some segments: `/api/users/[id]`. */
export function formatRoutePath(segments: readonly RouteSegment[]): string {
  return `/${segments.map((s) => (s.kind === 'static' ? s.value : `[${s.name}]`)).join('/')}`;
}

/**
 * Resolves a URL pathname (still percent-encoded, no query) to the first route that serves it, or
 * `undefined`. `routes` must be ordered most specific first (`compareRouteSpecificity`).
 */
export function matchRoute<R extends RoutePattern>(
  routes: readonly R[],
  pathname: string,
): RouteMatch<R> | undefined {
  const segments = splitPath(pathname);
  const exact = matchSegments(routes, segments);
  if (exact) return exact;
  const last = segments.at(-1);
  const extension = last === undefined ? undefined : ROUTE_EXTENSIONS.find((ext) => last.endsWith(ext));
  if (last === undefined || extension === undefined || last === extension) return undefined;
  return matchSegments(routes, [...segments.slice(0, -1), last.slice(0, -extension.length)]);
}

/**
 * Most specific first: at the first position where two routes differ in kind, a literal segment
 * wins over a dynamic one; then shorter routes first. (Routes of different lengths never match the
 * same path, and two literal segments that differ never match the same path either.)
 */
export function compareRouteSpecificity(a: RoutePattern, b: RoutePattern): number {
  const length = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const [x, y] = [a.segments[i], b.segments[i]];
    if (x.kind !== y.kind) return x.kind === 'static' ? -1 : 1;
  }
  return a.segments.length - b.segments.length;
}

/**
 * Adds the route's parameters to a raw query string the way Vercel does: each parameter replaces any
 * client-sent parameter of the same name; the client's other parameters are kept byte for byte.
 */
export function withRouteParams(rawQuery: string, params: Readonly<Record<string, string>>): string {
  const names = new Set(Object.keys(params));
  if (names.size === 0) return rawQuery;
  const kept = rawQuery
    .split('&')
    .filter((pair) => pair !== '' && !names.has(decodeQueryComponent(pair.split('=', 1)[0])));
  const added = Object.entries(params).map(
    ([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
  );
  return [...kept, ...added].join('&');
}

function matchSegments<R extends RoutePattern>(
  routes: readonly R[],
  segments: readonly string[],
): RouteMatch<R> | undefined {
  for (const route of routes) {
    if (route.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matched = route.segments.every((segment, i) => {
      const value = decodePathSegment(segments[i]);
      if (segment.kind === 'dynamic') {
        params[segment.name] = value;
        return value !== '';
      }
      return segment.value === value;
    });
    if (matched) return { route, params };
  }
  return undefined;
}

function splitPath(pathname: string): string[] {
  // One trailing slash is tolerated (`/api/hello/` → `/api/hello`); empty segments otherwise never match.
  const trimmed = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  return trimmed.split('/').slice(1);
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape cannot name a file; keep it raw so it can still fill a dynamic segment.
    return segment;
  }
}

function decodeQueryComponent(component: string): string {
  try {
    return decodeURIComponent(component.replaceAll('+', ' '));
  } catch {
    return component;
  }
}
