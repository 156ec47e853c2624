import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

// Vercel's zero-config routing for an `api/` folder, as `vercel dev` and deployments apply it to
// non-Next.js projects (vercel/vercel packages/fs-detectors/src/detect-builders.ts):
// - every `api/**/*.{js,mjs,ts}` file is a function (we also accept .tsx and .cjs); a path segment
//   starting with `.` or `_`, anything under node_modules, and `.d.ts` files are not;
// - the URL is the file path without its extension, `index` standing for its folder;
// - a `[name]` file or folder matches exactly one path segment, and its value reaches the function as
//   the query parameter `name`, overriding a client-sent one (`vercel dev` merges route query last);
// - a literal segment beats a dynamic one (Vercel serves files before its dynamic rewrites);
// - a request for `/api/hello.ts` is served by `api/hello.ts` (Vercel's miss-phase extension strip).

/** File extensions that make a file under `api/` a function. */
export const ROUTE_EXTENSIONS: readonly string[] = ['.ts', '.tsx', '.js', '.mjs', '.cjs'];

const API_DIR = 'api';

/** One segment of a route's URL path. */
export type RouteSegment =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'dynamic'; readonly name: string };

/** A function discovered in the `api/` folder. */
export interface Route {
  /** The URL path it serves, dynamic segments in brackets, e.g. `/api/users/[id]`. */
  readonly path: string;
  /** The source file, relative to the project folder with `/` separators, e.g. `api/users/[id].ts`. */
  readonly source: string;
  /** The source file's absolute path. */
  readonly file: string;
  /** The URL path's segments. */
  readonly segments: readonly RouteSegment[];
  /** Names of the dynamic segments, in path order. */
  readonly params: readonly string[];
  /** True for `index.*` files, which serve their folder's path. */
  readonly index: boolean;
}

/** A request path resolved to a route. */
export interface RouteMatch {
  readonly route: Route;
  /** Values of the dynamic segments, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
}

/** The `api/` folder cannot be routed as Vercel would (conflicting files or segment names). */
export class RouteConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteConflictError';
  }
}

/**
 * Finds every function in `<projectDir>/api`, most specific first. Returns `[]` when there is no
 * `api/` folder.
 *
 * @throws RouteConflictError when two files would serve the same URLs, or one path uses a segment name twice.
 */
export function discoverRoutes(projectDir: string): Route[] {
  const apiDir = join(projectDir, API_DIR);
  if (!existsSync(apiDir)) return [];
  const routes = listFunctionFiles(apiDir).map((file) => toRoute(projectDir, file));
  assertNoConflicts(routes);
  return routes.sort(compareSpecificity);
}

/** Resolves a URL pathname (still percent-encoded, no query) to a route, or `undefined`. */
export function matchRoute(routes: readonly Route[], pathname: string): RouteMatch | undefined {
  const segments = splitPath(pathname);
  const exact = matchSegments(routes, segments);
  if (exact) return exact;
  const last = segments.at(-1);
  const extension = last === undefined ? undefined : ROUTE_EXTENSIONS.find((ext) => last.endsWith(ext));
  if (last === undefined || extension === undefined || last === extension) return undefined;
  return matchSegments(routes, [...segments.slice(0, -1), last.slice(0, -extension.length)]);
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

function listFunctionFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name.startsWith('_') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    const isDirectory = entry.isDirectory() || (entry.isSymbolicLink() && statSync(path).isDirectory());
    if (isDirectory) files.push(...listFunctionFiles(path));
    else if (isFunctionFile(entry.name)) files.push(path);
  }
  return files;
}

function isFunctionFile(name: string): boolean {
  if (name.endsWith('.d.ts')) return false;
  return ROUTE_EXTENSIONS.some((ext) => name.endsWith(ext) && name.length > ext.length);
}

function toRoute(projectDir: string, file: string): Route {
  const source = relative(projectDir, file).split(sep).join('/');
  const parts = source.split('/');
  const fileName = parts.pop()!;
  const stem = fileName.slice(0, fileName.lastIndexOf('.'));
  const index = stem === 'index';
  const segments = [...parts, ...(index ? [] : [stem])].map(toSegment);
  const params = segments.flatMap((segment) => (segment.kind === 'dynamic' ? [segment.name] : []));
  const duplicate = params.find((name, i) => params.indexOf(name) !== i);
  if (duplicate !== undefined) {
    throw new RouteConflictError(
      `The segment "${duplicate}" occurs more than once in "${source}": every dynamic segment in a path must have a unique name.`,
    );
  }
  const path = `/${segments.map((s) => (s.kind === 'static' ? s.value : `[${s.name}]`)).join('/')}`;
  return { path, source, file, segments, params, index };
}

function toSegment(part: string): RouteSegment {
  return part.startsWith('[') && part.endsWith(']') && part.length > 2
    ? { kind: 'dynamic', name: part.slice(1, -1) }
    : { kind: 'static', value: part };
}

// Vercel rejects files that resolve to the same URLs ("Two or more files have conflicting paths or
// names") and different parameter names at the same position under the same parent
// (`api/[a]/x.ts` next to `api/[b]/y.ts`): a request could not tell which name to use.
function assertNoConflicts(routes: readonly Route[]): void {
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length; j++) {
      const [a, b] = [routes[i], routes[j]];
      if (sameShape(a, b) && a.index === b.index) {
        throw new RouteConflictError(
          `"${a.source}" and "${b.source}" both serve ${a.path}: file names and dynamic segments must be unique once extensions are removed.`,
        );
      }
      const clash = parameterNameClash(a, b);
      if (clash) {
        throw new RouteConflictError(
          `"${a.source}" and "${b.source}" name the same dynamic segment differently ("[${clash[0]}]" and "[${clash[1]}]"): use one name.`,
        );
      }
    }
  }
}

function sameShape(a: Route, b: Route): boolean {
  return (
    a.segments.length === b.segments.length &&
    a.segments.every((segment, i) => {
      const other = b.segments[i];
      if (segment.kind === 'dynamic') return other.kind === 'dynamic';
      return other.kind === 'static' && other.value === segment.value;
    })
  );
}

function parameterNameClash(a: Route, b: Route): [string, string] | undefined {
  const length = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const [x, y] = [a.segments[i], b.segments[i]];
    if (x.kind === 'dynamic' && y.kind === 'dynamic') {
      if (x.name !== y.name) return [x.name, y.name];
    } else if (x.kind === 'dynamic' || y.kind === 'dynamic' || x.value !== y.value) {
      return undefined;
    }
  }
  return undefined;
}

// Most specific first: at the first position where two routes differ, a literal segment wins over a
// dynamic one. Routes of different lengths never match the same path; between `users.ts` and
// `users/index.ts` (same path) the file wins, as Vercel's filesystem lookup finds it first.
function compareSpecificity(a: Route, b: Route): number {
  const length = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const [x, y] = [a.segments[i], b.segments[i]];
    if (x.kind !== y.kind) return x.kind === 'static' ? -1 : 1;
  }
  if (a.segments.length !== b.segments.length) return a.segments.length - b.segments.length;
  if (a.index !== b.index) return a.index ? 1 : -1;
  return a.source.localeCompare(b.source);
}

function matchSegments(routes: readonly Route[], segments: readonly string[]): RouteMatch | undefined {
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
