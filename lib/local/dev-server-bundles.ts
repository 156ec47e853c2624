import { setFlagsFromString } from 'node:v8';

// Loading a function's bundle with `require`, and letting go of it when a rebuild replaces it. The
// dev server loads a new bundle (a new file) on every rebuild; two things kept each old one alive,
// about 2.8 MB per rebuild of a small function, for as long as the process ran:
//
// - `module.children` of the module that required it: Node adds every module a module requires, and
//   never removes it — so the bundle's exports and everything its closures hold stayed reachable.
// - V8's compilation cache, keyed by source text and file name: it kept every bundle's source and
//   compiled script until a last-resort GC near the heap limit (invisible in heap snapshots, which
//   clear the cache first). Loading with the cache off avoids the entry; nothing ever hit it anyway.

// A process started with --no-compilation-cache keeps it off after each load.
const CACHE_OFF_AT_START = process.execArgv.includes('--no-compilation-cache');

/** `require`s a bundle without leaving it in V8's compilation cache. */
export function loadBundle(file: string): { handler?: unknown } {
  setFlagsFromString('--no-compilation-cache');
  try {
    return require(file);
  } finally {
    if (!CACHE_OFF_AT_START) setFlagsFromString('--compilation-cache');
  }
}

/** Drops every reference this process holds to a bundle loaded with {@link loadBundle}. */
export function unloadBundle(file: string): void {
  delete require.cache[file];
  // Under jest, `module` is jest's own module object, which may keep no children.
  const children = (module as Partial<NodeJS.Module>).children;
  if (!children) return;
  const index = children.findIndex((child) => child.id === file || child.filename === file);
  if (index !== -1) children.splice(index, 1);
}
