import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Lazy, Stack } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { compareRouteSpecificity, parseRoute, type RoutePattern } from '../runtime/handler/route';
import { Cdn } from './cdn';
import { ConfigurationError } from './errors';
import { discoverRoutes, type Route } from './local/routes';
import { OriginProtection } from './origin-protection';
import { routePathPattern, unsupportedPathPatternSegment } from './private/route-path-pattern';
import { bindVercelRuntime } from './private/runtime-binding';
import { Routing } from './routing';
import { RuntimeCacheTable } from './runtime-cache-table';
import { TagTable } from './tag-table';
import { type VercelEnvironment, VercelFunction } from './vercel-function';

/** Properties of a {@link VercelProject}. */
export interface VercelProjectProps {
  /** The Vercel-style project folder; every `api/**` function in it becomes a route. */
  readonly projectDir: string;

  /**
   * Who may call the functions' URLs (all of them).
   *
   * @default OriginProtection.oacWithBodySigning()
   */
  readonly originProtection?: OriginProtection;

  /**
   * Custom domains; the first one also becomes `VERCEL_URL` and `VERCEL_PROJECT_PRODUCTION_URL`.
   * Requires `certificate`.
   *
   * @default - the distribution's `*.cloudfront.net` domain only
   */
  readonly domainNames?: string[];

  /**
   * ACM certificate (us-east-1) for `domainNames`.
   *
   * @default - none
   */
  readonly certificate?: acm.ICertificate;

  /**
   * ARN of an AWS WAF v2 web ACL (scope CLOUDFRONT) for the distribution.
   *
   * @default - no web ACL
   */
  readonly webAclId?: string;

  /**
   * CloudFront standard access logging.
   *
   * @default true
   */
  readonly enableLogging?: boolean;

  /**
   * Bucket for the access logs (ACLs enabled).
   *
   * @default - a new private bucket
   */
  readonly logBucket?: s3.IBucket;

  /**
   * Edge locations serving the distribution.
   *
   * @default cloudfront.PriceClass.PRICE_CLASS_ALL
   */
  readonly priceClass?: cloudfront.PriceClass;

  /**
   * Cache behaviours the distribution may have, the default one included: CloudFront's quota,
   * 25 unless AWS raised it for the account. With `Routing.cacheBehaviors()` one route takes one
   * behaviour; `Routing.auto()` switches to the edge router when the routes do not fit.
   *
   * @default 25
   */
  readonly maxCacheBehaviors?: number;

  /**
   * How the distribution sends requests to the functions.
   *
   * @default Routing.auto() - a cache behaviour per route while they fit `maxCacheBehaviors`, else the edge router
   */
  readonly routing?: Routing;

  /**
   * Functions you bring, by Vercel-style route (e.g. `{ '/api/legacy/[id]': legacyFunction }`): any
   * Node.js `lambda.Function` whose handler is the adapter (`createHandler` from
   * `vercel-functions-aws/runtime/handler`). A route that `api/` also has is served by your function
   * instead. Each gets what the generated functions get: the `VERCEL_*` and runtime environment
   * variables (overwriting ones of the same name), the tables, invalidation of this distribution, and
   * a Function URL origin with the project's origin protection.
   *
   * @default - only the functions generated from `api/`
   */
  readonly functions?: Record<string, lambda.Function>;

  /**
   * `maxDuration` (seconds) of every function.
   *
   * @default 300
   */
  readonly maxDuration?: number;

  /**
   * `memory` (MB) of every function.
   *
   * @default 2048
   */
  readonly memory?: number;

  /**
   * Instruction set of every function.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Extra environment variables of every function (the project's own settings).
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * Vercel (`fra1`) or AWS (`eu-central-1`) regions the project may be deployed to.
   *
   * @default - any region
   */
  readonly regions?: string[];

  /**
   * `VERCEL_ENV` of every function.
   *
   * @default 'production'
   */
  readonly vercelEnv?: VercelEnvironment;

  /**
   * Regions holding replicas of the cache and tag tables (DynamoDB global tables).
   *
   * @default - no replicas
   */
  readonly replicaRegions?: string[];

  /**
   * Folder with the lock file and the `esbuild` installation used for bundling.
   *
   * @default - the folder of the nearest lock file at or above `projectDir`
   */
  readonly projectRoot?: string;

  /**
   * The lock file.
   *
   * @default - the nearest lock file at or above `projectDir`
   */
  readonly depsLockFilePath?: string;
}

const DEFAULT_MAX_CACHE_BEHAVIORS = 25;

/**
 * A whole Vercel-style project on AWS: one {@link VercelFunction} per route of `projectDir/api`
 * (Vercel's zero-config routing, as `npm start` serves it) plus the functions you bring
 * (`functions`), one {@link Cdn}, the {@link RuntimeCacheTable} and {@link TagTable}, and
 * least-privilege grants: each function may read and write the two tables and invalidate this
 * distribution only.
 *
 * Routing (`routing`): while the routes fit the cache behaviour quota (`maxCacheBehaviors`, 25 by
 * default, one taken by the default behaviour) each route gets a CloudFront path pattern, most
 * specific first: `/api/hello`, and `/api/users/*` for `api/users/[id].ts` (the adapter receives the
 * route and answers 404 for deeper paths the wildcard lets through). Beyond that — or always, with
 * `Routing.edgeRouter()` — the distribution routes at the edge: one behaviour whose CloudFront
 * Function finds the route in a KeyValueStore and selects the function's origin, for as many
 * functions as the distribution may have origins. Unmatched paths get Vercel's 404 at the edge
 * either way.
 *
 * Every function gets `VERCEL_DEPLOYMENT_ID` = `dpl_` + a hash of all functions' code, so it
 * changes exactly when a deployment changes code.
 *
 * @example
 * const project = new VercelProject(this, 'Project', { projectDir: 'examples' });
 * new CfnOutput(this, 'Url', { value: project.url });
 */
export class VercelProject extends Construct {
  /** The distribution in front of the functions. */
  readonly cdn: Cdn;

  /** The table behind `getCache()`. */
  readonly cacheTable: RuntimeCacheTable;

  /** The tag table. */
  readonly tagTable: TagTable;

  /** The functions by route, e.g. `/api/users/[id]`, most specific first (your own `functions` included). */
  readonly functions: ReadonlyMap<string, lambda.Function>;

  /** Whether the routes are served by the edge router (else by one cache behaviour each). */
  readonly edgeRouted: boolean;

  /** The project's public URL: `https://` + the first custom domain, else the CloudFront domain. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: VercelProjectProps) {
    super(scope, id);
    const projectDir = path.resolve(props.projectDir);
    if (!existsSync(projectDir) || !statSync(projectDir).isDirectory()) {
      throw new ConfigurationError(
        this,
        `projectDir '${props.projectDir}' is not a folder (resolved to ${projectDir})`,
      );
    }
    const maxCacheBehaviors = props.maxCacheBehaviors ?? DEFAULT_MAX_CACHE_BEHAVIORS;
    if (!Number.isInteger(maxCacheBehaviors) || maxCacheBehaviors < 2) {
      throw new ConfigurationError(
        this,
        `maxCacheBehaviors must be a whole number of at least 2, got ${maxCacheBehaviors}`,
      );
    }
    const ownFunctions = this.ownFunctions(props.functions ?? {});
    const discovered = this.discover(projectDir).filter(
      (route) => !ownFunctions.some((own) => own.route.path === route.path),
    );
    const routes: ProjectRoute[] = [
      ...discovered.map((route) => ({ route, source: route.source, file: route.file })),
      ...ownFunctions.map(({ route, fn }) => ({ route, source: fn.node.path, fn })),
    ].sort((a, b) => compareRouteSpecificity(a.route, b.route));
    if (routes.length === 0) {
      throw new ConfigurationError(
        this,
        `projectDir '${projectDir}' has no functions: expected files like api/hello.ts (extensions .ts, .tsx, .js, .mjs, .cjs)`,
      );
    }
    this.edgeRouted = this.useEdgeRouter(props.routing ?? Routing.auto(), routes, maxCacheBehaviors);

    const domain = props.domainNames?.[0];
    const originProtection = props.originProtection ?? OriginProtection.oacWithBodySigning();
    this.cacheTable = new RuntimeCacheTable(this, 'CacheTable', { replicaRegions: props.replicaRegions });
    this.tagTable = new TagTable(this, 'TagTable', { replicaRegions: props.replicaRegions });

    const functions = new Map<string, lambda.Function>();
    const deploymentId = Lazy.string({ produce: () => this.deploymentId([...functions.values()]) });
    const environment = {
      deploymentUrl: domain,
      productionUrl: domain,
      deploymentId,
      vercelEnv: props.vercelEnv,
      cacheTable: this.cacheTable,
      tagTable: this.tagTable,
    };
    for (const { route, source, file, fn: own } of routes) {
      if (own) {
        bindVercelRuntime(this, own, { ...environment, route: route.path });
        functions.set(route.path, own);
        continue;
      }
      const fn = new VercelFunction(this, functionId(route), {
        ...environment,
        entry: file!,
        projectDir,
        projectRoot: props.projectRoot,
        depsLockFilePath: props.depsLockFilePath,
        route: route.path,
        maxDuration: props.maxDuration,
        memory: props.memory,
        architecture: props.architecture,
        environment: props.environment,
        regions: props.regions,
        originProtection,
        description: `Vercel function ${source}`,
      });
      functions.set(route.path, fn);
    }

    this.cdn = new Cdn(this, 'Cdn', {
      originProtection,
      domainNames: props.domainNames,
      certificate: props.certificate,
      webAclId: props.webAclId,
      enableLogging: props.enableLogging,
      logBucket: props.logBucket,
      priceClass: props.priceClass,
      comment: `Vercel-style project ${path.basename(projectDir)}`,
      routes: this.edgeRouted
        ? Object.fromEntries(routes.map(({ route }) => [route.path, functions.get(route.path)!]))
        : undefined,
    });
    if (!this.edgeRouted) {
      // Behaviours in order of precedence: CloudFront takes the first matching pattern, and a `*`
      // also matches `/`, so longer routes go first (`/api/*/posts` before `/api/*`); among equally
      // long ones the route order applies (literal segments before dynamic ones).
      const ordered = [...routes].sort((a, b) => b.route.segments.length - a.route.segments.length);
      for (const { route } of ordered)
        this.cdn.addFunction(routePathPattern(route), functions.get(route.path)!);
    }
    for (const fn of new Set(functions.values())) this.cdn.grantCreateInvalidation(fn);
    this.functions = functions;
    this.url = `https://${domain ?? this.cdn.distributionDomainName}`;
  }

  private useEdgeRouter(
    routing: Routing,
    routes: readonly ProjectRoute[],
    maxCacheBehaviors: number,
  ): boolean {
    const fits = routes.length <= maxCacheBehaviors - 1;
    if (routing.mode === 'edgeRouter') return true;
    if (routing.mode === 'cacheBehaviors' && !fits) {
      throw new ConfigurationError(
        this,
        `the project has ${routes.length} routes, but the distribution may have only ${maxCacheBehaviors} cache behaviours (maxCacheBehaviors; one is the default behaviour, so ${maxCacheBehaviors - 1} routes). Use Routing.edgeRouter() or Routing.auto(), or ask AWS to raise the "Cache behaviors per distribution" quota and set maxCacheBehaviors.`,
      );
    }
    if (routing.mode === 'auto' && !fits) return true;
    for (const { route, source } of routes) {
      const unsupported = unsupportedPathPatternSegment(route);
      if (unsupported !== undefined) {
        throw new ConfigurationError(
          this,
          `${source}: the path segment '${unsupported}' has characters CloudFront path patterns cannot express (allowed: A-Z a-z 0-9 _ - . $ ~ " ' @ : + &); use Routing.edgeRouter()`,
        );
      }
    }
    return false;
  }

  private ownFunctions(
    functions: Record<string, lambda.Function>,
  ): { route: RoutePattern; fn: lambda.Function }[] {
    return Object.entries(functions).map(([path, fn]) => {
      try {
        return { route: parseRoute(path), fn };
      } catch (error) {
        throw new ConfigurationError(this, `functions has '${path}': ${(error as Error).message}`, {
          cause: error,
        });
      }
    });
  }

  private discover(projectDir: string): Route[] {
    try {
      return discoverRoutes(projectDir);
    } catch (error) {
      throw new ConfigurationError(
        this,
        `projectDir's api/ folder cannot be routed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  private deploymentId(functions: readonly lambda.Function[]): string {
    const stack = Stack.of(this);
    const hash = createHash('sha256');
    for (const fn of functions) {
      hash.update(JSON.stringify(stack.resolve((fn.node.defaultChild as lambda.CfnFunction).code)));
    }
    return `dpl_${hash.digest('hex').slice(0, 24)}`;
  }
}

/** One route of the project: a generated function's source file, or a function brought by the user. */
interface ProjectRoute {
  readonly route: RoutePattern;
  /** For messages: the source file, or the construct path of the user's function. */
  readonly source: string;
  readonly file?: string;
  readonly fn?: lambda.Function;
}

// Stable construct ids: they name the functions' CloudFormation resources, so they follow the
// route (`/api/users/[id]` → `Route-api-users-[id]`), which only changes when the file moves.
function functionId(route: RoutePattern): string {
  return `Route${route.path.replaceAll('/', '-')}`;
}
