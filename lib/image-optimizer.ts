import * as path from 'node:path';
import { Duration, Lazy, type Size } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import {
  type ContentDispositionType,
  IMAGE_OPTIMIZER_CONFIG_ENV,
  type ImageFormat,
  type ImageOptimizerConfig,
  type LocalPattern,
  type RemotePattern,
  resolveImageOptimizerConfig,
  serializeImageOptimizerConfig,
} from '../runtime/image-optimizer/config';
import { IMAGE_FORMAT_HEADER } from '../runtime/image-optimizer/negotiate';
import { IMAGE_OPTIMIZER_PATH } from '../runtime/image-optimizer/paths';
import { runtimeModulePath } from './bundling/runtime-path';
import type { Cdn } from './cdn';
import { ConfigurationError } from './errors';
import { OriginProtection } from './origin-protection';
import { DISTRIBUTION_DOMAIN_HEADER } from './private/constructs-contract';
import { literalEnvironmentBytes } from './private/environment-size';
import { restrictLoggingToOwnLogGroup } from './private/function-logging';
import { imageViewerRequestSource } from './private/image-cloudfront-function';
import { LAMBDA_ENVIRONMENT_BYTES, LAMBDA_MEMORY_MB, LAMBDA_TIMEOUT_SECONDS } from './private/lambda-limits';
import { findLockFile } from './private/project-layout';
import {
  CACHE_POLICY_NAME_MAX_LENGTH,
  FUNCTION_NAME_MAX_LENGTH,
  regionalName,
} from './private/regional-name';
import { sharpBundling } from './private/sharp-platform';

/** A remote source pattern (Vercel's `remotePatterns` entry). */
export type ImageRemotePattern = RemotePattern;

/** A local source pattern (Vercel's `localPatterns` entry). */
export type ImageLocalPattern = LocalPattern;

export type { ContentDispositionType, ImageFormat };

/**
 * Properties of an {@link ImageOptimizer}. The image fields are Vercel's `images` configuration
 * (Build Output API; the same as Next.js `images`), with CDK types for durations and sizes.
 */
export interface ImageOptimizerProps {
  /**
   * The widths `w` may take; other widths get 400.
   *
   * @default - Next.js's default imageSizes and deviceSizes: 16, 32, 48, 64, 96, 128, 256, 384, 640, 750, 828, 1080, 1200, 1920, 2048, 3840
   */
  readonly sizes?: number[];

  /**
   * The qualities `q` may take (1–100); other qualities get 400. Without `q`, 75 (or the allowed quality closest to it).
   *
   * @default - any quality from 1 to 100
   */
  readonly qualities?: number[];

  /**
   * Output formats in order of preference, each used when the viewer's `Accept` names it; otherwise
   * the source's own format.
   *
   * @default ['image/webp']
   */
  readonly formats?: ImageFormat[];

  /**
   * Remote host names allowed as sources over any protocol and port.
   *
   * @default - none
   */
  readonly domains?: string[];

  /**
   * Remote sources allowed, by protocol, host name (`*`, leading `**`), port, path (`*`, `**`) and query.
   *
   * @default - none: only local sources
   */
  readonly remotePatterns?: ImageRemotePattern[];

  /**
   * Local sources (paths of this deployment) allowed, by path and query.
   *
   * @default - every local path
   */
  readonly localPatterns?: ImageLocalPattern[];

  /**
   * Least time an optimized image stays cached (longer when the source's own `max-age` says so).
   * `invalidateBySrcImage()` evicts sooner.
   *
   * @default Duration.hours(4)
   */
  readonly minimumCacheTTL?: Duration;

  /**
   * Serve SVG sources (as they are, with the `contentSecurityPolicy`). SVGs can carry scripts.
   *
   * @default false
   */
  readonly dangerouslyAllowSVG?: boolean;

  /**
   * `Content-Security-Policy` of every optimized image.
   *
   * @default "script-src 'none'; frame-src 'none'; sandbox;"
   */
  readonly contentSecurityPolicy?: string;

  /**
   * `Content-Disposition` type: whether a browser opening an image URL directly shows or downloads it.
   *
   * @default 'attachment'
   */
  readonly contentDispositionType?: ContentDispositionType;

  /**
   * Largest source image the optimizer downloads; larger ones get 413.
   *
   * @default - 50,000,000 bytes: Next.js's 50 MB (a little less than `Size.mebibytes(50)`)
   */
  readonly maximumResponseBody?: Size;

  /**
   * Let remote sources resolve to loopback, private, link-local and other non-public addresses.
   * Off, a remote source whose host is or resolves to such an address gets 400.
   *
   * @default false
   */
  readonly dangerouslyAllowLocalIP?: boolean;

  /**
   * Memory of the optimizer function in MB; CPU scales with it, and sharp uses both.
   *
   * @default 1536
   */
  readonly memorySize?: number;

  /**
   * Timeout of one optimization.
   *
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;

  /**
   * Instruction set of the optimizer function; sharp's native binaries are installed for it.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Lock file used to install sharp (the version this package depends on) while bundling.
   *
   * @default - the nearest lock file at or above this package
   */
  readonly depsLockFilePath?: string;
}

/**
 * The path pattern of the optimizer's cache behaviour: Vercel's `/_vercel/image?url=…&w=…&q=…`.
 * Exactly that path, no `*`: CloudFront matches path patterns against the path alone (the query
 * string is not part of it), and a wildcard would also send `/_vercel/imageX` or
 * `/_vercel/image.png` to the optimizer — which answers those with a 404 anyway.
 */
const PATH_PATTERN = IMAGE_OPTIMIZER_PATH;
const DEFAULT_MINIMUM_CACHE_TTL = Duration.hours(4);

/**
 * Vercel Image Optimization on AWS: a Lambda function (Node.js 24, arm64 by default) running
 * `sharp`, served by a `Cdn` at `/_vercel/image?url=<src>&w=<width>&q=<quality>` (attach it with
 * {@link addToCdn}).
 *
 * - `sharp` is installed during local bundling (never Docker) from the npm registry, with npm's
 *   `--cpu`/`--os`/`--libc` set to the function's architecture and Lambda's Linux, so an arm64
 *   function gets `@img/sharp-linux-arm64` whatever machine synthesizes it. npm installs it even
 *   in yarn, pnpm and bun projects (which install native packages for this machine only), and the
 *   bundling fails if that package is missing from the asset.
 * - Sources: local paths are fetched through the same distribution, by the `*.cloudfront.net`
 *   domain the CDN names (any other value gets 400, so a caller of a public Function URL cannot
 *   point the optimizer elsewhere); remote URLs only when `domains`/`remotePatterns` allow them —
 *   every redirect is checked again. Hosts must resolve to public addresses (remote ones unless
 *   `dangerouslyAllowLocalIP`; the distribution always). Others get 400: never an open proxy.
 * - Every variant carries the source's cache tag, so `invalidateBySrcImage(src)` from any function
 *   evicts all its widths, qualities and formats with one `#tag` invalidation.
 *
 * The function has no permissions beyond writing its own logs.
 *
 * @example
 * const images = new ImageOptimizer(this, 'Images', {
 *   sizes: [640, 1080, 1920],
 *   formats: ['image/avif', 'image/webp'],
 *   remotePatterns: [{ protocol: 'https', hostname: 'images.example.com' }],
 * });
 * images.addToCdn(cdn);
 */
export class ImageOptimizer extends Construct {
  /** The path pattern the optimizer is served at. */
  static readonly PATH_PATTERN = PATH_PATTERN;

  /** The optimizer function (child id `Resource`). */
  readonly function: nodejs.NodejsFunction;

  /** The configuration the function runs with, every default filled in. */
  readonly config: ImageOptimizerConfig;

  /** Cache policy of the image behaviour: the `url`, `w` and `q` parameters and the negotiated format. */
  readonly cachePolicy: cloudfront.CachePolicy;

  /** Origin request policy of the image behaviour: forwards only the distribution's domain. */
  readonly originRequestPolicy: cloudfront.OriginRequestPolicy;

  /** Viewer-request function of the image behaviour: sanitises the request and negotiates the format. */
  readonly viewerRequestFunction: cloudfront.Function;

  private functionUrl?: lambda.FunctionUrl;
  private attachedTo?: Cdn;

  constructor(scope: Construct, id: string, props: ImageOptimizerProps = {}) {
    super(scope, id);
    this.config = this.resolveConfig(props);
    const memorySize = props.memorySize ?? 1536;
    if (
      !Number.isInteger(memorySize) ||
      memorySize < LAMBDA_MEMORY_MB.min ||
      memorySize > LAMBDA_MEMORY_MB.max
    ) {
      throw new ConfigurationError(
        this,
        `memorySize must be a whole number of MB from ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max}, got ${memorySize}`,
      );
    }
    const timeout = props.timeout ?? Duration.seconds(30);
    if (
      timeout.toSeconds() < LAMBDA_TIMEOUT_SECONDS.min ||
      timeout.toSeconds() > LAMBDA_TIMEOUT_SECONDS.max
    ) {
      throw new ConfigurationError(
        this,
        `timeout must be from ${LAMBDA_TIMEOUT_SECONDS.min} to ${LAMBDA_TIMEOUT_SECONDS.max} seconds, got ${timeout.toSeconds()}`,
      );
    }
    const architecture = props.architecture ?? lambda.Architecture.ARM_64;
    const entry = optimizerEntry();
    const depsLockFilePath = path.resolve(props.depsLockFilePath ?? findLockFile(path.dirname(entry)) ?? '');
    if (!props.depsLockFilePath && !findLockFile(path.dirname(entry))) {
      throw new ConfigurationError(
        this,
        `no lock file at or above ${path.dirname(entry)} to install sharp from: pass depsLockFilePath`,
      );
    }
    const configJson = serializeImageOptimizerConfig(this.config);
    // As Lambda measures it (the JSON's own quotes count twice, escaped), leaving 512 bytes for
    // variables added to `function` later.
    const environmentBytes = literalEnvironmentBytes({ [IMAGE_OPTIMIZER_CONFIG_ENV]: configJson });
    if (environmentBytes > LAMBDA_ENVIRONMENT_BYTES - 512) {
      throw new ConfigurationError(
        this,
        `the image configuration takes ${environmentBytes} bytes of environment, more than Lambda's ${LAMBDA_ENVIRONMENT_BYTES}-byte limit leaves room for: list fewer remotePatterns, domains or sizes`,
      );
    }

    this.function = new nodejs.NodejsFunction(this, 'Resource', {
      description: 'Vercel-style image optimizer (/_vercel/image) with sharp',
      entry,
      handler: 'handler',
      projectRoot: path.dirname(depsLockFilePath),
      depsLockFilePath,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture,
      memorySize,
      timeout,
      environment: { [IMAGE_OPTIMIZER_CONFIG_ENV]: configJson },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        // sharp is a native module: left out of the bundle and installed into the asset's
        // node_modules for Lambda's Linux and this architecture, with npm whatever the lock file.
        ...sharpBundling(depsLockFilePath, architecture),
      },
    });
    restrictLoggingToOwnLogGroup(this.function);

    this.cachePolicy = new cloudfront.CachePolicy(this, 'CachePolicy', {
      // Unique per account: CDK's default name holds the region and the construct path, not the stack
      // name, so two stages of one app would clash (see regionalName).
      cachePolicyName: Lazy.string({
        produce: () => regionalName(this.cachePolicy, CACHE_POLICY_NAME_MAX_LENGTH),
      }),
      comment: 'vercel-functions-aws images: url, w, q and the format negotiated from Accept',
      // The optimizer always states its TTL (max-age); errors say no-store.
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList('url', 'w', 'q'),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList(IMAGE_FORMAT_HEADER),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      // SVGs passed through are text: let CloudFront compress them.
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    this.originRequestPolicy = new cloudfront.OriginRequestPolicy(this, 'OriginRequestPolicy', {
      // Unique per account, not per region: the name carries the region (see regionalName).
      originRequestPolicyName: Lazy.string({ produce: () => regionalName(this.originRequestPolicy, 128) }),
      comment: 'vercel-functions-aws images: the cache key, plus the distribution domain for local sources',
      // The cache key's query strings and header reach the origin anyway; nothing else of the
      // viewer's (cookies, Authorization, Host) does.
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(DISTRIBUTION_DOMAIN_HEADER),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.none(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });
    this.viewerRequestFunction = new cloudfront.Function(this, 'ViewerRequest', {
      // Unique per account, with the stack name (CDK's default has none): see regionalName.
      functionName: Lazy.string({
        produce: () => regionalName(this.viewerRequestFunction, FUNCTION_NAME_MAX_LENGTH),
      }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(imageViewerRequestSource(this.config.formats)),
      comment: 'vercel-functions-aws image viewer-request',
    });
  }

  /**
   * Serves the optimizer at `/_vercel/image` on `cdn`: a cache behaviour (GET and HEAD only) with
   * this construct's cache and origin request policies and viewer-request function, and the Cdn's
   * response headers policy (which keeps the cache tags away from viewers). The function gets a
   * response-streaming Function URL protected like the Cdn's other origins; with
   * `OriginProtection.oacWithBodySigning()` the behaviour uses plain OAC, since GET and HEAD carry
   * no body to sign. With `OriginProtection.secretHeader()` and no secret of your own, the
   * optimizer's origin gets a secret of its own.
   *
   * The behaviour counts toward CloudFront's cache behaviour quota (75 by default).
   */
  addToCdn(cdn: Cdn): void {
    if (this.attachedTo !== undefined) {
      throw new ConfigurationError(
        this,
        `is already served by ${this.attachedTo.node.path}; create one ImageOptimizer per Cdn`,
      );
    }
    this.attachedTo = cdn;
    const protection =
      cdn.originProtection.functionUrlAuthType === lambda.FunctionUrlAuthType.AWS_IAM
        ? OriginProtection.oac()
        : cdn.originProtection;
    const binding = protection._bind(this);
    this.functionUrl = this.function.addFunctionUrl({
      authType: protection.functionUrlAuthType,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });
    binding.bindFunction(this.function);
    cdn.distribution.addBehavior(PATH_PATTERN, binding.origin(this.functionUrl, Duration.seconds(60)), {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      compress: true,
      cachePolicy: this.cachePolicy,
      originRequestPolicy: this.originRequestPolicy,
      responseHeadersPolicy: cdn.responseHeadersPolicy,
      functionAssociations: [
        { function: this.viewerRequestFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
      ],
    });
  }

  private resolveConfig(props: ImageOptimizerProps): ImageOptimizerConfig {
    try {
      return resolveImageOptimizerConfig({
        sizes: props.sizes,
        qualities: props.qualities,
        formats: props.formats,
        domains: props.domains,
        remotePatterns: props.remotePatterns,
        localPatterns: props.localPatterns,
        minimumCacheTTL: (props.minimumCacheTTL ?? DEFAULT_MINIMUM_CACHE_TTL).toSeconds(),
        dangerouslyAllowSVG: props.dangerouslyAllowSVG,
        contentSecurityPolicy: props.contentSecurityPolicy,
        contentDispositionType: props.contentDispositionType,
        maximumResponseBody: props.maximumResponseBody?.toBytes(),
        dangerouslyAllowLocalIP: props.dangerouslyAllowLocalIP,
      });
    } catch (error) {
      throw new ConfigurationError(this, (error as Error).message, { cause: error });
    }
  }
}

// The Lambda entry: the runtime's TypeScript source, in this repository and in the package alike
// (runtimeModulePath explains why sources, not the compiled CommonJS).
function optimizerEntry(): string {
  return runtimeModulePath('image-optimizer/lambda');
}
