import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type DevServer, startDevServer, type ViewerDefaults } from './dev-server';

// The dev server's command line, shared by `npm start` (bin/dev.ts, in a clone) and the package's
// `vercel-functions-aws-dev` bin (dev-server-bin.ts, in an app that installed the package).

/** How the CLI was started: {@link runDevServerCli}. */
export interface DevServerCliOptions {
  /** The command as the user types it, for the usage line: `npm start --`, `vercel-functions-aws-dev`. */
  readonly command: string;
  /** The project folder when neither `[dir]` nor `--dir` names one. */
  readonly defaultDir: string;
}

const help = ({ command, defaultDir }: DevServerCliOptions) => `Usage: ${command} [dir] [options]

Serves a Vercel-style project (an api/ folder: api/**/*.ts → /api/...) through the AWS adapter.

Options:
  [dir], --dir <folder>      project folder (default: ${relative(process.cwd(), defaultDir) || '.'})
  --port <n>                 port, 0 for any free one (default: $PORT or 3000)
  --host <host>              interface to listen on (default: localhost)
  --timeout <seconds>        function timeout where vercel.json sets no maxDuration (default: 300)
  --viewer-country <code>    default viewer location, used when a request has no
  --viewer-region <code>       CloudFront-Viewer-* headers of its own (as CloudFront
  --viewer-city <name>         would add them); e.g. --viewer-country DE
  --viewer-latitude <deg>      --viewer-region BY --viewer-city München
  --viewer-longitude <deg>     (non-ASCII is percent-encoded as CloudFront does)
  --viewer-postal-code <code>
  --viewer-time-zone <iana>
  -h, --help                 show this help

Functions get what \`vercel dev\` sets — VERCEL=1, VERCEL_ENV=development, VERCEL_REGION=dev1,
VERCEL_URL=<host:port> — plus the folder's .env and .env.local; variables set in your shell win.
Requests name region dev1 as under \`vercel dev\` (x-vercel-id, geolocation()); your shell's
AWS_REGION still reaches the functions' code and AWS SDK clients.

With \`images\` in the folder's vercel.json (sizes, formats, remotePatterns, …), /_vercel/image is
served as a deployed ImageOptimizer serves it, resizing with this machine's sharp:
  curl -H 'Accept: image/webp' 'http://localhost:3000/_vercel/image?url=%2Fapi%2Fphoto&w=640&q=75' -o photo.webp

Act as a viewer elsewhere per request:
  curl -H 'CloudFront-Viewer-Country: DE' -H 'CloudFront-Viewer-City: M%C3%BCnchen' http://localhost:3000/api/hello
`;

function parseCommandLine(args: readonly string[], defaultDir: string) {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      timeout: { type: 'string' },
      'viewer-country': { type: 'string' },
      'viewer-region': { type: 'string' },
      'viewer-city': { type: 'string' },
      'viewer-latitude': { type: 'string' },
      'viewer-longitude': { type: 'string' },
      'viewer-postal-code': { type: 'string' },
      'viewer-time-zone': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length > 1) {
    throw new Error(
      `expected at most one project folder, got ${positionals.map((p) => `'${p}'`).join(', ')}`,
    );
  }
  if (positionals.length === 1 && values.dir !== undefined) {
    throw new Error(`the project folder is given twice: '${positionals[0]}' and --dir '${values.dir}'`);
  }
  const viewer: ViewerDefaults = {
    country: values['viewer-country'],
    countryRegion: values['viewer-region'],
    city: values['viewer-city'],
    latitude: values['viewer-latitude'],
    longitude: values['viewer-longitude'],
    postalCode: values['viewer-postal-code'],
    timeZone: values['viewer-time-zone'],
  };
  return {
    help: values.help === true,
    dir: positionals[0] ?? values.dir ?? defaultDir,
    port: parsePort(values.port ?? process.env.PORT, values.port === undefined ? '$PORT' : '--port'),
    host: values.host,
    timeoutMs: values.timeout === undefined ? undefined : parseSeconds(values.timeout) * 1000,
    viewer,
  };
}

// The option's own text in errors: `--port abc` names 'abc', not the NaN it would convert to.
function parsePort(text: string | undefined, source: string): number {
  if (text === undefined) return 3000;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port <= 65_535)) throw new Error(`${source} must be an integer from 0 to 65535, got '${text}'`);
  return port;
}

function parseSeconds(text: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds > 0)) throw new Error(`--timeout must be a positive number of seconds, got '${text}'`);
  return seconds;
}

/**
 * The dev server's command line (`npm start`, `vercel-functions-aws-dev`): parses `args`, starts
 * the server, prints its routes, and stops it on SIGINT, SIGTERM or SIGHUP. Bad options exit with 2
 * after the usage, a server that cannot start with 1.
 *
 * @example
 * import { runDevServerCli } from '../lib/local/dev-server-cli';
 * void runDevServerCli(process.argv.slice(2), { command: 'my-dev', defaultDir: '.' });
 */
export async function runDevServerCli(args: readonly string[], cli: DevServerCliOptions): Promise<void> {
  let options: ReturnType<typeof parseCommandLine>;
  try {
    options = parseCommandLine(args, cli.defaultDir);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${help(cli)}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(help(cli));
    return;
  }

  let server: DevServer | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait for background work
    stopping = true;
    console.log(`\n${signal}: stopping`);
    // Still starting: exiting removes the build folder (dev-server-workdir.ts).
    if (server === undefined) process.exit(130);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  // Before the server starts: a signal that arrives before its listener ends the process at once,
  // leaving the build folder behind. SIGHUP: the terminal was closed.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);

  try {
    server = await startDevServer(options);
  } catch (error) {
    console.error(
      `Could not start the dev server: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 1;
    return;
  }

  console.log(`Serving ${resolve(options.dir)} on ${server.url}`);
  const routes = server.routes();
  if (routes.length === 0) console.log('No functions found: add files under api/, e.g. api/hello.ts');
  for (const route of routes) console.log(`  ${server.url}${route.path}  ← ${route.source}`);
}
