/**
 * A module loaded on first use and then kept for the process; a failed import is forgotten, so the
 * next call tries again. The runtime loads AWS SDK clients this way because importing one costs tens
 * of milliseconds (npm run bench, "deployed"), which a function that never uses it must not pay at
 * cold start. `load` stays a literal `import('…')` at the call site, so esbuild sees the package and
 * bundles it lazily, or leaves it to the Lambda runtime's copy. Mark the call `@__PURE__`: a
 * top-level call is otherwise kept by esbuild even in a bundle that never uses the loader, and with
 * it the package (the origin-secret check's Secrets Manager client in every function, for one).
 *
 * @example
 * ```ts
 * const loadStsSdk = /* @__PURE__ *\/ importOnce(() => import('@aws-sdk/client-sts'));
 * const { STSClient } = await loadStsSdk();
 * ```
 */
export function importOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}
