import type { Metadata } from 'sharp';
import { ImageRequestError } from '../errors';
import type { ImageType } from './image-type';

/*
 * How much memory decoding a source takes, checked from its header before any pixel is decoded.
 * A source's bytes say little: a flat 16383 × 16383 interlaced 16-bit PNG is a few MB and decodes
 * to 2 GB, which kills a 1,536 MB function — one small upload would take the optimizer down.
 *
 * libvips streams most sources a few lines at a time through the resize (non-interlaced PNG,
 * baseline JPEG, WebP: ~200 MB RSS at most for 16383 × 16383), but some it can only decode whole,
 * and those cost width × height × bytes per pixel (measured RSS within ~15 % above the estimate).
 */

/** sharp's own default `limitInputPixels` (16383 × 16383), checked here to answer 413 naming it. */
const MAX_INPUT_PIXELS = 0x3fff * 0x3fff;

/**
 * The share of the function's memory one whole-image decode may take. The rest holds Node, the
 * source and the output buffers, and libvips' working regions and encoder.
 */
const DECODE_MEMORY_SHARE = 0.5;

/** Lambda's memory setting, in MB, which it sets for every function. */
const MEMORY_ENV = 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE';

const MB = 1024 * 1024;

/**
 * Throws a 413 when the source has more pixels than sharp accepts, or when decoding it whole
 * would take more than half of the function's memory (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`; no
 * bound when it is unset: the dev server and tests run on the machine's memory).
 */
export function checkDecodeBudget(metadata: Metadata, type: ImageType): void {
  const { width, height } = metadata;
  if (width * height > MAX_INPUT_PIXELS) {
    throw new ImageRequestError(
      413,
      `The source image is too large to optimize: ${width} × ${height} pixels, more than 16383 × 16383`,
    );
  }
  const memoryMb = functionMemoryMb();
  const cost = wholeDecodeBytes(metadata, type);
  if (memoryMb !== undefined && cost > memoryMb * MB * DECODE_MEMORY_SHARE) {
    throw new ImageRequestError(
      413,
      `The source image is too large to optimize: decoding its ${width} × ${height} pixels takes ` +
        `about ${Math.ceil(cost / MB)} MB, more than half of the function's ${memoryMb} MB (memorySize)`,
    );
  }
}

/** Bytes libvips holds at once to decode the source whole; 0 for sources it streams. */
function wholeDecodeBytes(metadata: Metadata, type: ImageType): number {
  const pixels = metadata.width * metadata.height;
  const pixelBytes = metadata.channels * bytesPerSample(metadata.depth);
  // libnsgif decodes a GIF frame into an RGBA canvas, whatever the palette.
  if (type === 'gif') return pixels * 4;
  // Progressive JPEG: libjpeg keeps every 16-bit DCT coefficient of the image until the last scan,
  // shrink-on-load or not (counted without chroma subsampling: at most twice too high).
  if (type === 'jpeg' && metadata.isProgressive) return pixels * metadata.channels * 2;
  // Adam7 interlacing spreads every row over seven passes; libheif decodes AVIF whole.
  if ((type === 'png' && metadata.isProgressive) || type === 'avif') return pixels * pixelBytes;
  // Rotating or flipping to the EXIF orientation needs the whole image.
  if ((metadata.orientation ?? 1) > 1) return pixels * pixelBytes;
  return 0;
}

function bytesPerSample(depth: string | undefined): number {
  switch (depth) {
    case 'ushort':
    case 'short':
      return 2;
    case 'uint':
    case 'int':
    case 'float':
      return 4;
    case 'double':
    case 'complex':
      return 8;
    case 'dpcomplex':
      return 16;
    default:
      return 1;
  }
}

function functionMemoryMb(): number | undefined {
  const value = process.env[MEMORY_ENV];
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9]\d*$/.test(value)) {
    throw new RangeError(`${MEMORY_ENV} must be the function's memory in whole MB; got "${value}"`);
  }
  return Number(value);
}
