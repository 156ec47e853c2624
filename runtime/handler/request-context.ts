import { AsyncLocalStorage } from 'node:async_hooks';
import type { ResponseCacheTags } from '../cdn/response-tags';
import { type Context, SYMBOL_FOR_REQ_CONTEXT } from '../get-context';
import type { PurgeApi } from '../purge/types';
import type { Awaiter } from './awaiter';
import { contextServices } from './service-registry';

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
  /**
   * Tags `addCacheTag()` collected for this response. Created by its first call
   * (runtime/cdn/response-tags.ts), so a function that never tags responses carries none of that
   * code; the adapter takes them when it writes the response headers.
   */
  cacheTags?: ResponseCacheTags;
  /** Set when the response headers are written: from then on `addCacheTag()` rejects. */
  cacheTagsClosed = false;
  /**
   * The raw `x-vfa-route-headers` value (vercel.json `headers` rules) still to be added to a
   * response the adapter does not write itself (middy's); cleared once added.
   */
  routeHeaders?: string;
  /**
   * For the CDN step of a response the adapter does not write itself (middy's): the viewer's
   * method and URL, as CloudFront keys the response, and what the step leaves to start once the
   * response has been sent. Unset for events that did not come over HTTP.
   */
  cdnStep?: {
    readonly request: { readonly method: string; readonly url: string };
    afterResponse?: () => void;
  };
  private published?: Context;

  constructor(init: RequestContextInit) {
    this.requestId = init.requestId;
    this.headers = init.headers;
    this.deadline = init.deadline;
    this.awaiter = init.awaiter;
  }

  /**
   * The context in upstream's shape, as `@vercel/functions` reads it through `getContext()`:
   * `waitUntil` and `headers`, and — when this bundle holds them (handler/service-registry.ts) —
   * `cache`, `purge` and `addCacheTag`. Built on first read; its other fields are getters, so an
   * invocation that never reads them builds neither ISO dates nor purge APIs.
   */
  get vercelContext(): Context {
    this.published ??= publish(this);
    return this.published;
  }
}

function publish(context: RequestContext): Context {
  const services = contextServices();
  let purge: PurgeApi | undefined;
  return {
    waitUntil: context.awaiter.waitUntil,
    headers: context.headers as Record<string, string>,
    get deadline() {
      return new Date(context.deadline).toISOString();
    },
    // The DynamoDB-backed Runtime Cache when the function has a cache table; without one, outside
    // Lambda (npm start) the process's shared in-memory cache, and on Lambda the field stays unset
    // and upstream's getCache() uses its own in-memory fallback (runtime/cache/backend.ts).
    get cache() {
      return services.cache?.();
    },
    // CloudFront invalidations for this request's distribution (runtime/cdn/purge-api.ts).
    get purge() {
      purge ??= services.purge?.(context);
      return purge;
    },
    get addCacheTag() {
      return services.addCacheTag?.(context);
    },
  };
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
 * finds our `waitUntil`, `headers`, `deadline`, `cache`, `purge` and `addCacheTag` (its `metric()`
 * needs the channel of metric-channel.ts, which only bundles of the real package carry).
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
