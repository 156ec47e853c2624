import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { adapterEntrySource } from '../bundling/adapter-entry';

/**
 * Writes the generated Lambda entry for `userEntry` (the adapter wrapping the user's module, from
 * lib/bundling) and returns its path.
 *
 * Where: `<projectRoot>/node_modules/.cache/vercel-functions-aws/entries/<name>-<hash>/index.mjs`.
 * NodejsFunction requires the entry under its project root; `node_modules/.cache` is the usual home
 * of generated build inputs and is ignored by git, linters and tsc everywhere. The path depends only
 * on the entry's path relative to the project root, and the file is rewritten only when its content
 * changes, so asset hashes stay stable across synths and machines.
 */
export function writeGeneratedEntry(projectRoot: string, userEntry: string): string {
  const relative = path.relative(projectRoot, userEntry).split(path.sep).join('/');
  return writeEntrySource(projectRoot, relative, adapterEntrySource(userEntry));
}

/**
 * Writes a generated entry with the given source, under the same folder as
 * {@link writeGeneratedEntry}, and returns its path. `key` names the entry (a relative path or any
 * stable name); equal keys share one file.
 */
export function writeEntrySource(projectRoot: string, key: string, source: string): string {
  const name = key
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-60);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const dir = path.join(
    projectRoot,
    'node_modules',
    '.cache',
    'vercel-functions-aws',
    'entries',
    `${name}-${hash}`,
  );
  const file = path.join(dir, 'index.mjs');
  if (existsSync(file) && readFileSync(file, 'utf8') === source) return file;
  mkdirSync(dir, { recursive: true });
  // Write-then-rename: parallel synths (e.g. test workers) never read a half-written entry.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, source);
  renameSync(temporary, file);
  return file;
}
