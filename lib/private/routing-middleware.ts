import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { IConstruct } from 'constructs';
import { ConfigurationError } from '../errors';
import { isObject } from './vercel-json-error';

// Vercel Routing Middleware (https://vercel.com/docs/routing-middleware) runs before the functions on
// every request its `config.matcher` matches, and may answer instead of them: a 401 without a
// token, a redirect, a rewrite. Nothing here runs it, so a project relying on it would be served
// with its checks silently gone (an API its middleware keeps private would be open). Such a project
// is refused at synth, for `cdk deploy` and `npm start` alike, naming the file and what to do.
//
// Vercel finds it by file convention, `middleware.ts` (or `.js`) at the project root next to
// package.json, or by vercel.json's `proxy.entrypoint` (any file, e.g. `src/proxy.ts`). Next.js 16
// renamed its own middleware file to `proxy.ts`, a convention of Next.js alone: in a Vercel-style
// functions project a root `proxy.ts` is nothing unless vercel.json names it. A file named
// middleware.ts under `api/` is an ordinary function, as on Vercel (its builder matches the root
// file only).

/**
 * The middleware file names refused at the project root: the two Vercel's build detects, and the
 * module-format variants a TypeScript or ES module project might give it (refusing them costs
 * nothing, running without them could cost the project its access checks).
 */
export const ROUTING_MIDDLEWARE_FILES: readonly string[] = [
  'middleware.ts',
  'middleware.js',
  'middleware.mts',
  'middleware.mjs',
  'middleware.cts',
  'middleware.cjs',
];

const NOT_SUPPORTED =
  'vercel-functions-aws does not support Routing Middleware on AWS: nothing would run it, so every request would reach the functions without it (any check it makes, such as authentication, would not happen).';

/**
 * The Routing Middleware file at the root of `projectDir` (absolute path), or `undefined`.
 */
export function findRoutingMiddleware(projectDir: string): string | undefined {
  for (const name of ROUTING_MIDDLEWARE_FILES) {
    const file = path.join(path.resolve(projectDir), name);
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
  }
  return undefined;
}

/**
 * Refuses a project with a Routing Middleware file at its root.
 *
 * @throws ConfigurationError naming the file and what to do instead
 */
export function rejectRoutingMiddleware(scope: IConstruct, projectDir: string): void {
  const file = findRoutingMiddleware(projectDir);
  if (file === undefined) return;
  throw new ConfigurationError(
    scope,
    `${file} is Vercel Routing Middleware, which runs before the functions on every request it matches. ${NOT_SUPPORTED} Move what it does into the functions (for example a helper in a shared module each function calls first, returning its Response when the request must stop there), or remove the file if the project does not use it.`,
  );
}

/**
 * Why vercel.json's `proxy` (`{ "entrypoint": "proxy.ts", "matcher": … }`, Routing Middleware at a
 * file of any name) is refused, and what to do instead. Starts with the key, for VercelJsonError to
 * put the file's path before it.
 */
export function proxySettingMessage(proxy: unknown): string {
  const entrypoint = isObject(proxy) ? proxy.entrypoint : undefined;
  const named = typeof entrypoint === 'string' ? `'${entrypoint}'` : 'its proxy.entrypoint';
  return `proxy configures Vercel Routing Middleware (${named}), which runs before the functions on every request it matches. ${NOT_SUPPORTED} Move what it does into the functions (for example a helper in a shared module each function calls first, returning its Response when the request must stop there), or remove proxy from vercel.json if the project does not use it.`;
}
