export { type AdapterFeatureOptions, adapterDefines } from './adapter-defines';
export { type AdapterEntryOptions, adapterEntrySource } from './adapter-entry';
export { projectAliases, type VercelPackageAliasOptions, vercelPackageAliases } from './aliases';
export { type BundleFunctionOptions, type BundleFunctionResult, bundleFunction } from './bundle';
export { BundlingError } from './errors';
export { projectAliasArgs, vercelBundling } from './nodejs-bundling';
export { projectHasOwnVercelPackage } from './project-package';
export { runtimeModulePath } from './runtime-path';
