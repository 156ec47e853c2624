import type { ImageFormat } from '../../runtime/image-optimizer/config';
import { cloudFrontFunctionSource } from './cloudfront-function-code';

/**
 * The code of the image behaviour's viewer-request CloudFront Function, as deployed, with the
 * configured formats (`'avif,webp'`) filled in.
 */
export function imageViewerRequestSource(formats: readonly ImageFormat[]): string {
  const names = formats.map((format) => format.slice('image/'.length)).join(',');
  return cloudFrontFunctionSource('image-viewer-request', { __VFA_IMAGE_FORMATS__: names });
}
