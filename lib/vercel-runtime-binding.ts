import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { parseRoute, type RoutePattern } from '../runtime/handler/route';
import type { Cdn } from './cdn';
import { ConfigurationError } from './errors';
import { routePathPattern, unsupportedPathPatternSegment } from './private/route-path-pattern';
import { bindVercelRuntime } from './private/runtime-binding';
import type { RuntimeCacheTable } from './runtime-cache-table';
import type { TagTable } from './tag-table';
import type { VercelEnvironment } from './vercel-function';

/** Properties of a {@link VercelRuntimeBinding}. */
export interface VercelRuntimeBindingProps {
  /**
   * The function to run Vercel-style code in, e.g. an existing `NodejsFunction`. Its handler must be
   * the adapter: `export const handler = createHandler(module)` from
   * `vercel-functions-aws/runtime/handler` — it checks the route and the origin secret. Bundle it
   * with the `@vercel/functions` aliases (`bundling: vercelBundling('.')` from
   * `vercel-functions-aws/bundling`): the binding cannot check a function's bundling.
   */
  readonly lambdaFunction: lambda.Function;

  /**
   * The distribution serving the function. The binding adds the function to it (a Function URL with
   * the auth type the Cdn's origin protection needs and `InvokeMode.RESPONSE_STREAM`, created unless
   * the function has a matching one) and allows the function to invalidate it.
   *
   * @default - not served by a Cdn: only the environment and the table grants
   */
  readonly cdn?: Cdn;

  /**
   * The Vercel-style route the function serves, e.g. `/api/users/[id]`: the adapter answers 404 for
   * other paths and passes dynamic segments in the query (`VERCEL_FUNCTIONS_AWS_ROUTE`); with `cdn`,
   * also the path pattern (`/api/users/*`).
   *
   * @default - the function serves every path it is sent
   */
  readonly route?: string;

  /**
   * The CloudFront path pattern serving the function on `cdn`.
   *
   * @default - derived from `route`; required with `cdn` when there is no `route`
   */
  readonly pathPattern?: string;

  /**
   * How long CloudFront waits for the function's first byte, and between streamed chunks.
   *
   * @default Duration.seconds(120)
   */
  readonly readTimeout?: Duration;

  /**
   * Table behind `getCache()`: name in the environment, read/write access.
   *
   * @default - `getCache()` falls back to an in-memory cache
   */
  readonly cacheTable?: RuntimeCacheTable;

  /**
   * Tag table (cache tag expiry, CDN tag index, pending invalidations): name in the environment,
   * read/write access.
   *
   * @default - not set
   */
  readonly tagTable?: TagTable;

  /**
   * `VERCEL_ENV`.
   *
   * @default 'production'
   */
  readonly vercelEnv?: VercelEnvironment;

  /**
   * `VERCEL_URL`: the deployment's domain, without scheme.
   *
   * @default - not set
   */
  readonly deploymentUrl?: string;

  /**
   * `VERCEL_PROJECT_PRODUCTION_URL`: the production domain, without scheme.
   *
   * @default - not set
   */
  readonly productionUrl?: string;

  /**
   * `VERCEL_DEPLOYMENT_ID`.
   *
   * @default - not set
   */
  readonly deploymentId?: string;
}

/**
 * Brings your own Lambda function: gives an existing function (any Node.js `lambda.Function`, e.g.
 * a `NodejsFunction` with its own VPC, layers or bundling) everything a `VercelFunction` has —
 * the `VERCEL_*` and runtime environment variables (overwriting ones of the same name), read/write
 * access to the cache and tag tables, and, with `cdn`, a Function URL origin on the distribution
 * protected like the others plus `cloudfront:CreateInvalidation` on that distribution only.
 *
 * Within a `VercelProject`, pass the function in its `functions` prop instead.
 *
 * @example
 * const legacy = new NodejsFunction(this, 'Legacy', {
 *   entry: 'src/legacy-handler.ts',
 *   runtime: Runtime.NODEJS_24_X,
 *   bundling: vercelBundling('.'),
 * });
 * new VercelRuntimeBinding(this, 'LegacyBinding', {
 *   lambdaFunction: legacy,
 *   cdn,
 *   route: '/api/legacy/[id]',
 *   cacheTable,
 *   tagTable,
 * });
 */
export class VercelRuntimeBinding extends Construct {
  /** The function the binding configured. */
  readonly lambdaFunction: lambda.Function;

  /** The path pattern serving the function on the Cdn, when there is one. */
  readonly pathPattern?: string;

  constructor(scope: Construct, id: string, props: VercelRuntimeBindingProps) {
    super(scope, id);
    let route: RoutePattern | undefined;
    if (props.route !== undefined) {
      try {
        route = parseRoute(props.route);
      } catch (error) {
        throw new ConfigurationError(this, `route '${props.route}' is invalid: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    if (props.pathPattern !== undefined && !props.cdn) {
      throw new ConfigurationError(
        this,
        `pathPattern '${props.pathPattern}' is set but there is no cdn to serve it`,
      );
    }
    if (props.cdn && props.pathPattern === undefined && !route) {
      throw new ConfigurationError(
        this,
        'cdn is set but neither route nor pathPattern says which paths the function serves',
      );
    }
    bindVercelRuntime(this, props.lambdaFunction, { ...props, route: route?.path });
    this.lambdaFunction = props.lambdaFunction;
    if (props.cdn) {
      if (props.pathPattern === undefined && route) {
        const unsupported = unsupportedPathPatternSegment(route);
        if (unsupported !== undefined) {
          throw new ConfigurationError(
            this,
            `route '${route.path}' has the segment '${unsupported}', which a CloudFront path pattern cannot express: pass pathPattern`,
          );
        }
      }
      this.pathPattern = props.pathPattern ?? routePathPattern(route!);
      props.cdn.addFunction(this.pathPattern, props.lambdaFunction, { readTimeout: props.readTimeout });
      props.cdn.grantCreateInvalidation(props.lambdaFunction);
    }
  }
}
