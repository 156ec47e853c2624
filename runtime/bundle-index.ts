/**
 * What bundles resolve `@vercel/functions` and `vercel-functions-aws/runtime` to (lib/bundling/
 * aliases.ts): the index, plus every export as one object for `import vercel from
 * '@vercel/functions'`. Upstream is CommonJS, so in an ES module its default import is the whole
 * `module.exports`, and esbuild needs a default export to bundle that import. Kept out of index.ts:
 * Node already gives the compiled (CommonJS) index's `module.exports` to a default import, and
 * `require()` of it must show exactly upstream's keys. esbuild drops the object from a bundle that
 * does not import the default (an object literal of bindings has no side effects), so it costs
 * nothing to functions that import by name.
 */
import {
  addCacheTag,
  attachDatabasePool,
  dangerouslyDeleteBySrcImage,
  dangerouslyDeleteByTag,
  experimental_attachDatabasePool,
  experimental_upgradeWebSocket,
  geolocation,
  getCache,
  getDeadline,
  getEnv,
  invalidateBySrcImage,
  invalidateByTag,
  ipAddress,
  metric,
  next,
  rewrite,
  waitUntil,
} from './index';

export * from './index';

export default {
  addCacheTag,
  attachDatabasePool,
  dangerouslyDeleteBySrcImage,
  dangerouslyDeleteByTag,
  experimental_attachDatabasePool,
  experimental_upgradeWebSocket,
  geolocation,
  getCache,
  getDeadline,
  getEnv,
  invalidateBySrcImage,
  invalidateByTag,
  ipAddress,
  metric,
  next,
  rewrite,
  waitUntil,
};
