import sharp from 'sharp';
import { ImageRequestError } from '../errors';
import { checkDecodeBudget } from './decode-budget';
import { CONTENT_TYPES, type ImageType, isAnimated } from './image-type';
import type { NegotiatedFormat } from './negotiate';

// libvips' operation cache (up to 50 MB and 100 operations by default) only pays off when the same
// image is processed again, which a function behind a CDN cache never does: it is memory taken
// from the decode budget (decode-budget.ts). One libvips thread: Lambda gives a 1,536 MB function
// less than one vCPU (one at 1,769 MB), so more threads add per-thread buffers, not speed; it is
// also sharp's own default on glibc Linux, set here so VIPS_CONCURRENCY cannot change it.
sharp.cache(false);
sharp.concurrency(1);

/** An optimized (or passed-through) image. */
export interface OutputImage {
  readonly bytes: Buffer;
  readonly contentType: string;
  /** File extension for `Content-Disposition`. */
  readonly extension: string;
  /**
   * `true` when these are the source's bytes because sharp read the source but could not encode
   * the result (a WebP or AVIF taller than the format allows): served as Next.js serves them, for
   * `minimumCacheTTL` only.
   */
  readonly fallback?: boolean;
}

/** What to make of a source. */
export interface TransformOptions {
  readonly width: number;
  readonly quality: number;
  readonly format: NegotiatedFormat;
}

// Served as they are, as Vercel does: vector images (rasterising would lose them), icons and
// bitmaps (no gain). Animations too, below (resizing would keep one frame); a single-frame GIF is
// resized like any other image.
const PASS_THROUGH: ReadonlySet<ImageType> = new Set(['svg', 'ico', 'bmp']);

/**
 * Resizes `bytes` to `width` (never enlarging), applies the EXIF orientation (and drops the
 * metadata), and encodes it as the negotiated format, or the source's own at `quality`. Sources
 * that are not resized are returned unchanged. When that fails, a source sharp can decode is
 * returned unchanged too (`fallback`), as Next.js does: an 800 × 20000 infographic is a valid image
 * even though WebP stops at 16383 pixels. A source sharp cannot decode is a 400; one too large to
 * decode within the function's memory, a 413 (decode-budget.ts).
 */
export async function transformImage(
  bytes: Buffer,
  type: ImageType,
  options: TransformOptions,
): Promise<OutputImage> {
  if (PASS_THROUGH.has(type)) return unchanged(bytes, type);
  const metadata = await readMetadata(bytes);
  if (isAnimated(bytes, type, metadata.pages)) return unchanged(bytes, type);
  checkDecodeBudget(metadata, type);
  const target: ImageType = options.format === 'original' ? type : options.format;
  try {
    const pipeline = sharp(bytes, { failOn: 'error' })
      .rotate()
      .resize({ width: options.width, withoutEnlargement: true });
    const encoded = await encode(pipeline, target, options.quality).toBuffer();
    return { bytes: encoded, contentType: CONTENT_TYPES[target], extension: extensionOf(target) };
  } catch (cause) {
    if (!(await isDecodable(bytes, options.width))) {
      throw new ImageRequestError(400, "The requested resource isn't a valid image", { cause });
    }
    return { bytes, contentType: CONTENT_TYPES[type], extension: extensionOf(type), fallback: true };
  }
}

function unchanged(bytes: Buffer, type: ImageType): OutputImage {
  return { bytes, contentType: CONTENT_TYPES[type], extension: extensionOf(type) };
}

// The header only: sizes, depth, interlacing, frames. Without sharp's pixel limit, which
// checkDecodeBudget applies with a 413 naming it.
async function readMetadata(bytes: Buffer): Promise<sharp.Metadata> {
  try {
    return await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new ImageRequestError(400, "The requested resource isn't a valid image", { cause });
  }
}

// Only asked once the pipeline failed, to tell a broken source from an output sharp cannot encode:
// the same decode and resize, to raw pixels, so every pixel is read (a truncated or corrupt source
// fails) and nothing is encoded. At the pipeline's size, never the source's: a JPEG or WebP decoded
// at full size (`stats()`) costs what decode-budget.ts counts as free because the resize shrinks it
// on load; a corrupt 10 KB WebP of 16383² pixels took 1.27 GB that way.
async function isDecodable(bytes: Buffer, width: number): Promise<boolean> {
  try {
    await sharp(bytes, { failOn: 'error' })
      .rotate()
      .resize({ width, withoutEnlargement: true })
      .raw()
      .toBuffer();
    return true;
  } catch {
    return false;
  }
}

function extensionOf(type: ImageType): string {
  return type === 'jpeg' ? 'jpg' : type;
}

function encode(pipeline: sharp.Sharp, type: ImageType, quality: number): sharp.Sharp {
  switch (type) {
    case 'avif':
      // Effort 3 of 9: AVIF encoding is slow, and the CDN caches the result anyway.
      return pipeline.avif({ quality, effort: 3 });
    case 'webp':
      return pipeline.webp({ quality });
    case 'gif':
      return pipeline.gif();
    case 'png':
      // As Next.js does: a quality makes sharp quantise to a palette, PNG's only lossy knob.
      return pipeline.png({ quality });
    default:
      return pipeline.jpeg({ quality, mozjpeg: true });
  }
}
