import { readFileSync } from 'node:fs';
import type { ImageFormat } from '../../runtime/image-optimizer/config';
import { MAX_FUNCTION_CODE_BYTES } from './cloudfront-function-code';
import { privateSourceFile } from './source-file';

// The shared viewer-request sanitising every function behaviour runs, then the image optimizer's own part.
const FILES = ['image-viewer-request.js', 'cloudfront-functions/shared/sanitize-request.js'];
const FORMATS_PLACEHOLDER = "'__VFA_IMAGE_FORMATS__'";

/**
 * The code of the image behaviour's viewer-request CloudFront Function, as deployed: its files
 * concatenated without whole-line comments (CloudFront counts them toward its 10 KB), with the
 * configured formats (`'avif,webp'`) filled in.
 */
export function imageViewerRequestSource(formats: readonly ImageFormat[]): string {
  const code = FILES.map((file) => withoutLineComments(readFileSync(privateSourceFile(file), 'utf8'))).join(
    '\n',
  );
  if (code.split(FORMATS_PLACEHOLDER).length !== 2) {
    throw new Error(`image-viewer-request.js must contain ${FORMATS_PLACEHOLDER} exactly once`);
  }
  const names = formats.map((format) => format.slice('image/'.length)).join(',');
  const source = code.replace(FORMATS_PLACEHOLDER, () => `'${names}'`);
  if (Buffer.byteLength(source) > MAX_FUNCTION_CODE_BYTES) {
    throw new Error(
      `The image viewer-request function is ${Buffer.byteLength(source)} bytes; CloudFront allows ${MAX_FUNCTION_CODE_BYTES}`,
    );
  }
  return source;
}

function withoutLineComments(source: string): string {
  return `${source
    .split('\n')
    .filter((line) => !/^\s*\/\//.test(line))
    .join('\n')
    .trim()}\n`;
}
