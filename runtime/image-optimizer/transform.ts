import sharp from 'sharp';
import { ImageRequestError } from '../errors';
import { CONTENT_TYPES, type ImageType, isAnimated } from './image-type';
import type { NegotiatedFormat } from './negotiate';

/** An optimized (or passed-through) image. */
export interface OutputImage {
  readonly bytes: Buffer;
  readonly contentType: string;
  /** File extension for `Content-Disposition`. */
  readonly extension: string;
}

/** What to make of a source. */
export interface TransformOptions {
  readonly width: number;
  readonly quality: number;
  readonly format: NegotiatedFormat;
}

// Served as they are, as Vercel does: vector images (rasterising would lose them), icons and
// bitmaps (no gain), and animations (resizing would keep one frame).
const PASS_THROUGH: ReadonlySet<ImageType> = new Set(['svg', 'ico', 'bmp', 'gif']);

/**
 * Resizes `bytes` to `width` (never enlarging), applies the EXIF orientation (and drops the
 * metadata), and encodes it as the negotiated format, or the source's own at `quality`. Sources
 * that are not resized are returned unchanged. A source sharp cannot decode is a 400.
 */
export async function transformImage(
  bytes: Buffer,
  type: ImageType,
  options: TransformOptions,
): Promise<OutputImage> {
  if (PASS_THROUGH.has(type) || isAnimated(bytes, type)) {
    return { bytes, contentType: CONTENT_TYPES[type], extension: type };
  }
  const target: ImageType = options.format === 'original' ? type : options.format;
  try {
    const pipeline = sharp(bytes, { failOn: 'error' })
      .rotate()
      .resize({ width: options.width, withoutEnlargement: true });
    const encoded = await encode(pipeline, target, options.quality).toBuffer();
    return {
      bytes: encoded,
      contentType: CONTENT_TYPES[target],
      extension: target === 'jpeg' ? 'jpg' : target,
    };
  } catch (cause) {
    throw new ImageRequestError(400, "The requested resource isn't a valid image", { cause });
  }
}

function encode(pipeline: sharp.Sharp, type: ImageType, quality: number): sharp.Sharp {
  switch (type) {
    case 'avif':
      // Effort 3 of 9: AVIF encoding is slow, and the CDN caches the result anyway.
      return pipeline.avif({ quality, effort: 3 });
    case 'webp':
      return pipeline.webp({ quality });
    case 'png':
      // As Next.js does: a quality makes sharp quantise to a palette, PNG's only lossy knob.
      return pipeline.png({ quality });
    default:
      return pipeline.jpeg({ quality, mozjpeg: true });
  }
}
