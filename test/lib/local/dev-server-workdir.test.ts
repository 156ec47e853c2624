import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createWorkDir } from '../../../lib/local/dev-server-workdir';

// The work folder must go on every way out of the process, not only on close(): run in child
// processes that exit, or die, while their folder exists.

const REPO = resolve(__dirname, '..', '..', '..');

/** Creates a work folder in a child process, prints its path, then runs `then`. */
function inChild(then: string): { path: string; status: number | null; stderr: string } {
  const script = `
    const { createWorkDir } = require('./lib/local/dev-server-workdir');
    const work = createWorkDir();
    console.log(work.path);
    ${then}
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO, encoding: 'utf8' });
  return { path: run.stdout.trim(), status: run.status, stderr: run.stderr };
}

describe('createWorkDir', () => {
  test('creates a folder named after the process and removes it when remove() is called', () => {
    const work = createWorkDir();
    expect(work.path).toMatch(new RegExp(`server-${process.pid}-[^/]+$`));
    expect(existsSync(work.path)).toBe(true);
    work.remove();
    work.remove();
    expect(existsSync(work.path)).toBe(false);
  });

  test('removes the folder when the process calls process.exit()', () => {
    const child = inChild('process.exit(3);');
    expect(child.status).toBe(3);
    expect(child.path).toContain('vercel-functions-aws-dev');
    expect(existsSync(child.path)).toBe(false);
  });

  test('removes the folder when the process dies of an uncaught exception', () => {
    const child = inChild("setTimeout(() => { throw new Error('fatal'); }, 1);");
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('fatal');
    expect(existsSync(child.path)).toBe(false);
  });
});
