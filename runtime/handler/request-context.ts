import { AsyncLocalStorage } from 'node:async_hooks';
import { tableBackedCache } from '../cache/backend';
import { createPurgeApi } from '../cdn/purge-api';
import { ResponseCacheTags } from '../cdn/response-tags';
import { type Context, SYMBOL_FOR_REQ_CONTEXT } from '../get-context';
import type { Awaiter } from './awaiter';

/** Everything the runtime knows about one invocation. One instance per request, never shared. */
export interface RequestContextInit {
  /** The Lambda request id (`context.awsRequestId`). */
  readonly requestId: string;
  /** The request headers as the handler sees them: lower-case names, derived Vercel headers included. */
  readonly headers: Readonly<Record<string, string>>;
  /** Epoch milliseconds at which Lambda stops the invocation. */
  readonly deadline: number;
  /** Collects `waitUntil()` promises for the drain after the response. */
  readonly awaiter: Awaiter;
}

export class RequestContext implements RequestContextInit {
  readonly requestId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly deadline: number;
  readonly awaiter: Awaiter;
  /** Tags `addCacheTag()` collects for this response; the adapter writes them with the headers. */
  readonly cacheTags = new ResponseCacheTags();
  private published?: Context;

  constructor(init: RequestContextInit) {
    this.requestId = init.requestId;
    this.headers = init.headers;
    this.deadline = init.deadline;
    this.awaiter = init.awaiter;
  }

  /** The context in upstream's shape, as `@vercel/functions` reads it through `getContext()`. */
  get vercelContext(): Context {
    this.published ??= {
      waitUntil: this.awaiter.waitUntil,
      deadline: new Date(this.deadline).toISOString(),
      headers: this.headers as Record<string, string>,
      // The DynamoDB-backed Runtime Cache when the function has a cache table; without one the
      // field stays unset and upstream's getCache() uses its own in-memory fallback.
      cache: tableBackedCache(),
      addCacheTag: this.cacheTags.add,
      // CloudFront invalidations for this request's distribution (runtime/cdn/purge-api.ts).
      purge: createPurgeApi(this),
    };
    return this.published;
  }
}

// One AsyncLocalStorage per process (per worker thread on Managed Instances), shared by every copy
// of this runtime that ends up in the process: each function bundle carries its own copy, and the
// dev server loads several bundles side by side. A module-level instance would give each copy a
// private storage and the last one to install the global getter would hide the others' requests.
const STORAGE_KEY = Symbol.for('vercel-functions-aws/request-context-storage');

function storage(): AsyncLocalStorage<RequestContext> {
  const slot = globalThis as Record<symbol, AsyncLocalStorage<RequestContext> | undefined>;
  slot[STORAGE_KEY] ??= new AsyncLocalStorage<RequestContext>();
  return slot[STORAGE_KEY];
}

/** Runs `fn` with `context` as the current request context (and everything it awaits or schedules). */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  installVercelRequestContext();
  return storage().run(context, fn);
}

/** The current request context, or `undefined` outside a request (module init, scripts, tests). */
export function currentRequestContext(): RequestContext | undefined {
  return storage().getStore();
}

const INSTALLED = Symbol.for('vercel-functions-aws/installed');

/**
 * Publishes the request context where upstream `@vercel/functions` looks for it
 * (`globalThis[Symbol.for('@vercel/request-context')].get()`), so the real, unmodified package
 * finds our `waitUntil`, `headers`, `deadline` and, as they land, `cache`, `purge` and `addCacheTag`.
 * Idempotent; outside a request the getter returns `undefined`, which upstream treats as `{}`.
 */
export function installVercelRequestContext(): void {
  const slot = globalThis as Record<symbol, unknown>;
  const holder = slot[SYMBOL_FOR_REQ_CONTEXT] as { [INSTALLED]?: true } | undefined;
  if (holder?.[INSTALLED]) return;
  Object.defineProperty(globalThis, SYMBOL_FOR_REQ_CONTEXT, {
    configurable: true,
    enumerable: false,
    value: { [INSTALLED]: true, get: () => currentRequestContext()?.vercelContext },
  });
}
