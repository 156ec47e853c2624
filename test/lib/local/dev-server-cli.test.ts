import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The dev server's command line as `npm start` runs it (bin/dev.ts); the package's
// vercel-functions-aws-dev bin runs the same code (test/package/ runs the shipped one).

const REPO = resolve(__dirname, '..', '..', '..');
const children: ChildProcess[] = [];
const folders: string[] = [];

afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/dev.ts', ...args], {
    cwd: REPO,
    encoding: 'utf8',
  });
}

describe('the dev server command line', () => {
  test('names npm start and the examples folder when asked for help', () => {
    const run = cli(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm start -- \[dir\] \[options\]\n/);
    expect(run.stdout).toContain('[dir], --dir <folder>      project folder (default: examples)');
  });

  test('exits with 2 naming both when given two folders', () => {
    const run = cli(['one', 'two']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("expected at most one project folder, got 'one', 'two'");
  });

  test('exits with 2 naming both when given a folder and --dir', () => {
    const run = cli(['one', '--dir', 'two']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("the project folder is given twice: 'one' and --dir 'two'");
  });

  test('serves the folder given as its argument', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-server-cli-'));
    folders.push(dir);
    mkdirSync(join(dir, 'api'));
    writeFileSync(
      join(dir, 'api', 'hello.ts'),
      "export function GET() { return new Response('from the folder'); }\n",
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bin/dev.ts', dir, '--port', '0', '--host', '127.0.0.1'],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let output = '';
    const url = await new Promise<string>((done, fail) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const match = / on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(output);
        if (match) done(match[1]);
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code) => fail(new Error(`the dev server exited with ${code}:\n${output}`)));
    });
    expect(output).toContain(`Serving ${dir} on ${url}`);
    const response = await fetch(`${url}/api/hello`);
    expect(await response.text()).toBe('from the folder');
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
  }, 60_000);
});
