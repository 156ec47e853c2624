/**
 * The image optimizer behind `/_vercel/image` (the `ImageOptimizer` construct deploys it).
 * Export-only file; `lambda.ts` is the Lambda entry.
 */

export { ImageRequestError, InvalidImageOptimizerConfigError, SourceAddressError } from '../errors';
export {
  type ContentDispositionType,
  DEFAULT_CONTENT_SECURITY_POLICY,
  DEFAULT_IMAGE_SIZES,
  DEFAULT_MAXIMUM_RESPONSE_BODY,
  DEFAULT_MINIMUM_CACHE_TTL,
  DEFAULT_QUALITY,
  IMAGE_OPTIMIZER_CONFIG_ENV,
  type ImageFormat,
  type ImageOptimizerConfig,
  type ImageOptimizerConfigInput,
  imageOptimizerConfigFromEnv,
  type LocalPattern,
  type RemotePattern,
  resolveImageOptimizerConfig,
  serializeImageOptimizerConfig,
} from './config';
export { createImageOptimizerHandler, type ImageOptimizerHandlerOptions } from './handler';
export { IMAGE_FORMAT_HEADER, type NegotiatedFormat, negotiateFormat } from './negotiate';
export { optimizeImage } from './optimize';
