import type { AddCacheTagApi } from '../addcachetag/types';
import type { RuntimeCache } from '../cache/types';
import type { PurgeApi } from '../purge/types';
import type { RequestContext } from './request-context';

/*
 * The optional features of the request context. The adapter itself carries only what every
 * request needs (waitUntil, headers, deadline, the CDN cache headers); the Runtime Cache on
 * DynamoDB, CloudFront purges and `addCacheTag()` — over 30 KB of minified code with the DynamoDB
 * and CloudFront logic behind them — register here when the bundle holds them:
 * - with the runtime aliased in place of `@vercel/functions`, the module exporting a feature
 *   registers it when it is loaded, so only a function that imports the feature bundles it;
 * - with the real `@vercel/functions` package, which reaches our implementations only through the
 *   request context, the index lib/bundling generates for it registers each with the exports that
 *   use it (runtime/real-package-services.ts), and runtime/context-services.ts registers all of
 *   them (the public `runtime/handler` entry and the middy entry import it).
 * Module scope on purpose: it records which features this copy of the runtime carries (process
 * state, never request state). Each bundle loaded into one process (the dev server) has its own.
 */

/** What an `afterResponse` service may use of the request context. */
export interface AfterResponseContext {
  readonly requestId: string;
  /** Epoch milliseconds at which the invocation ends. */
  readonly deadline: number;
  readonly awaiter: { readonly waitUntil: (promise: Promise<unknown>) => void };
  /** The request's headers (lower-case names), as the request context holds them. */
  readonly headers: Readonly<Record<string, string>>;
}

/** What a feature contributes to the request context and the adapter. */
export interface ContextServices {
  /**
   * `Context.cache`: the process's Runtime Cache (outside Lambda, the shared in-memory one), or
   * `undefined` for upstream's in-memory fallback.
   */
  readonly cache?: () => RuntimeCache | undefined;
  /** `Context.purge` for one request; called at most once per request, on first use. */
  readonly purge?: (context: RequestContext) => PurgeApi;
  /** `Context.addCacheTag` for one request. */
  readonly addCacheTag?: (context: RequestContext) => AddCacheTagApi;
  /**
   * Started by the adapter once a response has been sent, inside the invocation (work goes to the
   * request's `waitUntil`): the CDN feature's sweep of due pending invalidations.
   */
  readonly afterResponse?: (context: AfterResponseContext) => void;
  /**
   * Records the canonical tags of a sent response that did not fit into the header CloudFront reads
   * (beyond its 50 per object) as tag → path rows in the tag table, so invalidating them still
   * evicts the response. Registered with `addCacheTag()` — the usual source of so many tags — and
   * the purge calls; without it the adapter logs the tags it could not apply.
   */
  readonly recordTagOverflow?: (overflow: TagOverflow) => void;
  /** The process-wide invocation hooks (invocation-hooks.ts), registered with the first hook. */
  readonly invocationHooks?: {
    /**
     * Runs the start hooks; the invocation was counted already. A promise (only when a hook has work
     * the handler must not overtake) is awaited before the handler runs; it never rejects.
     */
    readonly start: (requestId: string) => Promise<void> | undefined;
    /** Runs the end hooks, bounded by `budgetMs`; the invocation was counted as ended already. */
    readonly end: (requestId: string, budgetMs: number) => Promise<void>;
  };
}

/** A response whose tags did not all fit into the header CloudFront reads. */
export interface TagOverflow {
  readonly context: AfterResponseContext;
  readonly request: { readonly method: string; readonly url: string };
  /** The response headers as sent (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  /** Canonical CloudFront tags that did not fit. */
  readonly tags: readonly string[];
}

const services: { -readonly [K in keyof ContextServices]: ContextServices[K] } = {};

/** Registers (or replaces) the services a feature provides. Idempotent for the same functions. */
export function provideContextServices(provided: ContextServices): void {
  Object.assign(services, provided);
}

/** The services registered so far. Read at use time: a feature may register after a context was opened. */
export function contextServices(): Readonly<ContextServices> {
  return services;
}
