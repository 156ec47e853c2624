import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { AccessLogEntry } from './cloudfront';
import { DevServerCdn } from './dev-server-cdn';
import { survivesFunctionCrashes } from './dev-server-crashes';
import { ProcessEnv, vercelDevEnvironment } from './dev-server-env';
import { DevServerError } from './dev-server-errors';
import { Project } from './dev-server-project';
import { type ViewerDefaults, viewerLocationHeaders } from './dev-server-viewer';
import { createWorkDir } from './dev-server-workdir';
import { installLambdaGlobals } from './lambda-globals';
import type { Route } from './routes';

// `npm start`: serves a Vercel-style `api/` folder on a local port through the path a request takes
// on AWS — the project's CloudFront distribution, synthesized with the same constructs and emulated
// (viewer-request function, cache keyed like the cache policy, origin request policy, origin access
// control, body-signing Lambda@Edge function, cache tags and invalidation, response headers policy,
// viewer-response function), a Function URL, the adapter bundled by the same bundler, and a
// response-streaming invocation — all in this one process. With `images` in the project's
// vercel.json, `/_vercel/image` is served by the image optimizer the same way.

export { DevServerError } from './dev-server-errors';
export type { ViewerDefaults } from './dev-server-viewer';

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
  /**
   * Timeout in milliseconds of the functions whose vercel.json `functions` entry sets no
   * `maxDuration`. @default 300_000 — Vercel's default maximum duration
   */
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

const DEFAULT_PORT = 3000;
const DEFAULT_HOST = 'localhost';

/**
 * Starts the local dev server for a Vercel-style project folder. Every response carries CloudFront's
 * `X-Cache` (`Hit`, `Miss`, `FunctionGeneratedResponse`, … `from cloudfront`).
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
  const defaultLocation = viewerLocationHeaders(options.viewer ?? {});

  // The adapter looks for the runtime's `awslambda` global when each bundle loads.
  installLambdaGlobals();
  const work = createWorkDir();
  const workDir = work.path;
  const stopSurviving = survivesFunctionCrashes(log);
  const project = new Project(dir, join(workDir, 'build'), log);
  const env = new ProcessEnv();
  let address = '';
  let cdn: DevServerCdn | undefined;
  let ready: Promise<void> = Promise.resolve();

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    await ready;
    try {
      const refresh = project.refresh();
      if (refresh.sourcesChanged) env.apply(vercelDevEnvironment(dir, address));
      await cdn!.update(refresh);
    } catch (error) {
      // Reported on every request until fixed: a route conflict, or a project that cannot be deployed.
      log(describe(error));
      req.resume();
      return sendText(res, 500, `${describe(error)}\n`);
    }
    await cdn!.handle(req, res);
  };
  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      log(`${req.method} ${req.url} failed: ${describe(error)}`);
      if (!res.headersSent) sendText(res, 500, `Internal dev server error: ${describe(error)}\n`);
      else res.destroy();
    });
  });
  // Streamed responses may stay open as long as a function runs.
  server.requestTimeout = 0;
  const dispose = () => {
    stopSurviving();
    project.dispose();
    env.restore();
    work.remove();
  };
  try {
    await listen(server, port, host);
  } catch (error) {
    dispose();
    throw error;
  }
  const { port: boundPort } = server.address() as AddressInfo;
  address = `${host}:${boundPort}`;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;

  ready = (async () => {
    cdn = await DevServerCdn.start({
      project,
      url,
      workDir,
      defaultLocation,
      timeoutMs: options.timeoutMs,
      log,
      onResponse: (entry) => log(accessLogLine(entry)),
    });
    try {
      const refresh = project.refresh();
      env.apply(vercelDevEnvironment(dir, address));
      await cdn.update(refresh);
    } catch (error) {
      // Reported again on every request until fixed; the server itself can run.
      log(describe(error));
    }
  })();
  try {
    await ready;
  } catch (error) {
    server.close();
    dispose();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    routes: () => project.routes(),
    close: () => {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      })
        .then(() => cdn?.close())
        .finally(dispose);
      return closing;
    },
  };
}

// `GET /api/hello 200 12ms Miss`, as CloudFront's X-Cache says it.
function accessLogLine(entry: AccessLogEntry): string {
  const path = entry.target.split('?', 1)[0];
  const aborted = entry.complete ? '' : ' (connection closed before the response ended)';
  const reason = entry.reason ? ` (${entry.reason})` : '';
  return `${entry.method} ${path} ${entry.statusCode} ${entry.durationMs}ms ${entry.result}${reason}${aborted}`;
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
