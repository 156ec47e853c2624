import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { AddCacheTagApi } from './addcachetag/types';
import type { RuntimeCache } from './cache/types';
import type { PurgeApi } from './purge/types';

/**
 * The global key under which a host runtime publishes the per-request context. Upstream
 * `@vercel/functions` (and `@vercel/oidc`, `@vercel/next`, ...) look it up at call time, so every
 * copy of those packages in a bundle — ours or the real one — sees the same context.
 */
export const SYMBOL_FOR_REQ_CONTEXT: unique symbol = Symbol.for('@vercel/request-context') as never;

/** What a host runtime provides to `@vercel/functions` for the current request (upstream's shape). */
export interface Context {
  waitUntil?: (promise: Promise<unknown>) => void;
  /** The invocation deadline as an ISO-8601 string. */
  deadline?: string;
  cache?: RuntimeCache;
  purge?: PurgeApi;
  addCacheTag?: AddCacheTagApi;
  /** The request headers, lower-case names. */
  headers?: Record<string, string>;
  upgradeWebSocket?: () => { req: IncomingMessage; socket: Socket; head: Buffer };
}

interface ContextHolder {
  get?: () => Context | null | undefined;
}

/**
 * Returns the current request's context, or `{}` outside a request — never throws, exactly like
 * upstream's `getContext()`.
 */
export function getContext(): Context {
  const holder = (globalThis as Record<symbol, ContextHolder | null | undefined>)[SYMBOL_FOR_REQ_CONTEXT];
  return holder?.get?.() ?? {};
}
