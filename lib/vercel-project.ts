import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, CfnOutput, type Duration, Lazy, Stack } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { compareRouteSpecificity, matchRoute, parseRoute, type RoutePattern } from '../runtime/handler/route';
import { Cdn, type CdnRoutingRules } from './cdn';
import { ConfigurationError } from './errors';
import { ImageOptimizer, type ImageOptimizerProps } from './image-optimizer';
import { InvalidationSweeper } from './invalidation-sweeper';
import { discoverRoutes, type Route } from './local/routes';
import { OidcIssuer, type WebIdentityTokenSigningAlgorithm } from './oidc-issuer';
import type { OidcRole } from './oidc-role';
import { OriginProtection } from './origin-protection';
import { type CronSchedulesProps, createCronSchedules } from './private/cron-schedules';
import { rejectInvalidEnvironmentNames } from './private/environment-names';
import { findLockFile } from './private/project-layout';
import {
  minimumRouteBehaviors,
  type RouteBehavior,
  routeBehaviorPlan,
  unsupportedPathPatternSegment,
} from './private/route-path-pattern';
import { rejectRoutingMiddleware } from './private/routing-middleware';
import { bindVercelRuntime } from './private/runtime-binding';
import { isInStack } from './private/stacks';
import {
  assignFunctions,
  type FunctionsAssignment,
  ignoredFunctionKeysMessage,
  ignoredKeysMessage,
  ownFunctionsOnlyMessage,
  readVercelJson,
  VERCEL_JSON_IMAGES_ID,
  type VercelJson,
  type VercelJsonFunction,
} from './private/vercel-json';
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
   * 75 unless AWS raised it for the account. With `Routing.cacheBehaviors()` a route takes one
   * behaviour, two when its last segment is literal (`/api/hello` and `/api/hello/`, unless
   * vercel.json sets `trailingSlash: false`); `Routing.auto()` switches to the edge router when the
   * routes do not fit.
   *
   * @default 75
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
   * `vercel-functions-aws/runtime/handler`), bundled with the `@vercel/functions` aliases
   * (`bundling: vercelBundling('.')` from `vercel-functions-aws/bundling`; nothing here can check a
   * function's bundling). A route that `api/` also has is served by your function instead. Each gets what the generated functions get: the `VERCEL_*` and runtime environment
   * variables (overwriting ones of the same name), the tables, invalidation of this distribution,
   * a Function URL origin with the project's origin protection, and the `oidcAudiences` and
   * `awsRole` grants. With `oidcAudiences`, a function of yours that calls `getVercelOidcToken()`
   * must bundle the AWS SDK itself (`bundling: { bundleAwsSDK: true }`): the Lambda runtime's copy
   * may lack `GetWebIdentityToken`. Each must be in the project's stack: the function would need the
   * project's tables and the project's distribution its URL, a circular dependency between stacks
   * (the synth fails naming the function).
   *
   * @default - only the functions generated from `api/`
   */
  readonly functions?: Record<string, lambda.Function>;

  /**
   * `maxDuration` (seconds) of every function whose vercel.json `functions` entry sets none.
   *
   * @default 300
   */
  readonly maxDuration?: number;

  /**
   * `memory` (MB) of every function whose vercel.json `functions` entry sets none.
   *
   * @default 2048
   */
  readonly memory?: number;

  /**
   * Instruction set of every function whose vercel.json `functions` entry sets none.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Extra environment variables of every function (the project's own settings). `CRON_SECRET`, as
   * on Vercel, is also sent by the vercel.json crons as `Authorization: Bearer <CRON_SECRET>`.
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
   * `VERCEL_ENV` of every function. vercel.json `crons` are scheduled only in `production`, as on
   * Vercel.
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

  /**
   * Audiences (`aud`) every function may get OIDC tokens for: on AWS, `getVercelOidcToken()` gets
   * them from STS `GetWebIdentityToken` (IAM outbound identity federation), the first audience
   * being its default. 1 to 10. The stack enables the account's outbound federation and outputs its
   * issuer URL (`OidcIssuerUrl`), which the services receiving the tokens must trust.
   *
   * @default - no tokens from STS: `getVercelOidcToken()` finds only `VERCEL_OIDC_TOKEN`
   */
  readonly oidcAudiences?: string[];

  /**
   * Algorithm the OIDC tokens are signed with. Requires `oidcAudiences`.
   *
   * @default WebIdentityTokenSigningAlgorithm.RS256
   */
  readonly oidcSigningAlgorithm?: WebIdentityTokenSigningAlgorithm;

  /**
   * Lifetime of the OIDC tokens, 1 to 60 minutes. Requires `oidcAudiences`.
   *
   * @default Duration.minutes(5)
   */
  readonly oidcTokenDuration?: Duration;

  /**
   * Whether the generated functions bundle the AWS SDK of your lock file (`bundleAwsSDK` of
   * `NodejsFunction`) instead of using the copy the Lambda runtime provides. Bundled, the SDK code a
   * function can reach is compiled at every cold start: to a function calling
   * `getVercelOidcToken()` it adds about 1.2 MB instead of 54 KB, and about 19 ms more module init
   * (`npm run bench -- deployed`). With `oidcAudiences`
   * it is needed, as the runtime's SDK may predate STS `GetWebIdentityToken`, which
   * `getVercelOidcToken()` calls.
   *
   * @default - true when `oidcAudiences` is set, else false
   */
  readonly bundleAwsSDK?: boolean;

  /**
   * Whether an {@link InvalidationSweeper} sends the invalidations waiting in the tag table every
   * minute. Without it they are sent only by function invocations, so a purge refused by CloudFront
   * (or scheduled with `revalidationDeadlineSeconds`) waits for the next request.
   *
   * @default true
   */
  readonly enableInvalidationSweeper?: boolean;

  /**
   * Vercel Image Optimization: the optimizer is served at `/_vercel/image?url=…&w=…&q=…` on the
   * project's distribution (`imageOptimizer.addToCdn(cdn)`), where `next/image` and Vercel's image
   * URLs expect it, and `invalidateBySrcImage()` evicts its variants. It takes one of the
   * `maxCacheBehaviors`.
   *
   * Without it, `images` in `projectDir/vercel.json` configures one as on Vercel: an
   * `ImageOptimizer` with those fields and the project's `architecture`, created as the child
   * `Images` of this construct. Set this prop for the settings vercel.json cannot hold (memory,
   * timeout, `maximumResponseBody`, …); it then wins, and a synth warning says vercel.json's
   * `images` was ignored.
   *
   * @example
   * new VercelProject(this, 'Project', {
   *   projectDir: 'app',
   *   imageOptimizer: new ImageOptimizer(this, 'Images', { sizes: [640, 1080, 1920] }),
   * });
   *
   * @default - from vercel.json `images`, else no optimizer: `/_vercel/image` gets the 404 of unrouted paths
   */
  readonly imageOptimizer?: ImageOptimizer;

  /**
   * The role of `awsCredentialsProvider({ roleArn: process.env.AWS_ROLE_ARN })` (as in Vercel's OIDC
   * guide): every function may assume it (`awsRole.grantAssumeRole`) and gets its ARN as
   * `AWS_ROLE_ARN` — your own `functions` included — unless `environment` sets `AWS_ROLE_ARN`.
   *
   * @default - no role
   */
  readonly awsRole?: OidcRole;
}

// CloudFront's default "Cache behaviors per distribution" quota
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html).
const DEFAULT_MAX_CACHE_BEHAVIORS = 75;
// The variable whose value Vercel sends its cron requests as a Bearer token
// (https://vercel.com/docs/cron-jobs/manage-cron-jobs, "Securing cron jobs").
const CRON_SECRET_ENV = 'CRON_SECRET';
// The variable Vercel's OIDC guide reads the role from: `awsCredentialsProvider({ roleArn: process.env.AWS_ROLE_ARN })`.
const AWS_ROLE_ARN_ENV = 'AWS_ROLE_ARN';

/**
 * A whole Vercel-style project on AWS: one {@link VercelFunction} per route of `projectDir/api`
 * (Vercel's zero-config routing, as `npm start` serves it) plus the functions you bring
 * (`functions`), one {@link Cdn}, the {@link RuntimeCacheTable} and {@link TagTable}, and
 * least-privilege grants: each function may read and write the two tables and invalidate this
 * distribution only.
 *
 * Routing (`routing`): while the routes fit the cache behaviour quota (`maxCacheBehaviors`, 75 by
 * default, one taken by the default behaviour) each route gets CloudFront path patterns, most
 * specific first: `/api/hello` and `/api/hello/` (Vercel serves a route with one trailing slash
 * too), and `/api/users/*` for `api/users/[id].ts` (the adapter receives the route and answers 404
 * for deeper paths the wildcard lets through). Beyond that — or when path patterns cannot tell two
 * routes apart (`api/users/[id]/posts.ts` next to `api/users/[id]/posts/[postId].ts`), or always,
 * with `Routing.edgeRouter()` — the distribution routes at the edge: one behaviour whose CloudFront
 * Function finds the route in a KeyValueStore and selects the function's origin, for as many
 * functions as the distribution may have origins. Unmatched paths get Vercel's 404 at the edge
 * either way.
 *
 * Every function gets `VERCEL_DEPLOYMENT_ID` = `dpl_` + a hash of all functions' code, so it
 * changes exactly when a deployment changes code.
 *
 * An {@link InvalidationSweeper} sends the invalidations waiting in the tag table every minute
 * (`enableInvalidationSweeper`); an {@link ImageOptimizer} serves `/_vercel/image`
 * (`imageOptimizer`, or `images` in the project's vercel.json). vercel.json `functions` sets
 * `memory`, `maxDuration` and `architecture` per function, as on Vercel: a function takes the first
 * entry whose pattern is its file or a glob matching it, then falls back to these props. Each
 * vercel.json `crons` entry becomes an EventBridge Scheduler schedule (`Cron0`, `Cron1`, …) that
 * invokes the function serving its path with the GET request Vercel would send, in UTC, without
 * retries, when `vercelEnv` is `production` (Vercel runs crons for production deployments only).
 * vercel.json `redirects`, `rewrites`, `headers` and `trailingSlash` run in the distribution's
 * CloudFront Functions, as on Vercel (`Cdn` `routingRules`); rewrites make `Routing.auto()` choose the
 * edge router. The other vercel.json keys (`cleanUrls`, `routes`, …) are not applied: a synth warning
 * names the ones the file sets. Vercel Routing Middleware (a `middleware.ts` at the project root, or
 * vercel.json's `proxy`) is not supported: the synth fails rather than serve the functions without it.
 * With `oidcAudiences`, every function may get OIDC tokens from STS (`getVercelOidcToken()`);
 * with `awsRole`, every function may assume that role (`awsCredentialsProvider`).
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

  /** Sends the invalidations waiting in the tag table every minute (unless `enableInvalidationSweeper` is false). */
  readonly invalidationSweeper?: InvalidationSweeper;

  /** The image optimizer serving `/_vercel/image`: `imageOptimizer`, else the one of vercel.json `images`. */
  readonly imageOptimizer?: ImageOptimizer;

  /**
   * The issuer URL of the OIDC tokens the functions get from STS (the account's outbound identity
   * federation issuer, read at deploy time), when `oidcAudiences` is set.
   */
  readonly oidcIssuerUrl?: string;

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
    // Here, not in each generated function: the error names the prop the names came from.
    rejectInvalidEnvironmentNames(this, 'environment', Object.keys(props.environment ?? {}));
    rejectRoutingMiddleware(this, projectDir);
    const vercelJson = this.readVercelJson(projectDir, props);
    const ownFunctions = this.ownFunctions(props.functions ?? {});
    const isOwn = (route: Route) => ownFunctions.some((own) => own.route.path === route.path);
    const allDiscovered = this.discover(projectDir);
    const discovered = this.unshadowed(allDiscovered.filter((route) => !isOwn(route)));
    const ids = functionIds(discovered);
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
    const settings = this.functionSettings(
      vercelJson,
      allDiscovered.map((route) => ({ source: route.source, own: isOwn(route) })),
    );
    const routeBehaviors = this.cacheBehaviorRoutes(
      props.routing ?? Routing.auto(),
      routes,
      maxCacheBehaviors,
      props.imageOptimizer !== undefined || vercelJson?.images !== undefined,
      vercelJson,
    );
    this.edgeRouted = routeBehaviors === undefined;
    if (!props.oidcAudiences && (props.oidcSigningAlgorithm || props.oidcTokenDuration)) {
      throw new ConfigurationError(
        this,
        `${props.oidcSigningAlgorithm ? 'oidcSigningAlgorithm' : 'oidcTokenDuration'} is set but oidcAudiences is not: list the audiences the functions get OIDC tokens for`,
      );
    }

    const domain = props.domainNames?.[0];
    const originProtection = props.originProtection ?? OriginProtection.oacWithBodySigning();
    this.cacheTable = new RuntimeCacheTable(this, 'CacheTable', { replicaRegions: props.replicaRegions });
    this.tagTable = new TagTable(this, 'TagTable', { replicaRegions: props.replicaRegions });

    const bundleAwsSDK = props.bundleAwsSDK ?? props.oidcAudiences !== undefined;
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
      const entry = settings.get(source);
      const fn = new VercelFunction(this, ids.get(route.path)!, {
        ...environment,
        entry: file!,
        projectDir,
        projectRoot: props.projectRoot,
        depsLockFilePath: props.depsLockFilePath,
        route: route.path,
        // The Cdn below sends route headers only for vercel.json `headers` rules: without any, the
        // code applying them stays out of the bundle.
        routeHeaders: vercelJson?.routingRules?.hasHeaders ?? false,
        maxDuration: entry?.maxDuration ?? props.maxDuration,
        memory: entry?.memory ?? props.memory,
        architecture: entry?.architecture ?? props.architecture,
        environment: props.environment,
        regions: props.regions,
        originProtection,
        description: `Vercel function ${source}`,
        bundling: { bundleAwsSDK },
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
      cacheBehaviorQuota: maxCacheBehaviors,
      routes: this.edgeRouted
        ? Object.fromEntries(routes.map(({ route }) => [route.path, functions.get(route.path)!]))
        : undefined,
      routingRules: vercelJson?.routingRules && {
        ...(vercelJson.routingRules.input as CdnRoutingRules),
        file: vercelJson.file,
      },
    });
    for (const { route, pathPattern } of routeBehaviors ?? []) {
      this.cdn.addFunction(pathPattern, functions.get(route.path)!);
    }
    for (const fn of new Set(functions.values())) this.cdn.grantCreateInvalidation(fn);
    this.functions = functions;
    this.url = `https://${domain ?? this.cdn.distributionDomainName}`;
    if (vercelJson && vercelJson.crons.length > 0) {
      // Checked in every environment, so a preview synth fails where production's would.
      const crons = this.cronTargets(vercelJson, routes, functions);
      const vercelEnv = props.vercelEnv ?? 'production';
      if (vercelEnv === 'production') {
        createCronSchedules(this, {
          crons,
          host: domain ?? this.cdn.distributionDomainName,
          distributionId: this.cdn.distributionId,
          cronSecret: props.environment?.[CRON_SECRET_ENV],
          originSecret: this.cdn.originSecret,
        });
      } else {
        // Vercel runs crons for production deployments only (https://vercel.com/docs/cron-jobs).
        Annotations.of(this).addWarningV2(
          'vercel-functions-aws:cronsNotProduction',
          `the crons of ${vercelJson.file} are not scheduled because vercelEnv is '${vercelEnv}', as Vercel runs crons only in production`,
        );
      }
    }
    this.imageOptimizer =
      props.imageOptimizer ??
      (vercelJson?.images &&
        this._createImageOptimizer({ ...vercelJson.images, architecture: props.architecture }));
    this.imageOptimizer?.addToCdn(this.cdn);
    if (props.enableInvalidationSweeper ?? true) {
      this.invalidationSweeper = new InvalidationSweeper(this, 'InvalidationSweeper', {
        tagTable: this.tagTable,
        cdn: this.cdn,
        architecture: props.architecture,
        projectRoot: props.projectRoot,
        depsLockFilePath: props.depsLockFilePath ?? findLockFile(projectDir),
      });
    }
    this.oidcIssuerUrl = this.grantOidc(props, new Set(functions.values()));
  }

  /**
   * Creates the optimizer of vercel.json's `images`, as the child `Images`. A seam for the local
   * dev server alone, which creates it without bundling (lib/local/dev-server-synth.ts).
   *
   * @internal
   */
  protected _createImageOptimizer(props: ImageOptimizerProps): ImageOptimizer {
    return new ImageOptimizer(this, VERCEL_JSON_IMAGES_ID, props);
  }

  // vercel.json, and warnings for what of it does not take effect.
  private readVercelJson(projectDir: string, props: VercelProjectProps): VercelJson | undefined {
    let vercelJson: VercelJson | undefined;
    try {
      vercelJson = readVercelJson(projectDir);
    } catch (error) {
      throw new ConfigurationError(this, (error as Error).message, { cause: error });
    }
    if (vercelJson?.images && props.imageOptimizer) {
      Annotations.of(this).addWarningV2(
        'vercel-functions-aws:vercelJsonImagesIgnored',
        `imageOptimizer is set, so the images of ${vercelJson.file} are ignored: configure the optimizer in one place (remove images from vercel.json, or imageOptimizer to use them)`,
      );
    }
    if (vercelJson && vercelJson.ignoredKeys.length > 0) {
      Annotations.of(this).addWarningV2(
        'vercel-functions-aws:vercelJsonKeysIgnored',
        ignoredKeysMessage(vercelJson.file, vercelJson.ignoredKeys),
      );
    }
    return vercelJson;
  }

  // vercel.json `functions`: each generated function's entry by source file, and warnings for what
  // of it does not take effect.
  private functionSettings(
    vercelJson: VercelJson | undefined,
    sources: { source: string; own: boolean }[],
  ): ReadonlyMap<string, VercelJsonFunction> {
    if (!vercelJson || vercelJson.functions.length === 0) return new Map();
    let assignment: FunctionsAssignment;
    try {
      assignment = assignFunctions(vercelJson, sources);
    } catch (error) {
      throw new ConfigurationError(this, (error as Error).message, { cause: error });
    }
    const ignored = ignoredFunctionKeysMessage(vercelJson.file, vercelJson.functions);
    if (ignored) {
      Annotations.of(this).addWarningV2('vercel-functions-aws:vercelJsonFunctionKeysIgnored', ignored);
    }
    if (assignment.ownOnly.length > 0) {
      Annotations.of(this).addWarningV2(
        'vercel-functions-aws:vercelJsonFunctionsOwnOnly',
        ownFunctionsOnlyMessage(vercelJson.file, assignment.ownOnly),
      );
    }
    return assignment.bySource;
  }

  // vercel.json `crons`, each with the function of the route that serves its path.
  private cronTargets(
    vercelJson: VercelJson,
    routes: readonly ProjectRoute[],
    functions: ReadonlyMap<string, lambda.Function>,
  ): CronSchedulesProps['crons'] {
    const patterns = routes.map(({ route }) => route);
    return vercelJson.crons.map((cron, index) => {
      const match = matchRoute(patterns, cron.path.split('?', 1)[0]);
      if (!match) {
        throw new ConfigurationError(
          this,
          `${vercelJson.file}: crons[${index}].path '${cron.path}' is served by no function of the project (routes: ${patterns.map((p) => p.path).join(', ')}): point it at a route of api/ or of the functions prop`,
        );
      }
      return { cron, fn: functions.get(match.route.path)! };
    });
  }

  // OIDC tokens from STS and the awsCredentialsProvider role, for every function.
  private grantOidc(props: VercelProjectProps, functions: ReadonlySet<lambda.Function>): string | undefined {
    if (props.awsRole) {
      const setsRoleArn = props.environment?.[AWS_ROLE_ARN_ENV] !== undefined;
      for (const fn of functions) {
        props.awsRole.grantAssumeRole(fn);
        if (!setsRoleArn) fn.addEnvironment(AWS_ROLE_ARN_ENV, props.awsRole.roleArn);
      }
    }
    if (!props.oidcAudiences) return undefined;
    const issuer = OidcIssuer.awsOutboundFederation();
    for (const fn of functions) {
      issuer.grantWebIdentityTokens(fn, {
        audiences: props.oidcAudiences,
        signingAlgorithm: props.oidcSigningAlgorithm,
        tokenDuration: props.oidcTokenDuration,
      });
    }
    const issuerUrl = issuer.issuerUrl(this);
    new CfnOutput(this, 'OidcIssuerUrl', {
      value: issuerUrl,
      description:
        "Issuer of the functions' OIDC tokens (IAM outbound identity federation): configure it in the services that trust them",
    });
    return issuerUrl;
  }

  /**
   * The cache behaviours serving the routes, in CloudFront's order, or `undefined` when the edge
   * router serves them (see `Routing`). Routes are planned into behaviours only when they may fit:
   * planning weighs every pair of patterns, which takes seconds on a thousand routes.
   */
  private cacheBehaviorRoutes(
    routing: Routing,
    routes: readonly ProjectRoute[],
    maxCacheBehaviors: number,
    imageOptimizer: boolean,
    vercelJson: VercelJson | undefined,
  ): RouteBehavior[] | undefined {
    if (routing.mode === 'edgeRouter') return undefined;
    if (vercelJson?.routingRules?.hasRewrites) {
      // A rewrite sends a request to the function of another path: CloudFront has already chosen the
      // cache behaviour (and with it the origin) by the viewer's path, so only the edge router's
      // origin selection (cf.selectRequestOriginById) can follow it.
      if (routing.mode === 'cacheBehaviors') {
        throw new ConfigurationError(
          this,
          `${vercelJson.file} has rewrites, which Routing.cacheBehaviors() cannot serve (a cache behaviour cannot send a request to another path's function): use Routing.auto() or Routing.edgeRouter(), or remove the rewrites`,
        );
      }
      return undefined;
    }
    // The default behaviour, and the image optimizer's `/_vercel/image` when there is one.
    const reserved = imageOptimizer ? 2 : 1;
    const available = maxCacheBehaviors - reserved;
    const patterns = routes.map(({ route }) => route);
    const trailingSlash = trailingSlashOf(vercelJson);
    const minimum = minimumRouteBehaviors(patterns, trailingSlash);
    const plan = minimum <= available ? routeBehaviorPlan(patterns, trailingSlash) : undefined;
    const fits = plan !== undefined && plan.behaviors.length <= available;
    if (routing.mode === 'cacheBehaviors' && !fits) {
      const taken = imageOptimizer
        ? "one is the default behaviour and one the image optimizer's"
        : 'one is the default behaviour';
      throw new ConfigurationError(
        this,
        `the project has ${routes.length} routes, which take ${plan ? plan.behaviors.length : `at least ${minimum}`} cache behaviours (a route ending in a literal segment takes two, for its path with and without a trailing slash: /api/hello and /api/hello/), but the distribution may have only ${maxCacheBehaviors} (maxCacheBehaviors; ${taken}, so ${available} for routes). Use Routing.edgeRouter() or Routing.auto(), or ask AWS to raise the "Cache behaviors per distribution" quota and set maxCacheBehaviors.`,
      );
    }
    if (!fits) return undefined; // Routing.auto(): cacheBehaviors() threw above
    const { conflict } = plan;
    if (conflict) {
      // Only the edge router matches one segment per `[name]`, as Vercel does.
      if (routing.mode === 'auto') return undefined;
      const sourceOf = (route: RoutePattern) => routes.find((candidate) => candidate.route === route)!.source;
      const { first, second, reason } = conflict;
      throw new ConfigurationError(
        this,
        `${sourceOf(first)} and ${sourceOf(second)} cannot both be served by cache behaviours: ${reason}. Use Routing.auto() or Routing.edgeRouter()${trailingSlash === undefined ? ', or set trailingSlash: false in vercel.json' : ''}.`,
      );
    }
    for (const { route, source } of routes) {
      const unsupported = unsupportedPathPatternSegment(route);
      if (unsupported !== undefined) {
        throw new ConfigurationError(
          this,
          `${source}: the path segment '${unsupported}' has characters CloudFront path patterns cannot express (allowed: A-Z a-z 0-9 _ - . $ ~ " ' @ : + &); use Routing.edgeRouter()`,
        );
      }
    }
    return plan.behaviors;
  }

  private ownFunctions(
    functions: Record<string, lambda.Function>,
  ): { route: RoutePattern; fn: lambda.Function }[] {
    return Object.entries(functions).map(([path, fn]) => {
      // CDK would report the cycle between the stacks naming neither the prop nor the fix. A nested
      // stack of the project's is fine: CloudFormation orders its resources around the nested stack.
      if (!isInStack(fn, Stack.of(this))) {
        throw new ConfigurationError(
          this,
          `functions has '${path}': ${fn.node.path} is in stack ${Stack.of(fn).node.path}, but it must be in the project's stack ${Stack.of(this).node.path}: it would need the project's tables, and the project's distribution its URL, a circular dependency between the stacks. Create the function in the project's stack or one of its nested stacks.`,
        );
      }
      try {
        return { route: parseRoute(path), fn };
      } catch (error) {
        throw new ConfigurationError(this, `functions has '${path}': ${(error as Error).message}`, {
          cause: error,
        });
      }
    });
  }

  // Vercel's filesystem lookup finds `api/users.ts` before `api/users/index.ts`, so the file serves
  // `/api/users` and the folder's index is never reached (discoverRoutes orders the file first, and
  // `npm start` serves it). Deploying the index would only add a function nothing can call.
  private unshadowed(routes: readonly Route[]): Route[] {
    const served = new Map<string, Route>();
    for (const route of routes) {
      const winner = served.get(route.path);
      if (!winner) {
        served.set(route.path, route);
        continue;
      }
      Annotations.of(this).addWarningV2(
        'vercel-functions-aws:routeShadowed',
        `${route.source} is not deployed: ${winner.source} serves ${route.path}, as on Vercel, where a file wins over the index of the folder of the same name. Remove or rename one of them.`,
      );
    }
    return [...served.values()];
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

// vercel.json `trailingSlash`: true, false, or undefined when the file does not set it.
function trailingSlashOf(vercelJson: VercelJson | undefined): boolean | undefined {
  return (vercelJson?.routingRules?.input as { trailingSlash?: boolean } | undefined)?.trailingSlash;
}

/**
 * Stable construct ids by route path: they name the functions' CloudFormation resources, so they
 * follow the route (`/api/users/[id]` → `Route-api-users-[id]`), which only changes when the file
 * moves. `/api/user-profile` and `/api/user/profile` would share one: a route whose segments hold no
 * `-` keeps it (its id reads back to one path only), the others of a clash get an escaped id
 * (`Route~-api-user~-profile`: `~` → `~~`, `-` → `~-`, then `/` → `-`), which no plain id starts
 * with and no two paths share. Decided by the paths alone, so the order files are found in does
 * not matter, and a project without a clash keeps its ids.
 */
function functionIds(routes: readonly RoutePattern[]): ReadonlyMap<string, string> {
  const plain = (path: string) => `Route${path.replaceAll('/', '-')}`;
  const escaped = (path: string) =>
    `Route~${path.replaceAll('~', '~~').replaceAll('-', '~-').replaceAll('/', '-')}`;
  const sharing = new Map<string, number>();
  for (const { path } of routes) sharing.set(plain(path), (sharing.get(plain(path)) ?? 0) + 1);
  return new Map(
    routes.map(({ path }) => {
      const id = plain(path);
      return [path, sharing.get(id) === 1 || !path.includes('-') ? id : escaped(path)];
    }),
  );
}
