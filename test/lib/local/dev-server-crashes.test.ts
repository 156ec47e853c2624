import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// A function's unhandled rejection, or a throw in its timer, fails only that invocation on Lambda;
// the dev server, which runs every function in its own process, must keep serving. Tested through
// `npm start` in a child process: jest installs process listeners of its own, which would see these
// errors before the dev server's and fail the test.

const REPO = resolve(__dirname, '..', '..', '..');
const WORK_ROOT = join(tmpdir(), 'vercel-functions-aws-dev');

const folders: string[] = [];
const children: ChildProcess[] = [];

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-server-crashes-'));
  folders.push(dir);
  for (const [file, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), contents);
  }
  return dir;
}

interface Cli {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the dev server printed so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** `npm start -- --dir <dir> --port 0`, resolved once it serves. */
async function startCli(dir: string): Promise<Cli> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bin/dev.ts', '--dir', dir, '--port', '0', '--host', '127.0.0.1'],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    const check = () => {
      const match = / on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(output);
      if (match) {
        child.stdout!.off('data', check);
        done(match[1]);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => fail(new Error(`the dev server exited with ${code}:\n${output}`)));
  });
  return { child, url, output: () => output, exited };
}

function workDirsOf(pid: number): string[] {
  return readdirSync(WORK_ROOT).filter((name) => name.startsWith(`server-${pid}-`));
}

afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('npm start when a function crashes', () => {
  let cli: Cli;
  beforeAll(async () => {
    cli = await startCli(
      project({
        'api/reject.ts': `
          export function GET() {
            Promise.reject(new Error('rejected and never handled'));
            return new Promise((resolve) => setTimeout(() => resolve(new Response('too late')), 500));
          }
        `,
        'api/timer.ts': `
          export function GET() {
            return new Promise(() => {
              setTimeout(() => { throw new Error('thrown in a timer'); }, 5);
            });
          }
        `,
        'api/ok.ts': "export function GET() { return new Response('still serving'); }\n",
      }),
    );
  });

  test('answers 502 and keeps serving when a function leaves a rejection unhandled', async () => {
    const res = await fetch(`${cli.url}/api/reject`);
    expect(res.status).toBe(502);
    expect(await res.text()).toBe('Internal Server Error');
    const next = await fetch(`${cli.url}/api/ok`);
    expect(await next.text()).toBe('still serving');
    expect(cli.output()).toMatch(
      /[\w-]+ Invoke Error: Runtime\.UnhandledPromiseRejection: Unhandled promise rejection: rejected and never handled\n {2}caused by Error: rejected and never handled\n\s+at GET /,
    );
  });

  test('answers 502 and keeps serving when a function throws in a timer', async () => {
    const res = await fetch(`${cli.url}/api/timer`);
    expect(res.status).toBe(502);
    expect(await (await fetch(`${cli.url}/api/ok`)).text()).toBe('still serving');
    expect(cli.output()).toContain(
      'Invoke Error: Runtime.UncaughtException: Uncaught exception: thrown in a timer',
    );
  });

  test('removes its build folder when stopped with Ctrl-C', async () => {
    const pid = cli.child.pid!;
    expect(workDirsOf(pid)).toHaveLength(1);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(workDirsOf(pid)).toEqual([]);
  });
});

describe('npm start and build folders', () => {
  test('removes the build folder a killed dev server left behind when it starts', async () => {
    // The id of a process that has ended.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const abandoned = join(WORK_ROOT, `server-${gone}-abcdef`);
    mkdirSync(join(abandoned, 'build'), { recursive: true });
    const cli = await startCli(
      project({ 'api/ok.ts': "export function GET() { return new Response('ok'); }\n" }),
    );
    expect(existsSync(abandoned)).toBe(false);
    expect(workDirsOf(cli.child.pid!)).toHaveLength(1);
    // Served once before the signal: a signal during the first build waits for it (slow on a loaded
    // machine: this test timed out once in the full suite while the build was still running).
    expect(await (await fetch(`${cli.url}/api/ok`)).text()).toBe('ok');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(workDirsOf(cli.child.pid!)).toEqual([]);
  });

  test('exits with 2 naming the value when --port is not a number', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/dev.ts', '--port', 'abc'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--port must be an integer from 0 to 65535, got 'abc'");
  });

  test('exits with 2 naming the value when --timeout is not a number of seconds', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/dev.ts', '--timeout', '5m'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--timeout must be a positive number of seconds, got '5m'");
  });
});
