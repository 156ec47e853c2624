import { provideRuntimeCache } from './cache/backend';
import { provideCdnPurge } from './cdn/purge-api';
import { provideCacheTags } from './cdn/response-tags';

/*
 * Registers every optional feature of the request context at load: the Runtime Cache on DynamoDB
 * (`cache`), CloudFront purges (`purge`, plus the sweep of due invalidations after responses) and
 * `addCacheTag`. Import it for its effect when user code reaches them only through the request
 * context — i.e. when the function bundles the real `@vercel/functions` package instead of this
 * runtime and nothing tells which of its exports the function uses: the public `runtime/handler`
 * and `runtime/handler/middy` entries always do, because a hand-written handler may use either
 * package, bundled or not, and so does the index lib/bundling generates for a copy whose export
 * names it cannot read. The index it generates otherwise registers each feature with the copy's
 * exports that use it (real-package-services.ts), and with the runtime aliased in the package's
 * place each feature registers itself when imported: this module then stays out of the bundle.
 */

/** Registers the Runtime Cache, CloudFront purges and `addCacheTag` with the adapter. Idempotent. */
export function provideAllContextServices(): void {
  provideRuntimeCache();
  provideCdnPurge();
  provideCacheTags();
}

provideAllContextServices();
