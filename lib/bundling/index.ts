export { adapterEntrySource } from './adapter-entry';
export { runtimeModulePath, vercelPackageAliases } from './aliases';
export { type BundleFunctionOptions, type BundleFunctionResult, bundleFunction } from './bundle';
export { BundlingError } from './errors';
export { projectHasOwnVercelPackage } from './project-package';
