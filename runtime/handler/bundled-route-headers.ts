import './bundle-switches';
import { applyRouteHeaders, mergeRouteHeaders, parseRouteHeaders, withRouteHeaders } from './route-headers';

/** What the adapter's entry points use of route-headers.ts (the vercel.json `headers` rules). */
export interface RouteHeaderFunctions {
  readonly parseRouteHeaders: typeof parseRouteHeaders;
  readonly applyRouteHeaders: typeof applyRouteHeaders;
  readonly withRouteHeaders: typeof withRouteHeaders;
  readonly mergeRouteHeaders: typeof mergeRouteHeaders;
}

/**
 * The functions of route-headers.ts, or `undefined` in a bundle built without them
 * (`__VFA_ROUTE_HEADERS__` false: the function's CDN has no vercel.json `headers` rules). Such a
 * bundle's guard refuses every request that carries route headers (request-guard.ts), so its
 * callers never have any to add.
 *
 * Every reference to route-headers.ts goes through here, inside the switch's `else`, so esbuild
 * drops that module with the untaken branch (bundle-switches.ts).
 */
export function bundledRouteHeaders(): RouteHeaderFunctions | undefined {
  if (typeof __VFA_ROUTE_HEADERS__ === 'boolean' && !__VFA_ROUTE_HEADERS__) {
    return undefined;
  } else {
    return { parseRouteHeaders, applyRouteHeaders, withRouteHeaders, mergeRouteHeaders };
  }
}
