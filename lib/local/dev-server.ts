import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { parseEnv } from 'node:util';
import { bundleFunction, runtimeModulePath } from '../bundling';
import { toFunctionUrlEvent, writeStreamedResponse } from './function-url';
import { invokeStreamingHandler, type StreamingHandler } from './invoke';
import { installLambdaGlobals } from './lambda-globals';
import { discoverRoutes, matchRoute, type Route, withRouteParams } from './routes';

// `npm start`: serves a Vercel-style `api/` folder on a local port through the same path a request
// takes on AWS — CloudFront's viewer handling, the Function URL event, the adapter bundled by the
// same bundler, a response-streaming invocation — all in this one process.

/**
 * Viewer location used when a request carries no `CloudFront-Viewer-*` geo header of its own, as
 * CloudFront would derive it from the viewer's IP. Values are sent the way CloudFront sends them
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html);
 * non-ASCII text is percent-encoded for you (`München` → `M%C3%BCnchen`).
 */
export interface ViewerDefaults {
  /** `CloudFront-Viewer-Country`: ISO 3166-1 alpha-2 code, e.g. `DE`. @default - none */
  readonly country?: string;
  /** `CloudFront-Viewer-Country-Region`: ISO 3166-2 subdivision code, e.g. `BY`. @default - none */
  readonly countryRegion?: string;
  /** `CloudFront-Viewer-City`, e.g. `München` or `M%C3%BCnchen`. @default - none */
  readonly city?: string;
  /** `CloudFront-Viewer-Latitude`, e.g. `48.13743`. @default - none */
  readonly latitude?: string;
  /** `CloudFront-Viewer-Longitude`, e.g. `11.57549`. @default - none */
  readonly longitude?: string;
  /** `CloudFront-Viewer-Postal-Code`, e.g. `80331`. @default - none */
  readonly postalCode?: string;
  /** `CloudFront-Viewer-Time-Zone`: IANA name, e.g. `Europe/Berlin`. @default - none */
  readonly timeZone?: string;
}

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /** The project folder; its `api/` folder holds the functions. */
  readonly dir: string;
  /** Port to listen on; `0` picks a free one. @default 3000 */
  readonly port?: number;
  /** Interface to listen on. @default 'localhost' */
  readonly host?: string;
  /** Viewer location for requests without `CloudFront-Viewer-*` headers. @default - no location */
  readonly viewer?: ViewerDefaults;
  /** Function timeout in milliseconds. @default 300_000 — Vercel's default maximum duration */
  readonly timeoutMs?: number;
  /** Receives the server's log lines (one per request, build errors). @default console.log */
  readonly log?: (line: string) => void;
}

/** A running dev server. */
export interface DevServer {
  /** Base URL, e.g. `http://localhost:3000`. */
  readonly url: string;
  /** The functions currently found in the project's `api/` folder. */
  routes(): readonly Route[];
  /** Stops listening, drops open connections, removes build output and restores `process.env`. */
  close(): Promise<void>;
}

/** The dev server cannot start, or a function cannot be built or loaded. */
export class DevServerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DevServerError';
  }
}

const DEFAULT_PORT = 3000;
const DEFAULT_HOST = 'localhost';
// Function URLs reject larger request payloads (Lambda's 6 MB synchronous invocation limit).
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
// Headers a viewer could forge to pose as the platform; CloudFront's viewer-request function drops
// them (ARCHITECTURE.md §1), so they never reach the function from outside.
const SPOOFABLE_HEADER = /^(x-real-ip|x-forwarded-for|x-vercel-.*)$/i;
const VIEWER_HEADERS: ReadonlyArray<readonly [keyof ViewerDefaults, string]> = [
  ['country', 'CloudFront-Viewer-Country'],
  ['countryRegion', 'CloudFront-Viewer-Country-Region'],
  ['city', 'CloudFront-Viewer-City'],
  ['latitude', 'CloudFront-Viewer-Latitude'],
  ['longitude', 'CloudFront-Viewer-Longitude'],
  ['postalCode', 'CloudFront-Viewer-Postal-Code'],
  ['timeZone', 'CloudFront-Viewer-Time-Zone'],
];
// Every location header CloudFront derives from the viewer's IP; a client sending any of them is
// choosing its own location.
const VIEWER_GEO_HEADERS = new Set([
  ...VIEWER_HEADERS.map(([, header]) => header.toLowerCase()),
  'cloudfront-viewer-country-name',
  'cloudfront-viewer-country-region-name',
  'cloudfront-viewer-metro-code',
]);

/**
 * Starts the local dev server for a Vercel-style project folder.
 *
 * @example
 * import { startDevServer } from 'vercel-functions-aws/local';
 * const server = await startDevServer({ dir: 'examples', port: 3000, viewer: { country: 'DE', city: 'München' } });
 * console.log(server.url); // then: await server.close();
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const dir = resolve(options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DevServerError(`dir must be an existing folder, got '${options.dir}' (resolved to ${dir})`);
  }
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new DevServerError(`port must be an integer from 0 to 65535, got ${port}`);
  }
  const host = options.host ?? DEFAULT_HOST;
  const log = options.log ?? ((line: string) => console.log(line));
  const viewerHeaders = encodeViewerDefaults(options.viewer ?? {});

  // The adapter looks for the runtime's `awslambda` global when each bundle loads.
  installLambdaGlobals();
  const buildRoot = join(tmpdir(), 'vercel-functions-aws-dev');
  mkdirSync(buildRoot, { recursive: true });
  const project = new Project(dir, mkdtempSync(join(buildRoot, 'build-')), log);

  const server = createServer((req, res) => {
    const startedAt = Date.now();
    const path = (req.url ?? '/').split('?', 1)[0];
    res.once('close', () => {
      const aborted = res.writableFinished ? '' : ' (connection closed before the response ended)';
      log(`${req.method} ${path} ${res.statusCode} ${Date.now() - startedAt}ms${aborted}`);
    });
    handle(req, res, project, { viewerHeaders, timeoutMs: options.timeoutMs, log }).catch(
      (error: unknown) => {
        log(`${req.method} ${path} failed: ${describe(error)}`);
        if (!res.headersSent) sendText(res, 500, `Internal dev server error: ${describe(error)}\n`);
        else res.destroy();
      },
    );
  });
  try {
    await listen(server, port, host);
  } catch (error) {
    project.dispose();
    throw error;
  }
  const { port: boundPort } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  project.start(`${host}:${boundPort}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    routes: () => project.routes(),
    close: () => {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }).finally(() => project.dispose());
      return closing;
    },
  };
}

interface HandleOptions {
  readonly viewerHeaders: ReadonlyArray<readonly [string, string]>;
  readonly timeoutMs?: number;
  readonly log: (line: string) => void;
}

async function handle(req: IncomingMessage, res: ServerResponse, project: Project, options: HandleOptions) {
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const pathname = queryAt === -1 ? target : target.slice(0, queryAt);
  const rawQuery = queryAt === -1 ? '' : target.slice(queryAt + 1);

  let routes: readonly Route[];
  try {
    routes = project.refresh();
  } catch (error) {
    options.log(describe(error));
    return sendText(res, 500, `${describe(error)}\n`);
  }
  const match = matchRoute(routes, pathname);
  if (match === undefined) {
    return sendText(res, 404, `Not Found: no function in ${project.dir}/api serves ${pathname}\n`);
  }

  let handler: StreamingHandler;
  try {
    handler = await project.handlerFor(match.route);
  } catch (error) {
    // A developer must see why: the esbuild message or the module's load error, in the log and the body.
    options.log(describe(error));
    return sendText(res, 500, `${describe(error)}\n`);
  }

  const body = await readBody(req);
  if (body === undefined) {
    return sendText(
      res,
      413,
      `Request body larger than the ${MAX_REQUEST_BYTES} bytes a Function URL accepts\n`,
    );
  }

  // Vercel hands dynamic segments to the function as query parameters.
  const query = withRouteParams(rawQuery, match.params);
  req.url = query === '' ? pathname : `${pathname}?${query}`;
  emulateCloudFront(req, options.viewerHeaders);

  const requestId = randomUUID();
  const event = toFunctionUrlEvent(req, body, { requestId });
  const invocation = invokeStreamingHandler(handler, event, {
    requestId,
    functionName: functionName(match.route),
    timeoutMs: options.timeoutMs,
    logError: (id, error) => options.log(`${id} Invoke Error: ${error.stack ?? describe(error)}`),
  });
  await invocation.started;
  await writeStreamedResponse(invocation.body, res, { contentType: invocation.contentType });
}

/**
 * What CloudFront does between viewer and Function URL: the viewer-request function copies Host to
 * `x-forwarded-host` and drops spoofable platform headers; CloudFront adds the viewer's address and
 * location. A client may send its own `CloudFront-Viewer-*` headers to act as a viewer elsewhere;
 * the configured defaults apply only when it sends no geo header at all, so a location is never a mix.
 */
function emulateCloudFront(req: IncomingMessage, defaults: ReadonlyArray<readonly [string, string]>): void {
  const raw: string[] = [];
  let host: string | undefined;
  let hasViewerAddress = false;
  let hasViewerGeo = false;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
    const lower = name.toLowerCase();
    if (
      SPOOFABLE_HEADER.test(lower) ||
      lower === 'x-forwarded-host' ||
      lower === 'cloudfront-forwarded-proto'
    ) {
      continue;
    }
    if (lower === 'host') host = value;
    if (lower === 'cloudfront-viewer-address') hasViewerAddress = true;
    if (VIEWER_GEO_HEADERS.has(lower)) hasViewerGeo = true;
    raw.push(name, value);
  }
  if (host !== undefined) raw.push('X-Forwarded-Host', host);
  const secure = (req.socket as Partial<TLSSocket>).encrypted === true;
  raw.push('CloudFront-Forwarded-Proto', secure ? 'https' : 'http');
  if (!hasViewerAddress) raw.push('CloudFront-Viewer-Address', viewerAddress(req));
  if (!hasViewerGeo) for (const [name, value] of defaults) raw.push(name, value);
  // rawHeaders is what toFunctionUrlEvent reads (it keeps the client's order and repeats).
  req.rawHeaders.splice(0, req.rawHeaders.length, ...raw);
}

/** `ip:port` as CloudFront writes it; IPv6 unbracketed (`2406:da14::c4a:42838`). */
function viewerAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  const ip =
    address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
  return `${ip}:${req.socket.remotePort ?? 0}`;
}

// The formats CloudFront documents; the adapter drops values that do not fit, so a wrong default
// would silently vanish — reject it at start instead.
const VIEWER_FORMATS: Partial<Record<keyof ViewerDefaults, readonly [(value: string) => boolean, string]>> = {
  country: [(v) => /^[A-Za-z]{2}$/.test(v), 'an ISO 3166-1 alpha-2 code such as DE'],
  countryRegion: [(v) => /^[A-Za-z0-9]{1,3}$/.test(v), 'an ISO 3166-2 subdivision code such as BY'],
  latitude: [(v) => isCoordinate(v, 90), 'a number from -90 to 90'],
  longitude: [(v) => isCoordinate(v, 180), 'a number from -180 to 180'],
};

function encodeViewerDefaults(viewer: ViewerDefaults): Array<readonly [string, string]> {
  const headers: Array<readonly [string, string]> = [];
  for (const [key, header] of VIEWER_HEADERS) {
    const value = viewer[key]?.trim();
    if (!value) continue;
    const format = VIEWER_FORMATS[key];
    if (format !== undefined && !format[0](value)) {
      throw new DevServerError(`viewer.${key} must be ${format[1]}, got '${value}'`);
    }
    headers.push([header, percentEncodeNonAscii(value)]);
  }
  return headers;
}

function isCoordinate(value: string, limit: number): boolean {
  const number = Number(value);
  return /^-?\d+(\.\d+)?$/.test(value) && Math.abs(number) <= limit;
}

/** CloudFront percent-encodes non-ASCII header values per RFC 3986; ASCII (and existing escapes) stay. */
function percentEncodeNonAscii(value: string): string {
  return value.replace(/[^\x20-\x7e]+/gu, (text) => encodeURIComponent(text));
}

/** One project folder: its routes, its environment, and a loaded bundle per function. */
class Project {
  private fingerprint = '';
  private current: readonly Route[] = [];
  private readonly functions = new Map<string, { fingerprint: string; loaded: Promise<LoadedFunction> }>();
  private readonly env = new ProjectEnv();
  private address = '';
  private builds = 0;

  constructor(
    readonly dir: string,
    private readonly buildDir: string,
    private readonly log: (line: string) => void,
  ) {}

  start(address: string): void {
    this.address = address;
    try {
      this.refresh();
    } catch (error) {
      // Reported again on every request until fixed; the server itself can run.
      this.log(describe(error));
    }
  }

  routes(): readonly Route[] {
    return this.current;
  }

  /**
   * Re-reads routes and environment when any source file changed. Cheap: a stat walk of the project
   * (node_modules and dot-folders skipped) plus the runtime shim's sources.
   */
  refresh(): readonly Route[] {
    const fingerprint = sourceFingerprint([this.dir, dirname(runtimeModulePath('index'))]);
    if (fingerprint !== this.fingerprint) {
      this.env.apply(this.dir, this.address);
      this.current = discoverRoutes(this.dir);
      this.fingerprint = fingerprint;
    }
    return this.current;
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

  dispose(): void {
    for (const { loaded } of this.functions.values()) {
      loaded.then((fn) => delete require.cache[fn.outfile], ignore);
    }
    this.functions.clear();
    this.env.restore();
    rmSync(this.buildDir, { recursive: true, force: true });
  }
}

interface LoadedFunction {
  readonly handler: StreamingHandler;
  readonly outfile: string;
}

function ignore(): void {}

/**
 * The function environment, as `vercel dev` sets it (vercel/vercel packages/cli/src/util/dev/server.ts):
 * `VERCEL=1`, `VERCEL_ENV=development`, `VERCEL_REGION=dev1` (and the legacy `NOW_REGION=dev1`),
 * `VERCEL_URL=<host:port>`, then the project's `.env` and `.env.local` (later files win). Functions
 * run in this process, so these go into `process.env`; variables already set in the shell win and
 * are never overwritten. With several dev servers in one process the last refresh wins.
 */
class ProjectEnv {
  private readonly applied = new Map<string, string>();

  apply(dir: string, address: string): void {
    const next: Record<string, string> = {
      VERCEL: '1',
      VERCEL_ENV: 'development',
      VERCEL_REGION: 'dev1',
      NOW_REGION: 'dev1',
      VERCEL_URL: address,
    };
    for (const file of ['.env', '.env.local']) {
      const path = join(dir, file);
      if (existsSync(path)) Object.assign(next, parseEnv(readFileSync(path, 'utf8')));
    }
    for (const [key, value] of this.applied) {
      if (process.env[key] === value && !(key in next)) delete process.env[key];
    }
    for (const [key, value] of Object.entries(next)) {
      const ours = this.applied.get(key);
      if (process.env[key] !== undefined && process.env[key] !== ours) continue;
      process.env[key] = value;
      this.applied.set(key, value);
    }
  }

  restore(): void {
    for (const [key, value] of this.applied) if (process.env[key] === value) delete process.env[key];
    this.applied.clear();
  }
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

function functionName(route: Route): string {
  return route.source
    .replace(/\.[^.]+$/, '')
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The whole request body, or `undefined` when it exceeds what a Function URL accepts. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new DevServerError(`port ${port} on ${host} is already in use: pick another with --port`, {
              cause: error,
            })
          : new DevServerError(`could not listen on ${host}:${port}: ${error.message}`, { cause: error }),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolvePromise();
    });
  });
}
