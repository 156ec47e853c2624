import { provideRuntimeCache } from './cache/backend';
import { provideCdnPurge } from './cdn/purge-api';
import { provideCacheTags } from './cdn/response-tags';

/*
 * Registers every optional feature of the request context at load: the Runtime Cache on DynamoDB
 * (`cache`), CloudFront purges (`purge`, plus the sweep of due invalidations after responses) and
 * `addCacheTag`. Import it for its effect when user code reaches them only through the request
 * context — i.e. when the function bundles the real `@vercel/functions` package instead of this
 * runtime: the generated Lambda entry does so for such projects (lib/bundling/adapter-entry.ts),
 * and the public `runtime/handler` and `runtime/handler/middy` entries always do, because a
 * hand-written handler may use either package. With the runtime aliased in its place, each
 * feature registers itself when imported and this module stays out of the bundle.
 */

/** Registers the Runtime Cache, CloudFront purges and `addCacheTag` with the adapter. Idempotent. */
export function provideAllContextServices(): void {
  provideRuntimeCache();
  provideCdnPurge();
  provideCacheTags();
}

provideAllContextServices();
