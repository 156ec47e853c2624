import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Header, Redirect, Rewrite } from '@vercel/routing-utils';
import { Annotations, Duration, Lazy, Names, RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { compareRouteSpecificity, parseRoute, type RoutePattern } from '../runtime/handler/route';
import { ConfigurationError } from './errors';
import { OriginProtection, type OriginProtectionBinding } from './origin-protection';
import {
  type CloudFrontFunctionName,
  cloudFrontFunctionSource,
  type DeployTimeValue,
  edgeRoutesLiteral,
  FunctionCodeTooLargeError,
  MAX_FUNCTION_CODE_BYTES,
} from './private/cloudfront-function-code';
import { CACHE_TAG_HEADER, REWRITE_PATH_HEADER, ROUTE_HEADERS_HEADER } from './private/constructs-contract';
import { addOriginWithoutBehavior } from './private/distribution-origins';
import {
  CACHE_POLICY_NAME_MAX_LENGTH,
  FUNCTION_NAME_MAX_LENGTH,
  regionalName,
} from './private/regional-name';
import { routeTableImport, routeTableItems } from './private/route-table';
import { standalonePolicyGrantee } from './private/standalone-policy';
import { checkStandardLoggingRegion } from './private/standard-logging-region';
import { type CompiledRoutingRules, compileRoutingRules } from './private/vercel-json-routes';

/** The error statuses CloudFront caches by default (for 10 s), whatever the origin's headers say. */
const CACHED_ERROR_STATUS_CODES = [400, 403, 404, 405, 414, 500, 501, 502, 503, 504];

/**
 * Routing rules in vercel.json's format (https://vercel.com/docs/project-configuration/vercel-json),
 * applied by the distribution's viewer-request CloudFront Functions.
 */
export interface CdnRoutingRules {
  /** vercel.json `redirects`. @default - none */
  readonly redirects?: Redirect[];
  /** vercel.json `rewrites`, to paths the edge router's `routes` serve. @default - none */
  readonly rewrites?: Rewrite[];
  /** vercel.json `headers`. @default - none */
  readonly headers?: Header[];
  /** vercel.json `trailingSlash`. @default - paths are left as they are */
  readonly trailingSlash?: boolean;
  /** The file the rules come from, named in synth errors. @default 'routingRules' */
  readonly file?: string;
}

/** Properties of a {@link Cdn}. */
export interface CdnProps {
  /**
   * Who may call the Function URLs behind the distribution.
   *
   * @default OriginProtection.oacWithBodySigning()
   */
  readonly originProtection?: OriginProtection;

  /**
   * The function serving every path no other behaviour (and no route) matches.
   *
   * @default - paths without a function answer 404 at the edge, as Vercel does
   */
  readonly defaultFunction?: lambda.IFunction;

  /**
   * Vercel-style routes served by the edge router, e.g. `{ '/api/users/[id]': usersFunction }`.
   *
   * The default behaviour's viewer-request CloudFront Function looks each request up in a route table
   * (a CloudFront KeyValueStore written at synth) and sends it to the function's origin with
   * `cf.selectRequestOriginById` — one cache behaviour for any number of routes, matched exactly as
   * Vercel matches them (so `/api/users/1/2` gets the edge's 404, not the `[id]` function). Every
   * function is its own origin, protected by `originProtection`. Functions added with `addFunction`
   * still take precedence through their own behaviours.
   *
   * The limits are then the distribution's origins (one per function; CloudFront quota "Origins per
   * distribution") and the KeyValueStore (5 MB, keys of 512 bytes). Changing the routes replaces the
   * KeyValueStore (CloudFormation cannot update an imported one).
   *
   * @default - no edge routing: functions are served through `addFunction`, one cache behaviour each
   */
  readonly routes?: Record<string, lambda.IFunction>;

  /**
   * vercel.json's `redirects`, `rewrites`, `headers` and `trailingSlash`, evaluated as Vercel does
   * (converted by Vercel's own `@vercel/routing-utils`) in the viewer-request CloudFront Functions of
   * every function behaviour and of the default behaviour — not the image optimizer's:
   * redirects and headers rules first (a redirect, and the 404 of a path no function serves, is
   * answered at the edge with the matching rules' headers; a function's response gets them from its
   * adapter), then the functions, then rewrites. Rewrites need `routes` (they select the
   * destination's origin at the edge); a rewritten request keeps the viewer's URL, with the rewrite's
   * parameters in its query, as on Vercel. Rules whose regular expressions CloudFront Functions cannot
   * run, external rewrites, `transforms`, `env` and `has` operator objects fail the synth, as do rules
   * too many for CloudFront's 10 KB of function code.
   *
   * @default - no routing rules
   */
  readonly routingRules?: CdnRoutingRules;

  /**
   * Custom domain names (CNAMEs) of the distribution. Requires `certificate`.
   *
   * @default - only the generated `*.cloudfront.net` domain
   */
  readonly domainNames?: string[];

  /**
   * ACM certificate for `domainNames`; must be in us-east-1.
   *
   * @default - the `*.cloudfront.net` certificate
   */
  readonly certificate?: acm.ICertificate;

  /**
   * ARN of an AWS WAF (v2, scope CLOUDFRONT) web ACL to associate with the distribution.
   *
   * @default - no web ACL
   */
  readonly webAclId?: string;

  /**
   * Standard access logging to S3. CloudFront does not deliver these logs to buckets in opt-in
   * Regions (af-south-1, ap-east-1, eu-south-1, me-south-1, …): a stack in one of them needs
   * `logBucket` in another Region, or logging off (the synth fails otherwise).
   *
   * @default true
   */
  readonly enableLogging?: boolean;

  /**
   * Bucket receiving the access logs. It must have ACLs enabled (object ownership
   * `BUCKET_OWNER_PREFERRED` or `OBJECT_WRITER`), as CloudFront standard logging requires, and must
   * not be in an opt-in Region, where CloudFront does not deliver standard logs.
   *
   * @default - a new bucket in the stack's Region: private, SSL-only, S3-managed encryption, logs expire after `logRetention`
   */
  readonly logBucket?: s3.IBucket;

  /**
   * Key prefix of the access log files.
   *
   * @default - no prefix
   */
  readonly logFilePrefix?: string;

  /**
   * How long the created log bucket keeps access logs. Ignored with `logBucket`.
   *
   * @default Duration.days(90)
   */
  readonly logRetention?: Duration;

  /**
   * Which edge locations serve the distribution.
   *
   * @default cloudfront.PriceClass.PRICE_CLASS_ALL
   */
  readonly priceClass?: cloudfront.PriceClass;

  /**
   * Comment on the distribution, shown in the CloudFront console.
   *
   * @default - none
   */
  readonly comment?: string;

  /**
   * The account's CloudFront "Cache behaviors per distribution" quota, the default behaviour
   * included, for an account AWS raised it for: the synth warns
   * (`vercel-functions-aws:cacheBehaviorQuota`) when the distribution has more behaviours.
   *
   * @default 75 - CloudFront's default quota
   */
  readonly cacheBehaviorQuota?: number;
}

/** Options of {@link Cdn.addFunction}. */
export interface AddFunctionOptions {
  /**
   * How long CloudFront waits for the first byte of the function's response, and between chunks of
   * a streamed response. Values above 120 s need a CloudFront quota increase ("Response timeout per
   * origin"); the synth warns.
   *
   * @default Duration.seconds(120)
   */
  readonly readTimeout?: Duration;
}

// CloudFront's default quotas (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html):
// "Cache behaviors per distribution", the default one included; "Origins per distribution"; and the
// most a "Response timeout per origin" may be without a quota increase, which is also our default, so
// a function streaming slowly keeps its viewer as long as CloudFront allows.
const CACHE_BEHAVIOR_QUOTA = 75;
const ORIGIN_QUOTA = 100;
const MAX_READ_TIMEOUT = Duration.seconds(120);
// Characters CloudFront accepts in a path pattern (plus `&`, which it stores as `&amp;`).
const PATH_PATTERN = /^[A-Za-z0-9_\-.*$/~"'@:+&?]+$/;
const PATH_PATTERN_MAX_LENGTH = 255;
// The length of a KeyValueStore id, which CloudFormation resolves into the router's code: the
// AWS::CloudFront::Function KeyValueStoreAssociation ARN pattern ends in `key-value-store\/[0-9a-fA-F-]{36}`.
const KEY_VALUE_STORE_ID_BYTES = 36;

/**
 * A CloudFront distribution in front of Vercel-style functions (ARCHITECTURE.md §1, §4, §5).
 *
 * Every function behaviour gets:
 * - a viewer-request CloudFront Function: `Host` → `x-forwarded-host`; strips `x-real-ip`,
 *   `x-forwarded-for`, `x-vercel-*` (incl. `x-vercel-oidc-token`) and internal `x-vfa-*` headers
 *   sent by viewers; adds the distribution id and domain for the runtime;
 * - a cache policy that caches only what the function's `Cache-Control` allows (`s-maxage`,
 *   `max-age`, `stale-while-revalidate`; default TTL 0), keyed on path, all query strings and
 *   `x-forwarded-host` — never on `Host`, which must not reach a Function URL;
 * - the managed `AllViewerExceptHostHeader` origin request policy: every viewer header except
 *   `Host`, plus CloudFront's viewer headers (`CloudFront-Viewer-Address`, -Country, -City, ...);
 * - a viewer-response CloudFront Function restoring the browser-facing `Cache-Control` when the
 *   function used `Vercel-CDN-Cache-Control` / `CDN-Cache-Control` (which CloudFront does not
 *   honour; the runtime translates them), and dropping `s-maxage` from what browsers see, as Vercel does;
 * - a response headers policy removing the `Vercel-Cache-Tag` header from viewer responses.
 *
 * The distribution reads cache tags from `Vercel-Cache-Tag` (`CacheTagConfig`, set as an L1
 * override until the L2 supports it), logs to S3 by default, and protects its origins as
 * `originProtection` says.
 *
 * Functions are served either by path pattern (`addFunction`, one cache behaviour each) or by
 * Vercel-style route through the edge router (`routes`: one behaviour, a KeyValueStore route table,
 * one origin per function with a read timeout of 120 s); both can be combined.
 *
 * @example
 * const cdn = new Cdn(this, 'Cdn');
 * cdn.addFunction('/api/hello', helloFunction);
 */
export class Cdn extends Construct {
  /** Response header CloudFront reads cache tags from; the runtime writes it. */
  static readonly CACHE_TAG_HEADER = CACHE_TAG_HEADER;

  /** The CloudFront distribution (child id `Resource`). */
  readonly distribution: cloudfront.Distribution;

  /** The distribution's id. */
  readonly distributionId: string;

  /** The distribution's `*.cloudfront.net` domain name. */
  readonly distributionDomainName: string;

  /** The protection applied to every Function URL origin. */
  readonly originProtection: OriginProtection;

  /** The cache policy of the function behaviours. */
  readonly cachePolicy: cloudfront.CachePolicy;

  /** The response headers policy of the function behaviours. */
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;

  /** The access log bucket, when logging is on. */
  readonly logBucket?: s3.IBucket;

  /** The edge router's route table, when `routes` is set. */
  readonly routeTable?: cloudfront.KeyValueStore;

  /**
   * The secret CloudFront sends to the functions in `x-vfa-origin-secret`, with
   * `OriginProtection.secretHeader()`: invokers that bypass CloudFront must send it too.
   */
  readonly originSecret?: secretsmanager.ISecret;

  private readonly protection: OriginProtectionBinding;
  private readonly viewerRequestFunction: cloudfront.Function;
  private readonly viewerResponseFunction: cloudfront.Function;
  private readonly functionUrls = new Map<lambda.IFunction, lambda.IFunctionUrl>();
  private readonly origins = new Map<lambda.IFunction, Map<number, cloudfront.IOrigin>>();
  private readonly routedOrigins = new Map<lambda.IFunction, { origin: cloudfront.IOrigin; id: string }>();
  private readonly pathPatterns = new Set<string>();
  private readonly routingRules?: CompiledRoutingRules;

  constructor(scope: Construct, id: string, props: CdnProps = {}) {
    super(scope, id);
    const domainNames = props.domainNames ?? [];
    if (domainNames.length > 0 && !props.certificate) {
      throw new ConfigurationError(
        this,
        `domainNames (${domainNames.join(', ')}) needs a certificate: pass an ACM certificate from us-east-1 that covers them`,
      );
    }
    if (props.certificate && domainNames.length === 0) {
      throw new ConfigurationError(
        this,
        'certificate is set but domainNames is empty: name the domains it covers',
      );
    }
    const enableLogging = props.enableLogging ?? true;
    if (!enableLogging && (props.logBucket || props.logFilePrefix !== undefined)) {
      throw new ConfigurationError(this, 'logBucket/logFilePrefix are set but enableLogging is false');
    }

    this.originProtection = props.originProtection ?? OriginProtection.oacWithBodySigning();
    this.protection = this.originProtection._bind(this);
    this.originSecret = this.protection.originSecret;
    this.routingRules = this.compileRoutingRules(props.routingRules, props.routes);

    this.viewerRequestFunction = this.cloudFrontFunction('ViewerRequest', 'viewer-request');
    this.viewerResponseFunction = this.cloudFrontFunction('ViewerResponse', 'viewer-response');
    this.cachePolicy = new cloudfront.CachePolicy(this, 'CachePolicy', {
      // Unique per account: CDK's default name holds the region and the construct path, not the stack
      // name, so two stages of one app (`stackName: shop-${stage}`) would clash (see regionalName).
      cachePolicyName: Lazy.string({
        produce: () => regionalName(this.cachePolicy, CACHE_POLICY_NAME_MAX_LENGTH),
      }),
      comment: 'Caches what the function Cache-Control allows (s-maxage, max-age, stale-while-revalidate)',
      // Uncached unless the origin says otherwise; `no-store`/`private` stay uncached because the
      // minimum TTL is 0. The maximum only caps what the function asks for.
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      // Keyed per public host like Vercel's CDN, through x-forwarded-host (set from Host by the
      // viewer-request function): keying on Host itself would forward Host to the Function URL,
      // which answers 403 to any Host but its own. With routing rules, also on what they decided
      // (the headers the viewer-request function sets): a rewrite or headers rule with `has`
      // conditions can send one URL to different functions, or give it different headers.
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList(...this.cacheKeyHeaders()),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'ResponseHeadersPolicy', {
      // Unique per account, not per region: the name carries the region (see regionalName).
      responseHeadersPolicyName: Lazy.string({
        produce: () => regionalName(this.responseHeadersPolicy, 128),
      }),
      comment: 'Keeps internal headers (cache tags) away from viewers',
      removeHeaders: [CACHE_TAG_HEADER],
    });

    if (enableLogging) {
      this.logBucket = props.logBucket ?? this.createLogBucket(props.logRetention ?? Duration.days(90));
    }
    const routes = this.parseRoutes(props.routes);
    let defaultBehavior: cloudfront.BehaviorOptions;
    if (routes.length > 0) {
      const router = this.createRouter(routes, props.defaultFunction);
      this.routeTable = router.routeTable;
      defaultBehavior = router.behavior;
    } else {
      defaultBehavior = props.defaultFunction
        ? this.functionBehavior(props.defaultFunction, {})
        : this.notFoundBehavior();
    }
    this.distribution = new cloudfront.Distribution(this, 'Resource', {
      comment: props.comment,
      defaultBehavior,
      domainNames: domainNames.length > 0 ? domainNames : undefined,
      certificate: props.certificate,
      minimumProtocolVersion: props.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      webAclId: props.webAclId,
      enableLogging,
      logBucket: this.logBucket,
      logFilePrefix: props.logFilePrefix,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_ALL,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      // CloudFront caches these error statuses for 10 s by default, even with `no-store`; Vercel
      // caches an error only when its headers say so. A minimum of 0 leaves it to the function's
      // Cache-Control (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HTTPStatusCodes.html).
      errorResponses: CACHED_ERROR_STATUS_CODES.map((httpStatus) => ({
        httpStatus,
        ttl: Duration.seconds(0),
      })),
    });
    // CloudFront extracts cache tags from this response header; `CreateInvalidation` items `#<tag>`
    // then evict every object carrying the tag. No L2 prop yet (aws/aws-cdk#37821).
    (this.distribution.node.defaultChild as cloudfront.CfnDistribution).addPropertyOverride(
      'DistributionConfig.CacheTagConfig',
      { HeaderName: CACHE_TAG_HEADER },
    );
    if (!props.certificate) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason:
          'Without a custom domain the distribution serves the default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes at TLSv1 (it cannot be set). With domainNames and certificate this construct sets TLSv1.2_2021.',
      });
    }
    this.distributionId = this.distribution.distributionId;
    this.distributionDomainName = this.distribution.distributionDomainName;
    // The router's default behaviour holds one function's origin; the others have no behaviour.
    for (const { origin } of this.routedOrigins.values()) addOriginWithoutBehavior(this.distribution, origin);
    // Counted when the app synthesizes, from what the distribution renders, so everything added after
    // the constructor counts too: addFunction's behaviours, an ImageOptimizer's, the user's own
    // `distribution.addBehavior`.
    const cacheBehaviorQuota = props.cacheBehaviorQuota ?? CACHE_BEHAVIOR_QUOTA;
    if (!Number.isInteger(cacheBehaviorQuota) || cacheBehaviorQuota < 1) {
      throw new ConfigurationError(
        this,
        `cacheBehaviorQuota must be a whole number of at least 1 (the default behaviour counts), got ${cacheBehaviorQuota}`,
      );
    }
    this.node.addValidation({
      validate: () => {
        this.checkDistributionQuotas(cacheBehaviorQuota);
        return [];
      },
    });
  }

  /**
   * Serves `pathPattern` from `fn` through its Function URL: reuses the URL the function already
   * has (a `VercelFunction` creates one), else adds one with the auth type `originProtection`
   * needs and `InvokeMode.RESPONSE_STREAM`.
   *
   * @param pathPattern a CloudFront path pattern, e.g. `/api/hello` or `/api/users/*`
   */
  addFunction(pathPattern: string, fn: lambda.IFunction, options: AddFunctionOptions = {}): void {
    this.validatePathPattern(pathPattern);
    this.distribution.addBehavior(pathPattern, this.originFor(fn, options), this.behaviorOptions());
    this.pathPatterns.add(pathPattern);
  }

  /**
   * Permits `cloudfront:CreateInvalidation` on this distribution only. For a role, the statement
   * goes into a separate policy so the functions behind this distribution can be granted without
   * a circular dependency (the distribution depends on their URLs); for a role in another stack,
   * that policy is created in this Cdn's stack, which then depends on the role's.
   */
  grantCreateInvalidation(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee: standalonePolicyGrantee(grantee, this),
      actions: ['cloudfront:CreateInvalidation'],
      resourceArns: [this.distribution.distributionArn],
    });
  }

  // Warns about the cache behaviours and origins the distribution renders, whoever added them.
  private checkDistributionQuotas(cacheBehaviorQuota: number): void {
    // The L2 renders its behaviours and origins lazily into its L1 (it has no public list of them):
    // resolving just those two lists reads what the template will hold.
    const cfn = this.distribution.node.defaultChild as cloudfront.CfnDistribution;
    const config = cfn.distributionConfig as cloudfront.CfnDistribution.DistributionConfigProperty;
    const stack = Stack.of(this);
    const cacheBehaviors = stack.resolve(config.cacheBehaviors) as unknown[] | undefined;
    const renderedOrigins = stack.resolve(config.origins) as unknown[] | undefined;
    // The default behaviour counts toward the quota too.
    const behaviors = (cacheBehaviors?.length ?? 0) + 1;
    if (behaviors > cacheBehaviorQuota) {
      const quota =
        cacheBehaviorQuota === CACHE_BEHAVIOR_QUOTA
          ? `CloudFront's default quota is ${CACHE_BEHAVIOR_QUOTA}`
          : `the quota given as cacheBehaviorQuota is ${cacheBehaviorQuota}`;
      Annotations.of(this).addWarningV2(
        'vercel-functions-aws:cacheBehaviorQuota',
        `The distribution has ${behaviors} cache behaviours; ${quota} per distribution, the default behaviour included (addFunction adds one per path pattern, an ImageOptimizer one, the edge router's routes none). Request a quota increase before deploying.`,
      );
    }
    const originCount = renderedOrigins?.length ?? 0;
    if (originCount > ORIGIN_QUOTA) {
      Annotations.of(this).addWarningV2(
        'vercel-functions-aws:originQuota',
        `The distribution has ${originCount} origins (one per function and read timeout, whether routed or added with addFunction, plus an ImageOptimizer's); CloudFront's "Origins per distribution" quota has a documented default of ${ORIGIN_QUOTA}. Check its value for your account in Service Quotas and request an increase before deploying.`,
      );
    }
  }

  private cloudFrontFunction(
    id: string,
    name: CloudFrontFunctionName,
    options: {
      placeholders?: Record<string, string | DeployTimeValue>;
      keyValueStore?: cloudfront.IKeyValueStore;
    } = {},
  ): cloudfront.Function {
    const fn: cloudfront.Function = new cloudfront.Function(this, id, {
      // Unique per account: CDK's default name holds the region and the construct path, not the stack
      // name, so two stages of one app would clash (see regionalName).
      functionName: Lazy.string({ produce: () => regionalName(fn, FUNCTION_NAME_MAX_LENGTH) }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(this.functionSource(name, options.placeholders)),
      comment: `vercel-functions-aws ${name}`,
      keyValueStore: options.keyValueStore,
    });
    return fn;
  }

  private functionSource(
    name: CloudFrontFunctionName,
    placeholders?: Record<string, string | DeployTimeValue>,
  ): string {
    const rules = this.routingRules;
    try {
      return cloudFrontFunctionSource(name, placeholders, rules?.routes);
    } catch (error) {
      if (!(error instanceof FunctionCodeTooLargeError) || !rules) throw error;
      // The rewrites are spliced into the router only.
      const routes = name === 'router' ? rules.routes : { b: rules.routes.b, r: [] };
      const ruleBytes = Buffer.byteLength(edgeRoutesLiteral(routes));
      throw new ConfigurationError(
        this,
        `the ${rules.ruleCount} routing rules of ${rules.file} (redirects, rewrites, headers, trailingSlash) do not fit in a CloudFront Function: with them, its ${name} function is ${error.bytes} bytes (the rules take ${ruleBytes}), and CloudFront allows ${MAX_FUNCTION_CODE_BYTES}. Use fewer or shorter rules, or move some into a function.`,
        { cause: error },
      );
    }
  }

  private compileRoutingRules(
    rules: CdnRoutingRules | undefined,
    routes: Record<string, lambda.IFunction> | undefined,
  ): CompiledRoutingRules | undefined {
    if (!rules) return undefined;
    const { file = 'routingRules', ...input } = rules;
    let compiled: CompiledRoutingRules | undefined;
    try {
      compiled = compileRoutingRules(file, input);
    } catch (error) {
      throw new ConfigurationError(this, (error as Error).message, { cause: error });
    }
    if (compiled?.hasRewrites && Object.keys(routes ?? {}).length === 0) {
      throw new ConfigurationError(
        this,
        `the rewrites of ${file} need the edge router: pass the functions as routes (cache behaviours cannot send a request to another path's function)`,
      );
    }
    return compiled;
  }

  // The request headers the cache key holds: the public host, and what routing rules decided.
  private cacheKeyHeaders(): string[] {
    const rules = this.routingRules;
    return [
      'x-forwarded-host',
      ...(rules?.hasRewrites ? [REWRITE_PATH_HEADER] : []),
      ...(rules?.hasHeaders ? [ROUTE_HEADERS_HEADER] : []),
    ];
  }

  private functionBehavior(fn: lambda.IFunction, options: AddFunctionOptions): cloudfront.BehaviorOptions {
    return { origin: this.originFor(fn, options), ...this.behaviorOptions() };
  }

  private parseRoutes(routes: Record<string, lambda.IFunction> | undefined): RoutedFunction[] {
    const parsed = Object.entries(routes ?? {}).map(([path, fn]) => {
      let route: RoutePattern;
      try {
        route = parseRoute(path);
      } catch (error) {
        throw new ConfigurationError(this, `routes has '${path}': ${(error as Error).message}`, {
          cause: error,
        });
      }
      // `*` marks dynamic segments in the route table; control characters cannot arrive in a path.
      const bad = route.segments.find(
        // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point.
        (segment) => segment.kind === 'static' && /[*\u0000-\u001f\u007f]/.test(segment.value),
      );
      if (bad?.kind === 'static') {
        throw new ConfigurationError(
          this,
          `routes has '${path}', whose segment '${bad.value}' has characters a route table cannot match (a literal segment may not contain * or control characters)`,
        );
      }
      return { route, fn };
    });
    return parsed.sort((a, b) => compareRouteSpecificity(a.route, b.route));
  }

  // The edge router: a route table, the viewer-request function reading it, and one origin per function.
  private createRouter(
    routes: readonly RoutedFunction[],
    defaultFunction: lambda.IFunction | undefined,
  ): { routeTable: cloudfront.KeyValueStore; behavior: cloudfront.BehaviorOptions } {
    let items: ReturnType<typeof routeTableItems>;
    try {
      items = routeTableItems(
        routes.map(({ route, fn }) => ({ route, originId: this.routedOriginFor(fn).id })),
      );
    } catch (error) {
      throw new ConfigurationError(this, `routes cannot be routed at the edge: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const data = routeTableImport(items);
    // CloudFormation imports a KeyValueStore's data only when it creates the store ("Updates are not
    // supported"), so the name follows the content: new routes → a new store, which the router
    // function switches to before CloudFormation deletes the old one.
    const contentHash = createHash('sha256').update(data).digest('hex').slice(0, 12);
    const routeTable = new cloudfront.KeyValueStore(this, 'RouteTable', {
      // Unique per account, not per region, so also named after the region (see regionalName).
      keyValueStoreName: regionalName(this, 64, `-${contentHash}`),
      comment: 'vercel-functions-aws route table: request path → function origin',
      source: routeTableSource(this, data),
    });
    const fallback = defaultFunction ? this.routedOriginFor(defaultFunction).id : '';
    const router = this.cloudFrontFunction('Router', 'router', {
      keyValueStore: routeTable,
      placeholders: {
        __VFA_ROUTE_TABLE_ID__: { token: routeTable.keyValueStoreId, maxBytes: KEY_VALUE_STORE_ID_BYTES },
        __VFA_FALLBACK_ORIGIN_ID__: fallback,
      },
    });
    // The behaviour needs an origin of its own; the router selects one for every request it lets
    // through, so this is only what an unrouted request would reach — a protected function, never
    // anything public.
    const assigned = this.routedOriginFor(defaultFunction ?? routes[0].fn).origin;
    return { routeTable, behavior: { origin: assigned, ...this.behaviorOptions(router) } };
  }

  // One origin per function, with a stable id the route table names.
  private routedOriginFor(fn: lambda.IFunction): { origin: cloudfront.IOrigin; id: string } {
    let routed = this.routedOrigins.get(fn);
    if (!routed) {
      const id = Names.uniqueId(fn).slice(-128);
      routed = { id, origin: this.protection.origin(this.functionUrlFor(fn), MAX_READ_TIMEOUT, id) };
      this.routedOrigins.set(fn, routed);
    }
    return routed;
  }

  private behaviorOptions(
    viewerRequestFunction: cloudfront.IFunction = this.viewerRequestFunction,
  ): cloudfront.AddBehaviorOptions {
    return {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      // OPTIONS stays uncached: the cache key does not include Origin, so a cached CORS preflight
      // answer could reach another site.
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      compress: true,
      cachePolicy: this.cachePolicy,
      // The only policy that forwards every viewer header except Host *and* CloudFront's viewer
      // headers: a custom policy can either add CloudFront headers (allViewerAndWhitelistCloudFront,
      // which also forwards Host) or drop Host (allExcept, which cannot add CloudFront headers).
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.responseHeadersPolicy,
      functionAssociations: [
        { function: viewerRequestFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        { function: this.viewerResponseFunction, eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE },
      ],
      edgeLambdas: this.protection.edgeLambdas.length > 0 ? this.protection.edgeLambdas : undefined,
    };
  }

  private notFoundBehavior(): cloudfront.BehaviorOptions {
    return {
      // Never contacted: the viewer-request function answers every request on this behaviour. A
      // behaviour needs an origin all the same; RFC 2606 reserves example.org for such placeholders
      // (AWS's cloudfront-authorization-at-edge sample uses the same pattern).
      origin: new origins.HttpOrigin('example.org'),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      // A POST to an unknown path gets Vercel's 404 too, not CloudFront's 403 for a disallowed method.
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Never forwards anything (nothing reaches the origin); it makes CloudFront hand the function
      // the CloudFront-Viewer-* headers that vercel.json geo conditions (x-vercel-ip-*) read.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      functionAssociations: [
        {
          function: this.cloudFrontFunction('NotFound', 'not-found'),
          eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
        },
      ],
    };
  }

  private originFor(fn: lambda.IFunction, options: AddFunctionOptions): cloudfront.IOrigin {
    const readTimeout = options.readTimeout ?? MAX_READ_TIMEOUT;
    if (readTimeout.toSeconds() > MAX_READ_TIMEOUT.toSeconds()) {
      Annotations.of(this).addWarningV2(
        'vercel-functions-aws:readTimeoutQuota',
        `readTimeout of ${fn.node.path} is ${readTimeout.toSeconds()} s; CloudFront allows at most ${MAX_READ_TIMEOUT.toSeconds()} s unless AWS raised the "Response timeout per origin" quota for the account. Request the increase before deploying.`,
      );
    }
    // One origin per function and read timeout, however many path patterns serve it (a route takes
    // `/api/hello` and `/api/hello/`): the distribution reuses an origin object it already has, and
    // CloudFront counts origins against their own quota.
    const known = this.origins.get(fn)?.get(readTimeout.toSeconds());
    if (known) return known;
    const origin = this.protection.origin(this.functionUrlFor(fn), readTimeout);
    const byTimeout = this.origins.get(fn) ?? new Map<number, cloudfront.IOrigin>();
    byTimeout.set(readTimeout.toSeconds(), origin);
    this.origins.set(fn, byTimeout);
    return origin;
  }

  private functionUrlFor(fn: lambda.IFunction): lambda.IFunctionUrl {
    const known = this.functionUrls.get(fn);
    if (known) return known;
    const existing = fn.node.tryFindChild('FunctionUrl');
    let url: lambda.IFunctionUrl;
    if (existing instanceof lambda.FunctionUrl) {
      if (existing.authType !== this.originProtection.functionUrlAuthType) {
        throw new ConfigurationError(
          this,
          `the Function URL of ${fn.node.path} has auth type ${existing.authType}, but originProtection ${this.originProtection.name} needs ${this.originProtection.functionUrlAuthType}: give the function and the Cdn the same originProtection`,
        );
      }
      const invokeMode = (existing.node.defaultChild as lambda.CfnUrl).invokeMode ?? 'BUFFERED';
      if (invokeMode !== lambda.InvokeMode.RESPONSE_STREAM) {
        throw new ConfigurationError(
          this,
          `the Function URL of ${fn.node.path} has invoke mode ${invokeMode}, but the adapter streams its responses: create it with invokeMode: InvokeMode.RESPONSE_STREAM, or let the Cdn create it`,
        );
      }
      url = existing;
    } else {
      url = fn.addFunctionUrl({
        authType: this.originProtection.functionUrlAuthType,
        invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
      });
    }
    this.protection.bindFunction(fn);
    this.functionUrls.set(fn, url);
    return url;
  }

  private validatePathPattern(pathPattern: string): void {
    if (pathPattern === '' || pathPattern === '*' || pathPattern === '/*') {
      throw new ConfigurationError(
        this,
        `pathPattern '${pathPattern}' would match every path: pass the function as defaultFunction instead`,
      );
    }
    if (pathPattern.length > PATH_PATTERN_MAX_LENGTH || !PATH_PATTERN.test(pathPattern)) {
      throw new ConfigurationError(
        this,
        `pathPattern '${pathPattern}' is not a CloudFront path pattern: at most ${PATH_PATTERN_MAX_LENGTH} characters from A-Z a-z 0-9 _ - . * $ / ~ " ' @ : + & ?`,
      );
    }
    if (this.pathPatterns.has(pathPattern)) {
      throw new ConfigurationError(
        this,
        `pathPattern '${pathPattern}' is already served by another function`,
      );
    }
  }

  private createLogBucket(retention: Duration): s3.Bucket {
    checkStandardLoggingRegion(this);
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      // CloudFront standard logging writes through the bucket ACL (awslogsdelivery), which needs
      // ACLs enabled; BUCKET_OWNER_PREFERRED still makes the account own every log object.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      lifecycleRules: [{ expiration: retention }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'This bucket is itself the access log destination (CloudFront standard logs). Logging access to it would need yet another log bucket; reads of the logs are auditable with CloudTrail data events instead.',
    });
    return bucket;
  }
}

/**
 * The route table as a file asset, written into the cloud assembly folder under a name that follows
 * its content. `ImportSource.fromInline` writes its data into a new `os.tmpdir()/key-value-store*`
 * folder on every synth and never removes it; this file is rewritten in place by the next synth of
 * the same routes and goes wherever the assembly goes. Its asset hash is the same as fromInline's
 * (CDK fingerprints a single file by its content only), so the template does not change.
 */
function routeTableSource(scope: Construct, data: string): cloudfront.ImportSource {
  const stage = Stage.of(scope);
  if (!stage) return cloudfront.ImportSource.fromInline(data);
  const hash = createHash('sha256').update(data).digest('hex');
  const file = path.join(stage.assetOutdir, `vercel-functions-aws-route-table.${hash}.json`);
  mkdirSync(stage.assetOutdir, { recursive: true });
  writeFileSync(file, data);
  return cloudfront.ImportSource.fromAsset(file);
}

interface RoutedFunction {
  readonly route: RoutePattern;
  readonly fn: lambda.IFunction;
}
