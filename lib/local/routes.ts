import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  compareRouteSpecificity,
  formatRoutePath,
  matchRoute,
  parseRouteSegment,
  ROUTE_EXTENSIONS,
  type RoutePattern,
  withRouteParams,
} from '../../runtime/handler/route';

// Vercel's zero-config routing for an `api/` folder, as `vercel dev` and deployments apply it to
// non-Next.js projects (vercel/vercel packages/fs-detectors/src/detect-builders.ts):
// - every `api/**/*.{js,mjs,ts}` file is a function (we also accept .tsx and .cjs); a path segment
//   starting with `.` or `_`, anything under node_modules, and `.d.ts` files are not;
// - the URL is the file path without its extension, `index` standing for its folder;
// - a `[name]` file or folder matches exactly one path segment, and its value reaches the function as
//   the query parameter `name`, overriding a client-sent one (`vercel dev` merges route query last);
// - a literal segment beats a dynamic one (Vercel serves files before its dynamic rewrites);
// - a request for `/api/hello.ts` is served by `api/hello.ts` (Vercel's miss-phase extension strip).
// The matching itself lives in runtime/handler/route.ts: a deployed function checks its requests
// with the same code (the runtime never imports lib/, so lib imports it from there).

const API_DIR = 'api';

export type { RouteMatch, RouteSegment } from '../../runtime/handler/route';
export { matchRoute, ROUTE_EXTENSIONS, withRouteParams };

/** A function discovered in the `api/` folder. */
export interface Route extends RoutePattern {
  /** The source file, relative to the project folder with `/` separators, e.g. `api/users/[id].ts`. */
  readonly source: string;
  /** The source file's absolute path. */
  readonly file: string;
  /** True for `index.*` files, which serve their folder's path. */
  readonly index: boolean;
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
  const segments = [...parts, ...(index ? [] : [stem])].map(parseRouteSegment);
  const params = segments.flatMap((segment) => (segment.kind === 'dynamic' ? [segment.name] : []));
  const duplicate = params.find((name, i) => params.indexOf(name) !== i);
  if (duplicate !== undefined) {
    throw new RouteConflictError(
      `The segment "${duplicate}" occurs more than once in "${source}": every dynamic segment in a path must have a unique name.`,
    );
  }
  return { path: formatRoutePath(segments), source, file, segments, params, index };
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

// Most specific first (the runtime's order), then, between `users.ts` and `users/index.ts` (same
// path), the file wins, as Vercel's filesystem lookup finds it first.
function compareSpecificity(a: Route, b: Route): number {
  const order = compareRouteSpecificity(a, b);
  if (order !== 0) return order;
  if (a.index !== b.index) return a.index ? 1 : -1;
  return a.source.localeCompare(b.source);
}
