// The local CloudFront emulation, built from a synthesized template (see README "Local development"
// and "Testing"). Export-only.
export { type CacheLifetime, cacheLifetime, parseCacheControl } from './cache-lifetime';
export {
  type AssemblyStack,
  assetForS3Key,
  type CfnResource,
  type CfnTemplate,
  readAssemblyStack,
} from './cloud-assembly';
export {
  CloudFrontFunctionError,
  CloudFrontFunctionRunner,
  type FunctionOutcome,
} from './cloudfront-function';
export {
  type AccessLogEntry,
  EmulatedDistribution,
  type EmulatedDistributionOptions,
  type InvalidationSource,
} from './distribution';
export {
  type BehaviorModel,
  type CloudFrontFunctionModel,
  type DistributionModel,
  type EdgeFunctionAssociation,
  type KeyValueStoreModel,
  type OriginModel,
  readDistribution,
} from './distribution-model';
export { type CachedObject, type CacheHit, EdgeCache } from './edge-cache';
export { inProcessEdgeFunctions } from './edge-functions';
export { CloudFrontEmulationError } from './errors';
export type { FunctionEvent, FunctionRequest, FunctionResponse } from './function-event';
export {
  type FunctionUrlInvocation,
  type FunctionUrlServer,
  type FunctionUrlServerOptions,
  type FunctionUrlTarget,
  startFunctionUrlServer,
} from './function-url-server';
export { type EdgeFunctionInvoker, type OriginRequest, originRequestEvent } from './lambda-edge';
export {
  authorizeFunctionUrlRequest,
  createSigningCredentials,
  type SigningCredentials,
  signOriginRequest,
} from './origin-access';
export { httpOriginTransport, type OriginResponse, type OriginTransport } from './origin-transport';
export {
  type CloudFrontEmulation,
  type CloudFrontEmulationOptions,
  startCloudFrontEmulation,
} from './server';
export { type LocalBindings, StackResolver } from './stack-resolver';
export {
  type FunctionUrlModel,
  type LambdaFunctionModel,
  readFunctionUrls,
  readLambdaFunction,
  readTables,
  resolveEnvironment,
  type TableModel,
} from './stack-resources';
export { identifyViewer, VIEWER_LOCATION_HEADERS, type Viewer } from './viewer';
export { pathPatternMatches } from './viewer-request';
