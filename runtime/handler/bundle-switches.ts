/*
 * Bundle-time switches: parts of the adapter (the request guard's checks, applying vercel.json
 * `headers` rules) a bundler may leave out of a function that cannot need them, so a hello world
 * does not carry them. Each is a global name that esbuild's `define` replaces with `true` or `false`
 * (lib/bundling `adapterDefines`, set by `VercelFunction` from what it knows at synth time);
 * minified, the branch of a `false` switch is dropped with the code only it reaches.
 *
 * Undefined — a bundle built without the defines, e.g. by a user wrapping `createHandler` with
 * `VercelRuntimeBinding`, or a test — means everything is in. A bundle built without a part refuses
 * every request that asks for that part (its environment variable is set, or for the headers rules
 * the CDN sent `x-vfa-route-headers`): it fails closed, never serving unchecked.
 *
 * The code tests them as `typeof NAME === 'boolean' && !NAME` inside an `if` with an `else`:
 * esbuild then drops the untaken branch before it records what that branch references, so the
 * module only that branch imports is left out too (a `return` before the code would not be enough).
 */

declare global {
  /** `false`: bundled without the origin secret check of `OriginProtection.secretHeader()`. */
  const __VFA_ORIGIN_SECRET_CHECK__: boolean | undefined;
  /** `false`: bundled without the route check (the function was deployed for no route). */
  const __VFA_ROUTE_CHECK__: boolean | undefined;
  /**
   * `false`: bundled without applying the response headers of vercel.json `headers` rules
   * (route-headers.ts; the CDN of the function has no such rules).
   */
  const __VFA_ROUTE_HEADERS__: boolean | undefined;
}

/** The global names of the switches, for esbuild's `define`. */
export const BUNDLE_SWITCHES = {
  originSecretCheck: '__VFA_ORIGIN_SECRET_CHECK__',
  routeCheck: '__VFA_ROUTE_CHECK__',
  routeHeaders: '__VFA_ROUTE_HEADERS__',
} as const;
