import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleFunction, runtimeModulePath } from '../bundling';
import { ROUTING_MIDDLEWARE_FILES } from '../private/routing-middleware';
import { loadBundle, unloadBundle } from './dev-server-bundles';
import { DevServerError } from './dev-server-errors';
import type { StreamingHandler } from './invoke';
import { discoverRoutes, type Route } from './routes';

/** What changed since the previous {@link Project.refresh}. */
export interface ProjectRefresh {
  readonly routes: readonly Route[];
  /**
   * A new deployment: a file some function's bundle was built from changed, or vercel.json, an
   * .env file, the project's tsconfig.json, jsconfig.json or package.json, or the set of routes did.
   */
  readonly sourcesChanged: boolean;
  /** The set of routes changed (files added, removed or renamed under `api/`). */
  readonly routesChanged: boolean;
}

// Read by the dev server or by esbuild on every deployment, yet not in esbuild's metafile, which lists
// only the modules a bundle is built from: tsconfig.json / jsconfig.json (`paths`, `baseUrl`, JSX
// and decorator settings) and package.json (`type`, `imports`) change what a build produces.
const CONFIG_FILES = [
  'vercel.json',
  '.env',
  '.env.local',
  'tsconfig.json',
  'jsconfig.json',
  'package.json',
  join('node_modules', '@vercel', 'functions'),
  // Added or removed, a Routing Middleware file makes the synth refuse the project, or serve it again.
  ...ROUTING_MIDDLEWARE_FILES,
];

/**
 * One project folder as the dev server serves it: its routes, and a bundle per function built on
 * first use and rebuilt after a new deployment — with the bundler the constructs use, so
 * `@vercel/functions` resolves as it does on AWS.
 *
 * What counts as a new deployment is what would change a deployed function: the files esbuild read
 * into a bundle (its metafile's inputs), plus vercel.json, the .env files, the project root's
 * tsconfig.json, jsconfig.json and package.json, and the routes. A file a function writes at runtime
 * (a log, a local database) is not one — with the whole folder watched, each request would have
 * rebuilt every function and emptied the cache. While a function's build
 * fails, its inputs are unknown, so every file of the project counts until it builds again.
 */
export class Project {
  private current: readonly Route[] = [];
  /** Routes and config files, as last seen. */
  private projectKey?: string;
  /** Every file a bundle was built from → its size and mtime when last seen. */
  private readonly inputs = new Map<string, string>();
  /** A stat walk of the whole project, taken while some function does not build. */
  private treeKey?: string;
  private readonly failed = new Set<string>();
  /** Counts deployments: a bundle built for an older one is rebuilt on its next use. */
  private deployment = 0;
  private readonly functions = new Map<string, { deployment: number; loaded: Promise<LoadedFunction> }>();
  private builds = 0;

  constructor(
    readonly dir: string,
    private readonly buildDir: string,
    private readonly log: (line: string) => void,
  ) {}

  /** The routes found by the last refresh. */
  routes(): readonly Route[] {
    return this.current;
  }

  /**
   * Tells whether this is a new deployment. Cheap: a walk of `api/`, and a stat of each config
   * file and bundle input (of every project file while a build fails).
   *
   * @throws RouteConflictError when two files serve the same route
   */
  refresh(): ProjectRefresh {
    const routes = discoverRoutes(this.dir);
    const projectKey = [routeKey(routes), ...CONFIG_FILES.map((file) => statKey(join(this.dir, file)))].join(
      '\n',
    );
    let changed = projectKey !== this.projectKey;
    for (const [file, key] of this.inputs) {
      const now = statKey(file);
      if (now === key) continue;
      changed = true;
      this.inputs.set(file, now);
    }
    if (this.failed.size > 0) {
      const treeKey = this.projectTreeKey();
      changed ||= treeKey !== this.treeKey;
      this.treeKey = treeKey;
    }
    if (!changed) return { routes: this.current, sourcesChanged: false, routesChanged: false };
    const routesChanged = routeKey(routes) !== routeKey(this.current);
    this.current = routes;
    this.projectKey = projectKey;
    this.deployment++;
    return { routes, sourcesChanged: true, routesChanged };
  }

  /**
   * The function's handler, rebuilt and reloaded when this is a new deployment since its last build.
   * Concurrent requests share one build; a failed build is reported until a source file changes.
   */
  async handlerFor(route: Route): Promise<StreamingHandler> {
    const deployment = this.deployment;
    let entry = this.functions.get(route.source);
    if (entry?.deployment !== deployment) {
      const previous = entry;
      const loaded = this.build(route);
      // Drop the old bundle once its replacement is in use.
      void loaded.then(() => previous?.loaded.then((old) => this.unload(old), ignore), ignore);
      entry = { deployment, loaded };
      this.functions.set(route.source, entry);
    }
    return (await entry.loaded).handler;
  }

  /** Forgets every bundle and removes the build folder. */
  dispose(): void {
    for (const { loaded } of this.functions.values()) loaded.then((fn) => unloadBundle(fn.outfile), ignore);
    this.functions.clear();
    rmSync(this.buildDir, { recursive: true, force: true });
  }

  private async build(route: Route): Promise<LoadedFunction> {
    try {
      const loaded = await this.load(route);
      this.failed.delete(route.source);
      if (this.failed.size === 0) this.treeKey = undefined;
      return loaded;
    } catch (error) {
      if (this.failed.size === 0) this.treeKey = this.projectTreeKey();
      this.failed.add(route.source);
      throw error;
    }
  }

  private async load(route: Route): Promise<LoadedFunction> {
    // Every build gets a new file: `require` then loads it fresh, under Node as under jest, whose
    // module registry ignores require.cache.
    const outdir = join(this.buildDir, `${functionName(route)}-${++this.builds}`);
    const started = Date.now();
    // `devRegion`: the functions share the shell's AWS_REGION, yet report dev1 as under `vercel dev`.
    const { outfile, inputs } = await bundleFunction({
      entry: route.file,
      outdir,
      projectDir: this.dir,
      devRegion: true,
    });
    // A file already watched keeps the state it was last seen in: if it changed during the build,
    // the next refresh still sees a new deployment.
    for (const input of inputs) if (!this.inputs.has(input)) this.inputs.set(input, statKey(input));
    let exports: { handler?: unknown };
    try {
      exports = loadBundle(outfile);
    } catch (error) {
      throw new DevServerError(`Could not load ${route.source}: ${describe(error)}`, { cause: error });
    }
    if (typeof exports.handler !== 'function') {
      throw new DevServerError(`The bundle of ${route.source} exports no handler function`);
    }
    this.log(`built ${route.source} in ${Date.now() - started}ms`);
    return { handler: exports.handler as StreamingHandler, outfile };
  }

  private unload(loaded: LoadedFunction): void {
    unloadBundle(loaded.outfile);
    rmSync(dirname(loaded.outfile), { recursive: true, force: true });
  }

  // The project and the runtime shim's sources, for a function whose inputs are unknown.
  private projectTreeKey(): string {
    return sourceFingerprint([this.dir, dirname(runtimeModulePath('index'))]);
  }
}

interface LoadedFunction {
  readonly handler: StreamingHandler;
  readonly outfile: string;
}

/** A name for a route's function, e.g. `api-users-id` for `api/users/[id].ts`. */
export function functionName(route: Route): string {
  return route.source
    .replace(/\.[^.]+$/, '')
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-|-$/g, '');
}

function routeKey(routes: readonly Route[]): string {
  return routes.map((route) => `${route.path}=${route.source}`).join('\n');
}

function statKey(file: string): string {
  const stats = statSync(file, { throwIfNoEntry: false });
  return stats === undefined ? 'missing' : `${stats.size}:${stats.mtimeMs}`;
}

function sourceFingerprint(roots: readonly string[]): string {
  let count = 0;
  let bytes = 0;
  let latest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || (entry.name.startsWith('.') && entry.isDirectory())) continue;
      const path = join(dir, entry.name);
      const stats = statSync(path, { throwIfNoEntry: false });
      if (stats === undefined) continue;
      count++;
      // Directory mtimes change on add, delete and rename; file mtimes and sizes on edit.
      latest = Math.max(latest, stats.mtimeMs);
      if (stats.isFile()) bytes += stats.size;
      if (stats.isDirectory()) walk(path);
    }
  };
  for (const root of roots) {
    latest = Math.max(latest, statSync(root).mtimeMs);
    walk(root);
  }
  return `${count}:${bytes}:${latest}`;
}

function ignore(): void {}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
