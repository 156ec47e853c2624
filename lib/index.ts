export { type AddFunctionOptions, Cdn, type CdnProps, type CdnRoutingRules } from './cdn';
export { ConfigurationError } from './errors';
export {
  type ContentDispositionType,
  type ImageFormat,
  type ImageLocalPattern,
  ImageOptimizer,
  type ImageOptimizerProps,
  type ImageRemotePattern,
} from './image-optimizer';
export { InvalidationSweeper, type InvalidationSweeperProps } from './invalidation-sweeper';
export {
  AwsOutboundFederationIssuer,
  type GrantWebIdentityTokensOptions,
  OidcIssuer,
  type OidcIssuerConfig,
  type UrlOidcIssuerOptions,
  type VercelOidcIssuerOptions,
  WebIdentityTokenSigningAlgorithm,
} from './oidc-issuer';
export { OidcRole, type OidcRoleProps } from './oidc-role';
export {
  OriginProtection,
  type OriginProtectionBinding,
  type SecretHeaderOptions,
} from './origin-protection';
export { Routing } from './routing';
export { RuntimeCacheTable, type RuntimeCacheTableProps } from './runtime-cache-table';
export { RuntimeTableBase, type RuntimeTableKeySchema, type RuntimeTableProps } from './runtime-table-base';
export { TagTable, type TagTableProps } from './tag-table';
export { type VercelEnvironment, VercelFunction, type VercelFunctionProps } from './vercel-function';
export { VercelProject, type VercelProjectProps } from './vercel-project';
export { VercelRuntimeBinding, type VercelRuntimeBindingProps } from './vercel-runtime-binding';
