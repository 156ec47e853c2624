import { BUNDLE_SWITCHES } from '../../runtime/handler/bundle-switches';
import { BundlingError } from './errors';

/**
 * Which optional parts of the adapter a function bundle carries. Leave a part out only when the
 * deployment cannot need it: a bundle without a check refuses every request (500, with a log line
 * naming the variable) when the environment asks for that check, and a bundle without the headers
 * rules every request the CDN sends their headers with (runtime/handler/bundle-switches.ts), so a
 * wrong setting fails closed rather than serving unchecked requests.
 */
export interface AdapterFeatureOptions {
  /**
   * Bundle the origin secret check of `OriginProtection.secretHeader()` (with its Secrets Manager
   * client). Functions whose Function URL uses `AWS_IAM` auth (the OAC modes) never need it.
   *
   * @default true
   */
  readonly originSecretCheck?: boolean;
  /**
   * Bundle the route check (Vercel's 404 for paths the route does not serve, dynamic segments in the
   * query). Functions deployed for no route (`VERCEL_FUNCTIONS_AWS_ROUTE` unset) never need it.
   *
   * @default true
   */
  readonly routeCheck?: boolean;
  /**
   * Bundle the code that applies the response headers of vercel.json `headers` rules, which the
   * CDN sends with each request they match. Functions whose CDN has no `headers` rules never need it.
   *
   * @default true
   */
  readonly routeHeaders?: boolean;
}

/**
 * esbuild `define` entries that set the adapter's bundle-time switches. A bundle built without them
 * carries every part.
 *
 * @example
 * import { adapterDefines } from '../lib/bundling';
 * await esbuild.build({ entryPoints: ['handler.ts'], bundle: true, define: adapterDefines({ originSecretCheck: false }) });
 */
export function adapterDefines(options: AdapterFeatureOptions = {}): Record<string, string> {
  const defines: Record<string, string> = {};
  for (const feature of Object.keys(BUNDLE_SWITCHES) as (keyof AdapterFeatureOptions)[]) {
    const value = options[feature] ?? true;
    if (typeof value !== 'boolean') {
      throw new BundlingError(`adapterDefines: ${feature} must be a boolean, got ${JSON.stringify(value)}`);
    }
    defines[BUNDLE_SWITCHES[feature]] = String(value);
  }
  return defines;
}
