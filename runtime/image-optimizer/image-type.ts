/*
 * What a source really is, read from its first bytes — never from the upstream `Content-Type`,
 * which a misconfigured or hostile server can set to anything.
 */

/** Source types the optimizer serves. */
export type ImageType = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'svg' | 'ico' | 'bmp';

/** Content types by image type. */
export const CONTENT_TYPES: Readonly<Record<ImageType, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  bmp: 'image/bmp',
};

/** The image type of `bytes`, or `undefined` when they are not an image the optimizer serves. */
export function detectImageType(bytes: Uint8Array): ImageType | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  if (ascii(bytes, 4, 4) === 'ftyp' && ['avif', 'avis'].includes(ascii(bytes, 8, 4))) return 'avif';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'ico';
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length > 14) return 'bmp';
  if (isSvg(bytes)) return 'svg';
  return undefined;
}

/**
 * Whether a raster source has several frames. Animations are served as they are, as Vercel does:
 * resizing would keep only the first frame. `pages` is sharp's frame count (GIF, WebP); libvips
 * reads only the default image of an APNG and the first of an AVIF sequence, so those are told
 * from their bytes.
 */
export function isAnimated(bytes: Uint8Array, type: ImageType, pages: number | undefined): boolean {
  if ((pages ?? 1) > 1) return true;
  switch (type) {
    case 'png':
      return hasPngChunkBeforeData(bytes, 'acTL');
    case 'avif':
      return ascii(bytes, 8, 4) === 'avis';
    default:
      return false;
  }
}

// An APNG has an acTL chunk before its first IDAT.
function hasPngChunkBeforeData(bytes: Uint8Array, chunk: string): boolean {
  let offset = 8;
  while (offset + 8 <= bytes.length) {
    const length =
      ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>>
      0;
    const type = ascii(bytes, offset + 4, 4);
    if (type === chunk) return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    offset += 12 + length;
  }
  return false;
}

function isSvg(bytes: Uint8Array): boolean {
  // An SVG is XML text whose root element is <svg>, possibly after an XML declaration, comments
  // and a doctype; look at the start only.
  const head = new TextDecoder('utf-8', { fatal: false })
    .decode(bytes.subarray(0, 1024))
    .replace(/^\uFEFF/, '');
  const withoutProlog = head.replace(/^\s*(<\?xml[^>]*>\s*)?((<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)\s*)*/i, '');
  return /^<svg[\s>]/i.test(withoutProlog);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  if (bytes.length < offset + length) return '';
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}
