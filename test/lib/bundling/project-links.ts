import { mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';

const REPO_MODULES = path.resolve(__dirname, '..', '..', '..', 'node_modules');

/**
 * Gives the throwaway project `dir` its own copies of the repository's installed packages
 * (`@vercel/functions`, `pg`, …), linked into its `node_modules` as pnpm links them: a project that
 * installed the real `@vercel/functions` is the case these tests exercise.
 */
export function linkInstalledPackages(dir: string, names: readonly string[]): void {
  for (const name of names) {
    const link = path.join(dir, 'node_modules', name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(REPO_MODULES, name), link);
  }
}
