import { readFileSync } from 'node:fs';
import { assetForS3Key } from './cloud-assembly';
import { CloudFrontEmulationError } from './errors';
import { MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES } from './managed-policies';
import {
  type CachePolicyModel,
  cachePolicyFromConfig,
  type OriginRequestPolicyModel,
  originRequestPolicyFromConfig,
  type ResponseHeadersPolicyModel,
  responseHeadersPolicyFromConfig,
} from './policies';
import type { StackResolver } from './stack-resolver';

// A CloudFront distribution as the emulation runs it, read from a synthesized template: its
// behaviours in precedence order, origins, the policies, CloudFront Functions with their code and key
// value stores, Lambda@Edge associations, the cache tag header and the error caching TTLs. Nothing is
// copied from the constructs; a setting the emulation cannot honour is refused here.

/** One CloudFront distribution of a template. */
export interface DistributionModel {
  readonly logicalId: string;
  /** The local distribution id (what `event.context.distributionId` and `CreateInvalidation` use). */
  readonly id: string;
  readonly domainName: string;
  /** The cache behaviours with a path pattern, in the order CloudFront evaluates them. */
  readonly behaviors: readonly BehaviorModel[];
  readonly defaultBehavior: BehaviorModel;
  readonly origins: ReadonlyMap<string, OriginModel>;
  /** `CacheTagConfig.HeaderName`: the response header CloudFront reads cache tags from. */
  readonly cacheTagHeader?: string;
  /** `CustomErrorResponses` error caching minimum TTLs (seconds) by status code. */
  readonly errorCachingMinTtl: ReadonlyMap<number, number>;
  readonly defaultRootObject?: string;
}

/** A cache behaviour. */
export interface BehaviorModel {
  /** `undefined` for the default behaviour. */
  readonly pathPattern?: string;
  readonly targetOriginId: string;
  readonly allowedMethods: readonly string[];
  readonly cachedMethods: readonly string[];
  readonly cachePolicy: CachePolicyModel;
  readonly originRequestPolicy?: OriginRequestPolicyModel;
  readonly responseHeadersPolicy?: ResponseHeadersPolicyModel;
  readonly viewerRequest?: CloudFrontFunctionModel;
  readonly viewerResponse?: CloudFrontFunctionModel;
  /** The Lambda@Edge origin-request association. */
  readonly originRequest?: EdgeFunctionAssociation;
}

/** An origin. */
export interface OriginModel {
  readonly id: string;
  readonly domainName: string;
  readonly originPath: string;
  readonly customHeaders: readonly { readonly name: string; readonly value: string }[];
  /** `CustomOriginConfig.OriginReadTimeout`: first byte and between chunks. */
  readonly readTimeoutSeconds: number;
  /** S3 origins are modelled but not served: a request routed to one gets 502. */
  readonly kind: 'custom' | 's3';
  /** The origin access control signing this origin's requests. */
  readonly originAccessControl?: {
    readonly signingBehavior: 'always' | 'never' | 'no-override';
    readonly originType: string;
  };
}

/** A CloudFront Function. */
export interface CloudFrontFunctionModel {
  readonly logicalId: string;
  readonly name: string;
  readonly runtime: 'cloudfront-js-1.0' | 'cloudfront-js-2.0';
  /** The code as deployed (intrinsic functions in it evaluated). */
  readonly code: string;
  readonly keyValueStores: readonly KeyValueStoreModel[];
}

/** A CloudFront KeyValueStore with the data it is created with. */
export interface KeyValueStoreModel {
  readonly logicalId: string;
  readonly id: string;
  readonly arn: string;
  readonly entries: ReadonlyMap<string, string>;
}

/** A Lambda@Edge function association. */
export interface EdgeFunctionAssociation {
  readonly eventType: 'origin-request';
  readonly includeBody: boolean;
  /** The `AWS::Lambda::Function` that runs. */
  readonly functionLogicalId: string;
}

type Config = Readonly<Record<string, unknown>>;

const DEFAULT_ALLOWED_METHODS = ['GET', 'HEAD'];
// CloudFront caches 4xx/5xx responses of these codes for the error caching minimum TTL, 10 s unless
// a custom error response sets it (416 is never cached).
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/custom-error-pages-expiration.html
const DEFAULT_ERROR_CACHING_SECONDS = 10;
export const CACHED_ERROR_CODES: readonly number[] = [400, 403, 404, 405, 414, 500, 501, 502, 503, 504];

/**
 * Reads a distribution from the resolver's stack.
 *
 * @param logicalId the distribution's logical id; may be omitted when the template has exactly one
 * @throws CloudFrontEmulationError when the distribution uses something the emulation cannot run
 */
export function readDistribution(resolver: StackResolver, logicalId?: string): DistributionModel {
  const resources = resolver.stack.template.Resources;
  const ids = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::CloudFront::Distribution');
  const distributionId = logicalId ?? (ids.length === 1 ? ids[0] : undefined);
  if (distributionId === undefined || !ids.includes(distributionId)) {
    throw new CloudFrontEmulationError(
      logicalId === undefined
        ? `the stack has ${ids.length} CloudFront distributions (${ids.join(', ') || 'none'}): name the one to emulate`
        : `the stack has no CloudFront distribution ${logicalId}; it has ${ids.join(', ') || 'none'}`,
    );
  }
  return new DistributionReader(resolver, distributionId).read();
}

class DistributionReader {
  private readonly functions = new Map<string, CloudFrontFunctionModel>();

  constructor(
    private readonly resolver: StackResolver,
    private readonly logicalId: string,
  ) {}

  read(): DistributionModel {
    const where = this.logicalId;
    const config = (this.resolver.resource(this.logicalId, where).Properties?.DistributionConfig ??
      {}) as Config;
    if (config.ForwardedValues !== undefined) {
      throw new CloudFrontEmulationError(
        `${where} uses legacy cache settings (ForwardedValues), which the emulation does not implement`,
      );
    }
    const origins = new Map<string, OriginModel>();
    for (const [i, origin] of ((config.Origins ?? []) as Config[]).entries()) {
      const model = this.origin(origin, `${where}.Origins[${i}]`);
      origins.set(model.id, model);
    }
    if (config.OriginGroups !== undefined) {
      throw new CloudFrontEmulationError(
        `${where} has origin groups (failover), which the emulation does not implement`,
      );
    }
    const defaultBehavior = this.behavior(
      (config.DefaultCacheBehavior ?? {}) as Config,
      `${where}.DefaultCacheBehavior`,
      origins,
    );
    const behaviors = ((config.CacheBehaviors ?? []) as Config[]).map((behavior, i) =>
      this.behavior(behavior, `${where}.CacheBehaviors[${i}]`, origins),
    );
    const errorCachingMinTtl = new Map(
      CACHED_ERROR_CODES.map((code) => [code, DEFAULT_ERROR_CACHING_SECONDS]),
    );
    for (const [i, entry] of ((config.CustomErrorResponses ?? []) as Config[]).entries()) {
      if (entry.ResponsePagePath !== undefined || entry.ResponseCode !== undefined) {
        throw new CloudFrontEmulationError(
          `${where}.CustomErrorResponses[${i}] replaces the error page, which the emulation does not implement`,
        );
      }
      if (entry.ErrorCachingMinTTL !== undefined) {
        errorCachingMinTtl.set(Number(entry.ErrorCode), Number(entry.ErrorCachingMinTTL));
      }
    }
    const cacheTagConfig = config.CacheTagConfig as Config | undefined;
    return {
      logicalId: this.logicalId,
      id: this.resolver.distributionId(this.logicalId),
      domainName: this.resolver.distributionDomainName(this.logicalId),
      behaviors,
      defaultBehavior,
      origins,
      cacheTagHeader:
        cacheTagConfig?.HeaderName === undefined
          ? undefined
          : this.resolver.resolveString(cacheTagConfig.HeaderName, `${where}.CacheTagConfig.HeaderName`),
      errorCachingMinTtl,
      defaultRootObject:
        config.DefaultRootObject === undefined
          ? undefined
          : this.resolver.resolveString(config.DefaultRootObject, `${where}.DefaultRootObject`),
    };
  }

  private origin(origin: Config, where: string): OriginModel {
    const id = this.resolver.resolveString(origin.Id, `${where}.Id`);
    const custom = origin.CustomOriginConfig as Config | undefined;
    const headers = ((origin.OriginCustomHeaders ?? []) as Config[]).map((header, i) => ({
      name: this.resolver.resolveString(header.HeaderName, `${where}.OriginCustomHeaders[${i}].HeaderName`),
      value: this.resolver.resolveString(
        header.HeaderValue,
        `${where}.OriginCustomHeaders[${i}].HeaderValue`,
      ),
    }));
    let originAccessControl: OriginModel['originAccessControl'];
    if (origin.OriginAccessControlId !== undefined) {
      const oacId = this.resolver.resolveString(
        origin.OriginAccessControlId,
        `${where}.OriginAccessControlId`,
      );
      const oac = this.resolver.resource(oacId, `${where}.OriginAccessControlId`);
      const oacConfig = (oac.Properties?.OriginAccessControlConfig ?? {}) as Config;
      const signingBehavior = String(oacConfig.SigningBehavior ?? 'always');
      if (signingBehavior !== 'always' && signingBehavior !== 'never' && signingBehavior !== 'no-override') {
        throw new CloudFrontEmulationError(`${oacId} has an unknown SigningBehavior '${signingBehavior}'`);
      }
      originAccessControl = {
        signingBehavior,
        originType: String(oacConfig.OriginAccessControlOriginType ?? ''),
      };
    }
    return {
      id,
      domainName: this.resolver.resolveString(origin.DomainName, `${where}.DomainName`),
      originPath:
        origin.OriginPath === undefined
          ? ''
          : this.resolver.resolveString(origin.OriginPath, `${where}.OriginPath`),
      customHeaders: headers,
      readTimeoutSeconds: Number(custom?.OriginReadTimeout ?? 30),
      kind: custom === undefined && origin.S3OriginConfig !== undefined ? 's3' : 'custom',
      originAccessControl,
    };
  }

  private behavior(
    behavior: Config,
    where: string,
    origins: ReadonlyMap<string, OriginModel>,
  ): BehaviorModel {
    if (behavior.ForwardedValues !== undefined || behavior.CachePolicyId === undefined) {
      throw new CloudFrontEmulationError(
        `${where} uses legacy cache settings (no CachePolicyId), which the emulation does not implement`,
      );
    }
    const targetOriginId = this.resolver.resolveString(behavior.TargetOriginId, `${where}.TargetOriginId`);
    if (!origins.has(targetOriginId)) {
      throw new CloudFrontEmulationError(
        `${where}.TargetOriginId names ${targetOriginId}, which is not an origin of the distribution`,
      );
    }
    const model: {
      -readonly [K in keyof BehaviorModel]: BehaviorModel[K];
    } = {
      pathPattern:
        behavior.PathPattern === undefined
          ? undefined
          : this.resolver.resolveString(behavior.PathPattern, `${where}.PathPattern`),
      targetOriginId,
      allowedMethods: ((behavior.AllowedMethods ?? DEFAULT_ALLOWED_METHODS) as string[]).map(String),
      cachedMethods: ((behavior.CachedMethods ?? DEFAULT_ALLOWED_METHODS) as string[]).map(String),
      cachePolicy: this.cachePolicy(behavior.CachePolicyId, `${where}.CachePolicyId`),
      originRequestPolicy:
        behavior.OriginRequestPolicyId === undefined
          ? undefined
          : this.originRequestPolicy(behavior.OriginRequestPolicyId, `${where}.OriginRequestPolicyId`),
      responseHeadersPolicy:
        behavior.ResponseHeadersPolicyId === undefined
          ? undefined
          : this.responseHeadersPolicy(behavior.ResponseHeadersPolicyId, `${where}.ResponseHeadersPolicyId`),
    };
    for (const [i, association] of ((behavior.FunctionAssociations ?? []) as Config[]).entries()) {
      const at = `${where}.FunctionAssociations[${i}]`;
      const fn = this.cloudFrontFunction(association.FunctionARN, `${at}.FunctionARN`);
      const eventType = String(association.EventType);
      if (eventType === 'viewer-request') model.viewerRequest = fn;
      else if (eventType === 'viewer-response') model.viewerResponse = fn;
      else throw new CloudFrontEmulationError(`${at} has an unknown EventType '${eventType}'`);
    }
    for (const [i, association] of ((behavior.LambdaFunctionAssociations ?? []) as Config[]).entries()) {
      const at = `${where}.LambdaFunctionAssociations[${i}]`;
      const eventType = String(association.EventType);
      if (eventType !== 'origin-request') {
        throw new CloudFrontEmulationError(
          `${at} runs Lambda@Edge on ${eventType}; the emulation runs origin-request functions only`,
        );
      }
      model.originRequest = {
        eventType,
        includeBody: association.IncludeBody === true,
        functionLogicalId: this.edgeFunction(association.LambdaFunctionARN, `${at}.LambdaFunctionARN`),
      };
    }
    return model;
  }

  private cachePolicy(value: unknown, where: string): CachePolicyModel {
    const id = this.resolver.resolveString(value, where);
    const managed = MANAGED_CACHE_POLICIES[id];
    if (managed) return managed;
    const resource = this.policyResource(id, 'AWS::CloudFront::CachePolicy', where);
    return cachePolicyFromConfig(this.resolver.resolve(resource.CachePolicyConfig, id) as Config, id);
  }

  private originRequestPolicy(value: unknown, where: string): OriginRequestPolicyModel {
    const id = this.resolver.resolveString(value, where);
    const managed = MANAGED_ORIGIN_REQUEST_POLICIES[id];
    if (managed) return managed;
    const resource = this.policyResource(id, 'AWS::CloudFront::OriginRequestPolicy', where);
    return originRequestPolicyFromConfig(
      this.resolver.resolve(resource.OriginRequestPolicyConfig, id) as Config,
      id,
    );
  }

  private responseHeadersPolicy(value: unknown, where: string): ResponseHeadersPolicyModel {
    const id = this.resolver.resolveString(value, where);
    const resource = this.policyResource(id, 'AWS::CloudFront::ResponseHeadersPolicy', where);
    return responseHeadersPolicyFromConfig(
      this.resolver.resolve(resource.ResponseHeadersPolicyConfig, id) as Config,
      id,
    );
  }

  private policyResource(id: string, type: string, where: string): Config {
    const resource = this.resolver.stack.template.Resources[id];
    if (resource?.Type !== type) {
      throw new CloudFrontEmulationError(
        `${where} is ${id}: neither a ${type} of the template nor a managed policy the emulation knows`,
      );
    }
    return resource.Properties ?? {};
  }

  private cloudFrontFunction(arn: unknown, where: string): CloudFrontFunctionModel {
    const logicalId = (arn as { 'Fn::GetAtt'?: unknown[] } | undefined)?.['Fn::GetAtt']?.[0];
    if (typeof logicalId !== 'string') {
      throw new CloudFrontEmulationError(
        `${where} must point at an AWS::CloudFront::Function of the template, got ${JSON.stringify(arn)}`,
      );
    }
    const known = this.functions.get(logicalId);
    if (known) return known;
    const resource = this.resolver.resource(logicalId, where);
    if (resource.Type !== 'AWS::CloudFront::Function') {
      throw new CloudFrontEmulationError(
        `${where} points at ${logicalId}, a ${resource.Type}, not a CloudFront Function`,
      );
    }
    const properties = resource.Properties ?? {};
    const config = (properties.FunctionConfig ?? {}) as Config;
    const runtime = String(config.Runtime ?? 'cloudfront-js-1.0');
    if (runtime !== 'cloudfront-js-1.0' && runtime !== 'cloudfront-js-2.0') {
      throw new CloudFrontEmulationError(
        `${logicalId} has the runtime ${runtime}, which the emulation does not know`,
      );
    }
    const keyValueStores = ((config.KeyValueStoreAssociations ?? []) as Config[]).map((association, i) =>
      this.keyValueStore(
        association.KeyValueStoreARN,
        `${logicalId}.FunctionConfig.KeyValueStoreAssociations[${i}]`,
      ),
    );
    const model: CloudFrontFunctionModel = {
      logicalId,
      name: String(properties.Name ?? logicalId),
      runtime,
      code: this.resolver.resolveString(properties.FunctionCode, `${logicalId}.FunctionCode`),
      keyValueStores,
    };
    this.functions.set(logicalId, model);
    return model;
  }

  private keyValueStore(arn: unknown, where: string): KeyValueStoreModel {
    const logicalId = (arn as { 'Fn::GetAtt'?: unknown[] } | undefined)?.['Fn::GetAtt']?.[0];
    if (
      typeof logicalId !== 'string' ||
      this.resolver.resource(logicalId, where).Type !== 'AWS::CloudFront::KeyValueStore'
    ) {
      throw new CloudFrontEmulationError(
        `${where} must point at an AWS::CloudFront::KeyValueStore of the template, got ${JSON.stringify(arn)}`,
      );
    }
    const properties = this.resolver.resource(logicalId, where).Properties ?? {};
    const entries = new Map<string, string>();
    const source = properties.ImportSource as Config | undefined;
    if (source !== undefined) {
      const sourceArn = this.resolver.resolveString(source.SourceArn, `${logicalId}.ImportSource.SourceArn`);
      const file = assetForS3Key(this.resolver.stack, sourceArn);
      if (file === undefined) {
        throw new CloudFrontEmulationError(
          `${logicalId} imports its data from ${sourceArn}, which is not an asset of the cloud assembly`,
        );
      }
      const data = JSON.parse(readFileSync(file, 'utf8')) as { data?: { key: string; value: string }[] };
      for (const { key, value } of data.data ?? []) entries.set(key, value);
    }
    return {
      logicalId,
      id: this.resolver.keyValueStoreId(logicalId),
      arn: this.resolver.getAtt(logicalId, 'Arn', where),
      entries,
    };
  }

  // A Lambda@Edge association names a function version; the emulation runs the function it belongs to.
  private edgeFunction(arn: unknown, where: string): string {
    const versionId = (arn as { Ref?: unknown } | undefined)?.Ref;
    const version =
      typeof versionId === 'string' ? this.resolver.stack.template.Resources[versionId] : undefined;
    const functionId = (version?.Properties?.FunctionName as { Ref?: unknown } | undefined)?.Ref;
    if (version?.Type !== 'AWS::Lambda::Version' || typeof functionId !== 'string') {
      throw new CloudFrontEmulationError(
        `${where} must be the Ref of an AWS::Lambda::Version of a function in this template (a Lambda@Edge function deployed in another stack cannot be emulated), got ${JSON.stringify(arn)}`,
      );
    }
    if (this.resolver.resource(functionId, where).Type !== 'AWS::Lambda::Function') {
      throw new CloudFrontEmulationError(`${where}: ${functionId} is not an AWS::Lambda::Function`);
    }
    return functionId;
  }
}
