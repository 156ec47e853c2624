import { CloudFrontEmulationError } from './errors';

// The three policies of a cache behaviour, as the emulation applies them. Read from the template's
// AWS::CloudFront::*Policy resources (CloudFormation property names) or from the managed policies
// in managed-policies.ts.

/** A cache policy: the TTL bounds and what goes into the cache key. */
export interface CachePolicyModel {
  readonly name: string;
  /** Seconds. */
  readonly minTtl: number;
  readonly defaultTtl: number;
  readonly maxTtl: number;
  readonly headers: ParameterSet;
  readonly cookies: ParameterSet;
  readonly queryStrings: ParameterSet;
  readonly acceptEncodingGzip: boolean;
  readonly acceptEncodingBrotli: boolean;
}

/** Which headers, cookies or query strings a policy names. Names of headers are lower-case. */
export interface ParameterSet {
  readonly behavior: 'none' | 'whitelist' | 'all' | 'allExcept';
  readonly names: readonly string[];
}

/** An origin request policy: what the origin request carries beyond the cache key. */
export interface OriginRequestPolicyModel {
  readonly name: string;
  /** Viewer headers forwarded (`all` = every viewer header; `allExcept` = every one but `names`). */
  readonly headers: ParameterSet;
  /** CloudFront-generated headers (`cloudfront-*`, lower-case) added to the origin request. */
  readonly cloudFrontHeaders: readonly string[];
  readonly cookies: ParameterSet;
  readonly queryStrings: ParameterSet;
}

/** A response headers policy: headers removed from and added to viewer responses. */
export interface ResponseHeadersPolicyModel {
  readonly name: string;
  /** Lower-case names of the headers removed. */
  readonly removeHeaders: readonly string[];
  /** Headers added; `override` replaces a header the origin sent. */
  readonly addHeaders: readonly {
    readonly name: string;
    readonly value: string;
    readonly override: boolean;
  }[];
}

/** The CloudFront request headers CloudFront can add to an origin request (lower-case). */
export const CLOUDFRONT_HEADERS: readonly string[] = [
  'cloudfront-forwarded-proto',
  'cloudfront-is-android-viewer',
  'cloudfront-is-desktop-viewer',
  'cloudfront-is-ios-viewer',
  'cloudfront-is-mobile-viewer',
  'cloudfront-is-smarttv-viewer',
  'cloudfront-is-tablet-viewer',
  'cloudfront-viewer-address',
  'cloudfront-viewer-asn',
  'cloudfront-viewer-city',
  'cloudfront-viewer-country',
  'cloudfront-viewer-country-name',
  'cloudfront-viewer-country-region',
  'cloudfront-viewer-country-region-name',
  'cloudfront-viewer-http-version',
  'cloudfront-viewer-latitude',
  'cloudfront-viewer-longitude',
  'cloudfront-viewer-metro-code',
  'cloudfront-viewer-postal-code',
  'cloudfront-viewer-time-zone',
  'cloudfront-viewer-tls',
];

type Config = Readonly<Record<string, unknown>>;

/** A cache policy from an `AWS::CloudFront::CachePolicy`'s `CachePolicyConfig`. */
export function cachePolicyFromConfig(config: Config, where: string): CachePolicyModel {
  const parameters = (config.ParametersInCacheKeyAndForwardedToOrigin ?? {}) as Config;
  return {
    name: String(config.Name ?? where),
    minTtl: seconds(config.MinTTL, 0, `${where}.MinTTL`),
    defaultTtl: seconds(config.DefaultTTL, 86_400, `${where}.DefaultTTL`),
    maxTtl: seconds(config.MaxTTL, 31_536_000, `${where}.MaxTTL`),
    headers: parameterSet(
      parameters.HeadersConfig,
      'HeaderBehavior',
      'Headers',
      `${where}.HeadersConfig`,
      true,
    ),
    cookies: parameterSet(parameters.CookiesConfig, 'CookieBehavior', 'Cookies', `${where}.CookiesConfig`),
    queryStrings: parameterSet(
      parameters.QueryStringsConfig,
      'QueryStringBehavior',
      'QueryStrings',
      `${where}.QueryStringsConfig`,
    ),
    acceptEncodingGzip: parameters.EnableAcceptEncodingGzip === true,
    acceptEncodingBrotli: parameters.EnableAcceptEncodingBrotli === true,
  };
}

/** An origin request policy from an `AWS::CloudFront::OriginRequestPolicy`'s `OriginRequestPolicyConfig`. */
export function originRequestPolicyFromConfig(config: Config, where: string): OriginRequestPolicyModel {
  const headersConfig = (config.HeadersConfig ?? {}) as Config;
  const behavior = String(headersConfig.HeaderBehavior ?? 'none');
  const listed = ((headersConfig.Headers ?? []) as unknown[]).map((name) => String(name).toLowerCase());
  let headers: ParameterSet;
  let cloudFrontHeaders: string[] = [];
  switch (behavior) {
    case 'none':
      headers = { behavior: 'none', names: [] };
      break;
    case 'whitelist':
      headers = { behavior: 'whitelist', names: listed.filter((name) => !isCloudFrontHeader(name)) };
      cloudFrontHeaders = listed.filter(isCloudFrontHeader);
      break;
    case 'allViewer':
      headers = { behavior: 'all', names: [] };
      break;
    case 'allViewerAndWhitelistCloudFront':
      headers = { behavior: 'all', names: [] };
      cloudFrontHeaders = listed.filter(isCloudFrontHeader);
      break;
    case 'allExcept':
      headers = { behavior: 'allExcept', names: listed };
      break;
    default:
      throw new CloudFrontEmulationError(
        `${where}.HeadersConfig has an unknown HeaderBehavior '${behavior}'`,
      );
  }
  return {
    name: String(config.Name ?? where),
    headers,
    cloudFrontHeaders,
    cookies: parameterSet(config.CookiesConfig, 'CookieBehavior', 'Cookies', `${where}.CookiesConfig`),
    queryStrings: parameterSet(
      config.QueryStringsConfig,
      'QueryStringBehavior',
      'QueryStrings',
      `${where}.QueryStringsConfig`,
    ),
  };
}

/**
 * A response headers policy from an `AWS::CloudFront::ResponseHeadersPolicy`'s
 * `ResponseHeadersPolicyConfig`: removals and custom headers. CORS, security-header and
 * Server-Timing settings are not emulated and are refused.
 */
export function responseHeadersPolicyFromConfig(config: Config, where: string): ResponseHeadersPolicyModel {
  for (const unsupported of ['CorsConfig', 'SecurityHeadersConfig', 'ServerTimingHeadersConfig']) {
    if (config[unsupported] !== undefined) {
      throw new CloudFrontEmulationError(
        `${where} sets ${unsupported}, which the local emulation does not implement`,
      );
    }
  }
  const removeItems = ((config.RemoveHeadersConfig as Config | undefined)?.Items ?? []) as Config[];
  const customItems = ((config.CustomHeadersConfig as Config | undefined)?.Items ?? []) as Config[];
  return {
    name: String(config.Name ?? where),
    removeHeaders: removeItems.map((item) => String(item.Header).toLowerCase()),
    addHeaders: customItems.map((item) => ({
      name: String(item.Header),
      value: String(item.Value),
      override: item.Override === true,
    })),
  };
}

/** Whether a (lower-case) header name is one CloudFront generates. */
export function isCloudFrontHeader(name: string): boolean {
  return name.startsWith('cloudfront-');
}

function parameterSet(
  config: unknown,
  behaviorKey: string,
  namesKey: string,
  where: string,
  headers = false,
): ParameterSet {
  const value = (config ?? {}) as Config;
  const raw = String(value[behaviorKey] ?? 'none');
  const behavior = raw === 'allViewer' ? 'all' : raw;
  if (behavior !== 'none' && behavior !== 'whitelist' && behavior !== 'all' && behavior !== 'allExcept') {
    throw new CloudFrontEmulationError(`${where} has an unknown ${behaviorKey} '${raw}'`);
  }
  const names = ((value[namesKey] ?? []) as unknown[]).map((name) =>
    headers ? String(name).toLowerCase() : String(name),
  );
  return { behavior, names };
}

function seconds(value: unknown, fallback: number, where: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) {
    throw new CloudFrontEmulationError(`${where} must be a number of seconds, got ${JSON.stringify(value)}`);
  }
  return number;
}
