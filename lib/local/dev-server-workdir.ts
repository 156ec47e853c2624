import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Where dev servers keep bundles and synthesized templates: one folder per server under
// $TMPDIR/vercel-functions-aws-dev, removed on close, on process.exit() (a second Ctrl-C) and when
// the process dies of an uncaught error — 'exit' listeners run in all three. Only a process killed
// outright (SIGKILL) leaves its folder behind; the next dev server removes it, telling abandoned
// folders apart by the process id in their name.

/** A dev server's work folder. */
export interface WorkDir {
  readonly path: string;
  /** Removes the folder; idempotent. */
  remove(): void;
}

const ROOT_NAME = 'vercel-functions-aws-dev';

// Process-wide, like the 'exit' event: a single listener for every dev server in the process.
const live = new Set<string>();
const removeLive = () => {
  for (const path of live) rmSync(path, { recursive: true, force: true });
};

/** Creates a fresh work folder, after removing the ones dead processes left behind. */
export function createWorkDir(): WorkDir {
  const root = join(tmpdir(), ROOT_NAME);
  mkdirSync(root, { recursive: true });
  removeAbandoned(root);
  const path = mkdtempSync(join(root, `server-${process.pid}-`));
  if (live.size === 0) process.on('exit', removeLive);
  live.add(path);
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
      if (live.delete(path) && live.size === 0) process.off('exit', removeLive);
    },
  };
}

function removeAbandoned(root: string): void {
  for (const name of readdirSync(root)) {
    const pid = Number(/^server-(\d+)-/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) {
      rmSync(join(root, name), { recursive: true, force: true });
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
