import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleFunction, runtimeModulePath } from '../bundling';
import { DevServerError } from './dev-server-errors';
import type { StreamingHandler } from './invoke';
import { discoverRoutes, type Route } from './routes';

/** What changed since the previous {@link Project.refresh}. */
export interface ProjectRefresh {
  readonly routes: readonly Route[];
  /** A source file of the project or of the runtime shim changed (a "new deployment"). */
  readonly sourcesChanged: boolean;
  /** The set of routes changed (files added, removed or renamed under `api/`). */
  readonly routesChanged: boolean;
}

/**
 * One project folder as the dev server serves it: its routes, and a bundle per function built on
 * first use and rebuilt when a source changes — with the bundler the constructs use, so
 * `@vercel/functions` resolves as it does on AWS.
 */
export class Project {
  private fingerprint = '';
  private current: readonly Route[] = [];
  private readonly functions = new Map<string, { fingerprint: string; loaded: Promise<LoadedFunction> }>();
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
   * Re-reads the routes when any source file changed. Cheap: a stat walk of the project
   * (node_modules and dot-folders skipped) plus the runtime shim's sources.
   *
   * @throws RouteConflictError when two files serve the same route
   */
  refresh(): ProjectRefresh {
    const fingerprint = sourceFingerprint([this.dir, dirname(runtimeModulePath('index'))]);
    if (fingerprint === this.fingerprint)
      return { routes: this.current, sourcesChanged: false, routesChanged: false };
    const routes = discoverRoutes(this.dir);
    const routesChanged = routeKey(routes) !== routeKey(this.current);
    this.current = routes;
    this.fingerprint = fingerprint;
    return { routes, sourcesChanged: true, routesChanged };
  }

  /**
   * The function's handler, rebuilt and reloaded when sources changed since its last build.
   * Concurrent requests share one build; a failed build is reported until a source file changes.
   */
  async handlerFor(route: Route): Promise<StreamingHandler> {
    const fingerprint = this.fingerprint;
    let entry = this.functions.get(route.source);
    if (entry?.fingerprint !== fingerprint) {
      const previous = entry;
      const loaded = this.build(route);
      // Drop the old bundle once its replacement is in use.
      void loaded.then(() => previous?.loaded.then((old) => this.unload(old), ignore), ignore);
      entry = { fingerprint, loaded };
      this.functions.set(route.source, entry);
    }
    return (await entry.loaded).handler;
  }

  /** Forgets every bundle and removes the build folder. */
  dispose(): void {
    for (const { loaded } of this.functions.values()) {
      loaded.then((fn) => delete require.cache[fn.outfile], ignore);
    }
    this.functions.clear();
    rmSync(this.buildDir, { recursive: true, force: true });
  }

  private async build(route: Route): Promise<LoadedFunction> {
    // Every build gets a new file: `require` then loads it fresh, under Node as under jest, whose
    // module registry ignores require.cache.
    const outdir = join(this.buildDir, `${functionName(route)}-${++this.builds}`);
    const started = Date.now();
    const { outfile } = await bundleFunction({ entry: route.file, outdir, projectDir: this.dir });
    let exports: { handler?: unknown };
    try {
      exports = require(outfile);
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
    delete require.cache[loaded.outfile];
    rmSync(dirname(loaded.outfile), { recursive: true, force: true });
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
