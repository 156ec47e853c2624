import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Lock files NodejsFunction understands, in the order it looks for them. */
const LOCK_FILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock'];

/** The nearest lock file at or above `dir`, or `undefined`. */
export function findLockFile(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    for (const name of LOCK_FILES) {
      const candidate = path.join(current, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * The Vercel project folder an entry belongs to: the folder holding the `api/` directory the entry
 * sits in (`/app/api/users/[id].ts` → `/app`), else the entry's own folder.
 */
export function projectDirOf(entry: string): string {
  const parts = path.resolve(entry).split(path.sep);
  const api = parts.lastIndexOf('api');
  return api > 0 && api < parts.length - 1
    ? parts.slice(0, api).join(path.sep) || path.sep
    : path.dirname(entry);
}
