import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Decides whether the user's folder brings its own real `@vercel/functions`: true only when a copy is
 * installed inside `projectDir` (`<projectDir>/node_modules/@vercel/functions`, symlinks included, as
 * pnpm and workspaces install that way). A copy found further up — such as this repository's own
 * devDependency — does not count, because Node's lookup would only reach it by leaving the project.
 *
 * @example
 * import { projectHasOwnVercelPackage } from '../lib/bundling';
 * projectHasOwnVercelPackage('/path/to/my-vercel-app'); // true after `npm install @vercel/functions` there
 */
export function projectHasOwnVercelPackage(projectDir: string): boolean {
  const manifest = path.join(
    path.resolve(projectDir),
    'node_modules',
    '@vercel',
    'functions',
    'package.json',
  );
  return existsSync(manifest);
}
