import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Lazy, Stack } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Cdn } from './cdn';
import { ConfigurationError } from './errors';
import { discoverRoutes, type Route } from './local/routes';
import type { OriginProtection } from './origin-protection';
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
   * 25 unless AWS raised it for the account. One route takes one behaviour.
   *
   * @default 25
   */
  readonly maxCacheBehaviors?: number;

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
 * (Vercel's zero-config routing, as `npm start` serves it), one {@link Cdn} with a behaviour per
 * route, the {@link RuntimeCacheTable} and {@link TagTable}, and least-privilege grants: each
 * function may read and write the two tables and invalidate this distribution only.
 *
 * Routes become CloudFront path patterns, most specific first: `/api/hello`, and `/api/users/*`
 * for `api/users/[id].ts` (the adapter receives the route and answers 404 for deeper paths the
 * wildcard lets through). Unmatched paths get Vercel's 404 at the edge.
 *
 * Routing limit: one route takes one cache behaviour, and CloudFront's default quota is 25 per
 * distribution (`maxCacheBehaviors`). A project with more routes fails at synth with an
 * explanation; raise the quota and `maxCacheBehaviors`, or split the project.
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

  /** The functions by route, e.g. `/api/users/[id]`, most specific first. */
  readonly functions: ReadonlyMap<string, VercelFunction>;

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
    const routes = this.discover(projectDir);
    const maxCacheBehaviors = props.maxCacheBehaviors ?? DEFAULT_MAX_CACHE_BEHAVIORS;
    if (!Number.isInteger(maxCacheBehaviors) || maxCacheBehaviors < 2) {
      throw new ConfigurationError(
        this,
        `maxCacheBehaviors must be a whole number of at least 2, got ${maxCacheBehaviors}`,
      );
    }
    if (routes.length > maxCacheBehaviors - 1) {
      throw new ConfigurationError(
        this,
        `projectDir has ${routes.length} routes, but the distribution may have only ${maxCacheBehaviors} cache behaviours (maxCacheBehaviors; one is the default behaviour, so ${maxCacheBehaviors - 1} routes). Ask AWS to raise the "Cache behaviors per distribution" quota and set maxCacheBehaviors, or split the project into several VercelProjects.`,
      );
    }

    const domain = props.domainNames?.[0];
    this.cacheTable = new RuntimeCacheTable(this, 'CacheTable', { replicaRegions: props.replicaRegions });
    this.tagTable = new TagTable(this, 'TagTable', { replicaRegions: props.replicaRegions });
    this.cdn = new Cdn(this, 'Cdn', {
      originProtection: props.originProtection,
      domainNames: props.domainNames,
      certificate: props.certificate,
      webAclId: props.webAclId,
      enableLogging: props.enableLogging,
      logBucket: props.logBucket,
      priceClass: props.priceClass,
      comment: `Vercel-style project ${path.basename(projectDir)}`,
    });

    const functions = new Map<string, VercelFunction>();
    const deploymentId = Lazy.string({ produce: () => this.deploymentId([...functions.values()]) });
    for (const route of routes) {
      const fn = new VercelFunction(this, functionId(route), {
        entry: route.file,
        projectDir,
        projectRoot: props.projectRoot,
        depsLockFilePath: props.depsLockFilePath,
        route: route.path,
        maxDuration: props.maxDuration,
        memory: props.memory,
        architecture: props.architecture,
        environment: props.environment,
        regions: props.regions,
        vercelEnv: props.vercelEnv,
        deploymentUrl: domain,
        productionUrl: domain,
        deploymentId,
        originProtection: this.cdn.originProtection,
        cacheTable: this.cacheTable,
        tagTable: this.tagTable,
        description: `Vercel function ${route.source}`,
      });
      functions.set(route.path, fn);
    }
    // Behaviours in order of precedence: CloudFront takes the first matching pattern, and a `*`
    // also matches `/`, so longer routes go first (`/api/*/posts` before `/api/*`); among equally
    // long ones the route order applies (literal segments before dynamic ones).
    const ordered = [...routes].sort((a, b) => b.segments.length - a.segments.length);
    for (const route of ordered) {
      const fn = functions.get(route.path)!;
      this.cdn.addFunction(pathPattern(route), fn);
      this.cdn.grantCreateInvalidation(fn);
    }
    this.functions = functions;
    this.url = `https://${domain ?? this.cdn.distributionDomainName}`;
  }

  private discover(projectDir: string): Route[] {
    let routes: Route[];
    try {
      routes = discoverRoutes(projectDir);
    } catch (error) {
      throw new ConfigurationError(
        this,
        `projectDir's api/ folder cannot be routed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (routes.length === 0) {
      throw new ConfigurationError(
        this,
        `projectDir '${projectDir}' has no functions: expected files like api/hello.ts (extensions .ts, .tsx, .js, .mjs, .cjs)`,
      );
    }
    for (const route of routes) {
      const unsupported = route.segments.find(
        (segment) => segment.kind === 'static' && !/^[A-Za-z0-9_\-.$~"'@:+&]+$/.test(segment.value),
      );
      if (unsupported?.kind === 'static') {
        throw new ConfigurationError(
          this,
          `${route.source}: the path segment '${unsupported.value}' has characters CloudFront path patterns cannot express (allowed: A-Z a-z 0-9 _ - . $ ~ " ' @ : + &)`,
        );
      }
    }
    return routes;
  }

  private deploymentId(functions: readonly VercelFunction[]): string {
    const stack = Stack.of(this);
    const hash = createHash('sha256');
    for (const fn of functions) {
      hash.update(JSON.stringify(stack.resolve((fn.node.defaultChild as lambda.CfnFunction).code)));
    }
    return `dpl_${hash.digest('hex').slice(0, 24)}`;
  }
}

// Stable construct ids: they name the functions' CloudFormation resources, so they follow the
// route (`/api/users/[id]` → `Route-api-users-[id]`), which only changes when the file moves.
function functionId(route: Route): string {
  return `Route${route.path.replaceAll('/', '-')}`;
}

function pathPattern(route: Route): string {
  return `/${route.segments.map((segment) => (segment.kind === 'static' ? segment.value : '*')).join('/')}`;
}
