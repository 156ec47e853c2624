import { provideRuntimeCache } from './cache/backend';
import { provideCdnPurge } from './cdn/purge-api';
import { provideCacheTags } from './cdn/response-tags';

// The real `@vercel/functions` reaches the Runtime Cache, CloudFront purges and `addCacheTag` only
// through the request context, so this runtime must register them (handler/service-registry.ts).
// Registering all of them up front (context-services.ts) puts their DynamoDB and CloudFront code,
// some 60 KB minified, into every bundle. The index lib/bundling generates for a project's own copy
// instead passes each export that needs a service through one of these, in a call marked pure:
//
//   export const getCache = /* @__PURE__ */ withRuntimeCache(vercelGetCache);
//
// esbuild drops the call, and with it the service's code, from a function that never imports the
// export; a function that does registers the service as the index loads, before its own code runs,
// exactly as it did with every service registered. That is what the runtime's own exports do when
// aliased in place of the package (runtime/purge/index.ts, runtime/addcachetag/index.ts).

/** Registers the Runtime Cache on DynamoDB (the context's `cache`) and returns `api` unchanged. */
export function withRuntimeCache<T>(api: T): T {
  provideRuntimeCache();
  return api;
}

/**
 * Registers CloudFront purges (the context's `purge`, the sweep of due invalidations after responses
 * and the recording of tags beyond CloudFront's 50 per object) and returns `api` unchanged.
 */
export function withCdnPurge<T>(api: T): T {
  provideCdnPurge();
  return api;
}

/**
 * Registers the response's cache tags (the context's `addCacheTag`, and the recording of tags beyond
 * CloudFront's 50 per object) and returns `api` unchanged.
 */
export function withCacheTags<T>(api: T): T {
  provideCacheTags();
  return api;
}
