import { compareRouteSpecificity, type RoutePattern } from '../../runtime/handler/route';

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

/** Routes no order of cache behaviours serves as Vercel does (see {@link RouteBehaviorPlan.conflict}). */
export interface RouteBehaviorConflict<R extends RoutePattern = RoutePattern> {
  /** Two routes of the conflict, the more specific first. */
  readonly first: R;
  readonly second: R;
  /** Which pattern takes which path from which route, with example paths. */
  readonly reason: string;
  /**
   * The cycle: each step's pattern (of `route`) matches `path`, which Vercel serves with `servedBy`,
   * the route of the previous step's pattern (the last step's, for the first).
   */
  readonly steps: readonly {
    readonly pathPattern: string;
    readonly route: R;
    readonly path: string;
    readonly servedBy: R;
  }[];
}

/** How `routes` are served by cache behaviours: {@link routeBehaviorPlan}. */
export interface RouteBehaviorPlan<R extends RoutePattern = RoutePattern> {
  /**
   * The cache behaviours serving `routes` (ordered most specific first), in the order CloudFront must
   * evaluate them. Vercel serves a route's path with one trailing slash too (`/api/hello/`), which
   * vercel.json `trailingSlash: true` redirects every path to: a route whose last segment is literal
   * gets a second pattern for it (`/api/hello/`) unless `trailingSlash` is false (the viewer-request
   * functions then redirect the slash away first). A dynamic last segment's `*` matches the slash
   * already. A few routes get an exact pattern for one slashed path another route's pattern would take
   * (`/api/users/` for `api/[id].ts`, which `/api/users/*` of `api/users/[id].ts` matches too).
   *
   * CloudFront takes the first matching pattern, and `*` matches any run of characters, the empty one
   * and `/` included, so `/api/*` takes `/api/a/b` and `/api/admin/*` takes `/api/admin/members/`. The
   * order is derived from what each pattern can take: a pattern goes before every other route's pattern
   * matching a path Vercel serves with its route (see `conflict` for the proof obligations); among
   * the rest, longer patterns first and the route order. When there is a `conflict`, no order is
   * right and this one is not either: only the count of behaviours is meaningful then.
   */
  readonly behaviors: RouteBehavior<R>[];
  /**
   * Routes that no order of cache behaviours serves as Vercel does, if any: two patterns that each
   * match a path the other's route serves (`/api/*` of `api/[id].ts` matches `/api/x/y`, served by
   * `api/[a]/[b].ts`, whose pattern matches `/api/x/` with an empty last `*`, served by
   * `api/[id].ts`), or a longer cycle.
   * Only the edge router matches them exactly. Never with `trailingSlash: false`: without paths ending
   * in `/`, longer patterns first is always right.
   *
   * Exact: a path is a list of segments, each dynamic one either a literal of the project or a value
   * equal to none (all such values behave alike, for CloudFront and for Vercel), and a pattern's
   * literal segment matches one path segment while its `*` matches one or more consecutive ones (the
   * empty trailing one of `/api/x/` included). So each pair of patterns is decided by aligning one with
   * the paths of the other's route. Where the paths one pattern must win are finitely many (every
   * value fixed by the other's literals, as `/api/users/`), an exact pattern for each breaks the cycle.
   */
  readonly conflict?: RouteBehaviorConflict<R>;
}

/**
 * Plans `routes` (ordered most specific first) into cache behaviours: see {@link RouteBehaviorPlan}.
 * Weighs every pair of patterns against each other, which takes seconds on a thousand routes.
 */
export function routeBehaviorPlan<R extends RoutePattern>(
  routes: readonly R[],
  trailingSlash: boolean | undefined,
): RouteBehaviorPlan<R> {
  const plan = planBehaviors(routes, trailingSlash);
  const behaviors = plan.behaviors.map(({ route, pathPattern }) => ({ route, pathPattern }));
  return plan.conflict ? { behaviors, conflict: plan.conflict } : { behaviors };
}

/**
 * How many cache behaviours {@link routeBehaviorPlan} gives `routes` at least, counted without
 * planning them: one per route, and a second for its trailing-slash path when the last segment is
 * literal (unless `trailingSlash` is false). Planning only ever adds exact patterns to these, so
 * this count tells routes that cannot fit a quota without planning them.
 */
export function minimumRouteBehaviors(
  routes: readonly RoutePattern[],
  trailingSlash: boolean | undefined,
): number {
  let count = 0;
  for (const route of routes) count += hasSlashedPattern(route, trailingSlash !== false) ? 2 : 1;
  return count;
}

/** Whether a route gets a second pattern, for its path with a trailing slash (`behaviors` above). */
function hasSlashedPattern(route: RoutePattern, slashes: boolean): boolean {
  return slashes && route.segments.at(-1)!.kind === 'static';
}

// A path segment: a string, or null for a dynamic value equal to no literal of the project.
type Segment = string | null;

interface Candidate<R extends RoutePattern> {
  readonly route: R;
  readonly pathPattern: string;
  /** The pattern's segments, null for `*`; a trailing-slash pattern ends with ''. */
  readonly segments: readonly Segment[];
  /** No `*`: matches one path. */
  readonly exact: boolean;
  /** The heuristic order among unconstrained patterns: more `/` first, slashed first, route order. */
  readonly rank: number;
  readonly tier: number;
  readonly order: number;
}

// Why `before` must precede `after`: paths Vercel serves with before's route that `after` matches.
interface Edge<R extends RoutePattern> {
  readonly before: Candidate<R>;
  readonly after: Candidate<R>;
  /** The witnesses when finitely many (every dynamic value fixed), else undefined. */
  readonly paths: readonly string[] | undefined;
  /** One witness. */
  readonly example: string;
}

interface Plan<R extends RoutePattern> {
  readonly behaviors: readonly Candidate<R>[];
  readonly conflict?: RouteBehaviorConflict<R>;
}

function planBehaviors<R extends RoutePattern>(
  routes: readonly R[],
  trailingSlash: boolean | undefined,
): Plan<R> {
  const slashes = trailingSlash !== false;
  const byLength = new Map<number, R[]>();
  for (const route of [...routes].sort(compareRouteSpecificity)) {
    const length = route.segments.length;
    byLength.set(length, [...(byLength.get(length) ?? []), route]);
  }
  const literals = new Set(
    routes.flatMap((route) => route.segments.flatMap((s) => (s.kind === 'static' ? [s.value] : []))),
  );
  let fresh = 'x';
  for (let i = 1; literals.has(fresh); i++) fresh = `x${i}`;
  const context: Context<R> = { byLength, slashes, fresh, exact: new Map() };

  const base = routes.flatMap((route, order) => {
    const segments = route.segments.map((s) => (s.kind === 'static' ? s.value : null));
    const own = candidate(route, segments, order);
    return hasSlashedPattern(route, slashes) ? [own, candidate(route, [...segments, ''], order)] : [own];
  });
  for (const c of base) if (c.exact) exactPaths(context, c.route).add(c.pathPattern);

  let edges = constraints(base, context);
  const looping = inCycles(base, edges);
  const breakable = edges.filter(
    (e) => e.paths !== undefined && looping.has(e.before) && looping.has(e.after),
  );
  const breakableSet = new Set(breakable);
  const kept = edges.filter((e) => !breakableSet.has(e));
  const cycle = findCycle(base, kept);
  if (cycle) return { behaviors: heuristicOrder(base), conflict: describeConflict(cycle) };
  // Each edge that must go is replaced by exact patterns for its paths; keep those that fit.
  const extras: Candidate<R>[] = [];
  for (const edge of breakable) {
    if (!findCycle(base, [...kept, edge])) {
      kept.push(edge);
      continue;
    }
    for (const path of edge.paths!) {
      const own = exactPaths(context, edge.before.route);
      if (own.has(path)) continue;
      own.add(path);
      extras.push(candidate(edge.before.route, path.slice(1).split('/'), edge.before.order));
    }
  }
  if (extras.length === 0) return { behaviors: topologicalOrder(base, kept) };
  const all = [...base, ...extras];
  edges = constraints(all, context);
  const broken = findCycle(all, edges);
  if (broken) return { behaviors: heuristicOrder(all), conflict: describeConflict(broken) };
  return { behaviors: topologicalOrder(all, edges) };

  function candidate(route: R, segments: Segment[], order: number): Candidate<R> {
    return {
      route,
      pathPattern: `/${segments.map((s) => s ?? '*').join('/')}`,
      segments,
      exact: !segments.includes(null),
      rank: segments.length,
      tier: segments.at(-1) === '' ? 0 : 1,
      order,
    };
  }
}

interface Context<R extends RoutePattern> {
  /** The routes by segment count, most specific first, as Vercel tries them. */
  readonly byLength: ReadonlyMap<number, readonly R[]>;
  /** Whether paths ending in `/` reach the behaviours (not with trailingSlash: false). */
  readonly slashes: boolean;
  /** A value equal to no literal, for example paths. */
  readonly fresh: string;
  /** Each route's exact patterns: the paths they serve. */
  readonly exact: Map<R, Set<string>>;
}

function exactPaths<R extends RoutePattern>(context: Context<R>, route: R): Set<string> {
  const paths = context.exact.get(route) ?? new Set<string>();
  context.exact.set(route, paths);
  return paths;
}

// Every pair of patterns of different routes one of which must precede the other.
function constraints<R extends RoutePattern>(
  candidates: readonly Candidate<R>[],
  context: Context<R>,
): Edge<R>[] {
  const edges: Edge<R>[] = [];
  for (const before of candidates) {
    const shapes = servedShapes(before, context.slashes);
    const most = Math.max(...shapes.map((shape) => shape.length));
    for (const after of candidates) {
      if (after.route === before.route || after.segments.length > most) continue;
      if (!endsAgree(after.segments, shapes[0]) && !(shapes[1] && endsAgree(after.segments, shapes[1]))) {
        continue;
      }
      const edge = constraint(before, after, shapes, context);
      if (edge) edges.push(edge);
    }
  }
  return edges;
}

// The paths a pattern is the one to serve, as segment lists (null: any dynamic value), a trailing
// slash as a last '' segment: an exact pattern its path; the route's pattern its paths (with a
// trailing slash too when its last segment is dynamic); a trailing-slash pattern the slashed ones.
function servedShapes(c: Candidate<RoutePattern>, slashes: boolean): Segment[][] {
  if (c.exact) return [[...c.segments]];
  if (c.segments.at(-1) === '') return [[...c.segments]];
  return slashes && c.segments.at(-1) === null ? [[...c.segments], [...c.segments, '']] : [[...c.segments]];
}

function constraint<R extends RoutePattern>(
  before: Candidate<R>,
  after: Candidate<R>,
  shapes: readonly Segment[][],
  context: Context<R>,
): Edge<R> | undefined {
  const paths = new Set<string>();
  let example: string | undefined;
  let finite = true;
  for (const shape of shapes) {
    for (const path of alignments(after.segments, shape, 0, 0)) {
      const segments = path.at(-1) === '' ? path.slice(0, -1) : path;
      if (vercelRoute(context.byLength, segments) !== before.route) continue;
      const text = `/${path.map((s) => s ?? context.fresh).join('/')}`;
      if (path.includes(null)) {
        finite = false;
      } else if (!before.exact && context.exact.get(before.route)?.has(text)) {
        continue; // served by one of the route's exact patterns
      } else {
        paths.add(text);
      }
      example ??= text;
    }
  }
  if (example === undefined) return undefined;
  return { before, after, paths: finite ? [...paths] : undefined, example };
}

// Whether the pattern's literals before its first `*` and after its last one can match the path's
// first and last segments: a quick test before the alignments.
function endsAgree(pattern: readonly Segment[], path: readonly Segment[]): boolean {
  for (let i = 0; i < pattern.length && pattern[i] !== null; i++) {
    if (!agree(pattern[i], path[i])) return false;
    if (i === pattern.length - 1) return pattern.length === path.length;
  }
  for (let i = 1; pattern.at(-i) !== null; i++) if (!agree(pattern.at(-i)!, path.at(-i)!)) return false;
  return true;
}

function agree(want: Segment, have: Segment | undefined): boolean {
  return want === null || have === want || (have === null && want !== '');
}

// The instances of `path` (null segments: any value) the pattern matches, each with the values its
// literals fix: a literal matches one segment, a `*` (null) one or more consecutive ones.
function alignments(
  pattern: readonly Segment[],
  path: readonly Segment[],
  p: number,
  s: number,
): Segment[][] {
  if (p === pattern.length) return s === path.length ? [[...path]] : [];
  if (s === path.length) return [];
  const want = pattern[p];
  if (want !== null) {
    if (path[s] === want) return alignments(pattern, path, p + 1, s + 1);
    // A dynamic value is never empty: '' (a trailing slash) cannot fill it.
    if (path[s] !== null || want === '') return [];
    const bound = [...path];
    bound[s] = want;
    return alignments(pattern, bound, p + 1, s + 1);
  }
  const out: Segment[][] = [];
  for (let end = s + 1; end <= path.length - (pattern.length - p - 1); end++) {
    out.push(...alignments(pattern, path, p + 1, end));
  }
  return out;
}

// The route Vercel serves the segments with (one trailing slash removed): the first of the same
// length whose literals match. A null segment equals no literal.
function vercelRoute<R extends RoutePattern>(
  byLength: ReadonlyMap<number, readonly R[]>,
  segments: readonly Segment[],
): R | undefined {
  return byLength
    .get(segments.length)
    ?.find((route) => route.segments.every((s, i) => s.kind === 'dynamic' || s.value === segments[i]));
}

function heuristicOrder<R extends RoutePattern>(candidates: readonly Candidate<R>[]): Candidate<R>[] {
  return [...candidates].sort(byHeuristic);
}

function byHeuristic(a: Candidate<RoutePattern>, b: Candidate<RoutePattern>): number {
  return b.rank - a.rank || a.tier - b.tier || a.order - b.order;
}

// The heuristic order, bent only where an edge requires (the smallest topological order).
function topologicalOrder<R extends RoutePattern>(
  candidates: readonly Candidate<R>[],
  edges: readonly Edge<R>[],
): Candidate<R>[] {
  const next = successors(candidates, edges);
  const waiting = new Map(candidates.map((c) => [c, 0]));
  for (const { after } of edges) waiting.set(after, waiting.get(after)! + 1);
  const pending = heuristicOrder(candidates);
  const out: Candidate<R>[] = [];
  while (pending.length > 0) {
    const [c] = pending.splice(
      pending.findIndex((candidate) => waiting.get(candidate) === 0),
      1,
    );
    out.push(c);
    for (const after of next.get(c)!) waiting.set(after, waiting.get(after)! - 1);
  }
  return out;
}

// The candidates on some cycle of the edges (Tarjan's strongly connected components).
function inCycles<R extends RoutePattern>(
  candidates: readonly Candidate<R>[],
  edges: readonly Edge<R>[],
): Set<Candidate<R>> {
  const next = successors(candidates, edges);
  const index = new Map<Candidate<R>, number>();
  const low = new Map<Candidate<R>, number>();
  const stack: Candidate<R>[] = [];
  const onStack = new Set<Candidate<R>>();
  const looping = new Set<Candidate<R>>();
  const visit = (c: Candidate<R>) => {
    index.set(c, index.size);
    low.set(c, index.get(c)!);
    stack.push(c);
    onStack.add(c);
    for (const d of next.get(c)!) {
      if (!index.has(d)) {
        visit(d);
        low.set(c, Math.min(low.get(c)!, low.get(d)!));
      } else if (onStack.has(d)) {
        low.set(c, Math.min(low.get(c)!, index.get(d)!));
      }
    }
    if (low.get(c) !== index.get(c)) return;
    const component: Candidate<R>[] = [];
    let d: Candidate<R>;
    do {
      d = stack.pop()!;
      onStack.delete(d);
      component.push(d);
    } while (d !== c);
    if (component.length > 1) for (const member of component) looping.add(member);
  };
  for (const c of candidates) if (!index.has(c)) visit(c);
  return looping;
}

// A cycle of the edges, if any, as the edges along it.
function findCycle<R extends RoutePattern>(
  candidates: readonly Candidate<R>[],
  edges: readonly Edge<R>[],
): Edge<R>[] | undefined {
  const out = new Map<Candidate<R>, Edge<R>[]>(candidates.map((c) => [c, []]));
  for (const edge of edges) out.get(edge.before)!.push(edge);
  const done = new Set<Candidate<R>>();
  const path: Edge<R>[] = [];
  const onPath = new Set<Candidate<R>>();
  const visit = (c: Candidate<R>): Edge<R>[] | undefined => {
    onPath.add(c);
    for (const edge of out.get(c)!) {
      if (onPath.has(edge.after)) {
        const start = path.findIndex((e) => e.before === edge.after);
        return [...path.slice(start === -1 ? path.length : start), edge];
      }
      if (done.has(edge.after)) continue;
      path.push(edge);
      const cycle = visit(edge.after);
      if (cycle) return cycle;
      path.pop();
    }
    onPath.delete(c);
    done.add(c);
    return undefined;
  };
  for (const c of candidates) {
    if (done.has(c)) continue;
    const cycle = visit(c);
    if (cycle) return cycle;
  }
  return undefined;
}

function successors<R extends RoutePattern>(
  candidates: readonly Candidate<R>[],
  edges: readonly Edge<R>[],
): Map<Candidate<R>, Candidate<R>[]> {
  const next = new Map<Candidate<R>, Candidate<R>[]>(candidates.map((c) => [c, []]));
  for (const edge of edges) next.get(edge.before)!.push(edge.after);
  return next;
}

function describeConflict<R extends RoutePattern>(cycle: readonly Edge<R>[]): RouteBehaviorConflict<R> {
  const routes = [...new Set(cycle.map((edge) => edge.before.route))];
  const [first, second] = routes.slice(0, 2).sort(compareRouteSpecificity);
  const label = (c: Candidate<R>) =>
    `${c.pathPattern} (${c.route.path}${c.tier === 0 ? ' with a trailing slash' : ''})`;
  const steps = cycle.map(
    (edge) => `${label(edge.after)} matches ${edge.example}, which ${edge.before.route.path} serves`,
  );
  return {
    first,
    second,
    steps: cycle.map((edge) => ({
      pathPattern: edge.after.pathPattern,
      route: edge.after.route,
      path: edge.example,
      servedBy: edge.before.route,
    })),
    reason: `CloudFront takes the first matching path pattern, and its * matches several segments or none: ${steps.join(', and ')}, so no order of the patterns serves every path as Vercel does`,
  };
}
