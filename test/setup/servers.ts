import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/*
 * Real database servers for integration tests, started from the machine's Debian packages in a
 * temporary folder on a free loopback port, and stopped by PID. They live in test/ rather than
 * lib/local/ because nothing but tests needs them: the dev server connects to whatever database
 * the user's .env names.
 */

// Every server still running, so none outlives the test process even when a test fails before its
// cleanup. Process bookkeeping, not request state.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1 (the OS picks it; there is a small window before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The first of `candidates` that exists and is executable, or `undefined`. */
export function findExecutable(candidates: readonly string[]): string | undefined {
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** uid and gid of a system user, when this process runs as root and must drop to it (initdb refuses root). */
export function serviceUser(name: string): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** A temporary folder, owned by `user` when given. */
export function tempDir(prefix: string, user?: { uid: number; gid: number }): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (user) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
  return dir;
}

/** Runs a setup command to completion; throws with its output when it fails. */
export function runToCompletion(
  command: string,
  args: readonly string[],
  options: { user?: { uid: number; gid: number }; cwd?: string } = {},
): void {
  try {
    execFileSync(command, args, {
      cwd: options.cwd,
      uid: options.user?.uid,
      gid: options.user?.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

/** A server process started by a test: its output is kept for error messages, it is stopped by PID. */
export class ServerProcess {
  private readonly child: ChildProcess;
  private readonly output: string[] = [];
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: { user?: { uid: number; gid: number }; cwd?: string } = {},
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      uid: options.user?.uid,
      gid: options.user?.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => {
        running.delete(this.child);
        resolve();
      });
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => this.output.push(text));
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get log(): string {
    return this.output.join('');
  }

  /** Waits until `port` accepts connections, failing with the server's output if it exits or takes too long. */
  async waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    while (!(await canConnect(port))) {
      if (exited) throw new Error(`${this.name} exited before listening on ${port}:\n${this.log}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name} did not listen on ${port} within ${timeoutMs} ms:\n${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops the server by PID: `signal`, then SIGKILL if it has not exited within `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, '127.0.0.1');
  });
}

/** Removes a server's folder once it has stopped. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * `describe` for tests that need a server binary. When the binary is missing the suite fails with
 * one test naming the package to install — on every machine, so a missing server can never pass
 * for a green run (.ci/run installs them; see README "Testing").
 */
export function describeWithServer(
  title: string,
  server: { readonly name: string; readonly missing: string | undefined },
  body: () => void,
): void {
  if (server.missing === undefined) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    test(`needs ${server.name}`, () => {
      throw new Error(`${server.name} is not installed: ${server.missing}`);
    });
  });
}
