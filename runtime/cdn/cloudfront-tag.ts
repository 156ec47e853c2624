import { InvalidCacheTagError, InvalidSrcImageError } from '../errors';

/*
 * The one mapping from a Vercel cache tag to a CloudFront cache tag. Responses are tagged with it
 * and invalidations name it, so both sides must use exactly this function.
 *
 * CloudFront's rules (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-tags.html):
 * visible ASCII (33–126) without commas, at most 256 characters, no `*` wildcard, compared
 * case-insensitively. Vercel's: any Unicode without commas, at most 256 bytes of UTF-8. So:
 *
 * - ASCII letters are lower-cased. CloudFront would treat `Foo` and `foo` as one tag anyway;
 *   folding here makes the canonical form the identity CloudFront uses, so de-duplication, the
 *   50-tags-per-object count and the tag table's overflow rows agree with CloudFront.
 * - Visible ASCII other than `%`, `,` and `*` is kept as it is, so typical tags (`product:42`,
 *   `blog/posts`) read the same in the CloudFront console.
 * - Everything else is percent-encoded byte by byte as UTF-8 (`é` → `%c3%a9`, space → `%20`),
 *   `%` itself included (`%25`), so an encoded tag cannot be confused with a literal one.
 *   A lone UTF-16 surrogate (no UTF-8 form) becomes `%u` + its four hex digits.
 * - A result longer than 256 characters keeps a readable prefix and ends in `%~` + the SHA-256
 *   of the whole encoded form (64 hex digits).
 *
 * Hence: two tags map to the same CloudFront tag if and only if they are equal after lower-casing
 * ASCII letters A–Z (barring a SHA-256 collision between two over-long tags). "Except by case"
 * therefore means exactly ASCII case: `Product` and `product` are one tag on AWS — invalidating
 * either evicts responses tagged with the other (an extra cache miss, never a stale hit) — while
 * `É` and `é`, which differ in their UTF-8 bytes, stay distinct. Markers `%~`, `%!` and `%u` are
 * never produced by the byte encoding (`%` is always followed by two hex digits there), which
 * keeps the plain, hashed and source-image forms apart.
 */

/** CloudFront's maximum length of a cache tag. */
export const CLOUDFRONT_TAG_MAX_LENGTH = 256;

/** How many tags CloudFront stores per cached object; it silently ignores the rest. */
export const CLOUDFRONT_MAX_TAGS_PER_OBJECT = 50;

const HASH_MARKER = '%~';
const SRC_IMAGE_MARKER = '%!';
const HASH_HEX_LENGTH = 64;
const PATH_BASE_HOST = 'source.invalid';

/**
 * Maps a Vercel cache tag to the CloudFront cache tag that stands for it: the value written into
 * the `Vercel-Cache-Tag` response header and, prefixed with `#`, the `CreateInvalidation` item.
 * Pure and deterministic; see the comment at the top of this file for the encoding.
 *
 * @throws InvalidCacheTagError when `tag` is not a non-empty string.
 * @example
 * ```ts
 * toCloudFrontTag('Product:42'); // 'product:42'
 * toCloudFrontTag('café au lait'); // 'caf%c3%a9%20au%20lait'
 * ```
 */
export function toCloudFrontTag(tag: string): string {
  if (typeof tag !== 'string' || tag.length === 0) {
    throw new InvalidCacheTagError(`A cache tag must be a non-empty string, got ${describe(tag)}`);
  }
  return fitLength('', encode(tag));
}

/**
 * The CloudFront cache tag the image optimizer puts on every transformed variant of a source
 * image, and that `invalidateBySrcImage(src)` / `dangerouslyDeleteBySrcImage(src)` invalidate.
 * Distinct from every tag {@link toCloudFrontTag} can produce (it starts with `%!`), so a user tag
 * can never evict images by accident.
 *
 * `src` is the optimizer's `url` parameter: a path (`/images/a.png`) or an absolute http(s) URL.
 * Both are normalised like a URL parser does (`/a b.png` and `/a%20b.png` are the same source;
 * the host of an absolute URL is lower-cased), so equivalent spellings share one tag.
 *
 * @throws InvalidSrcImageError when `src` is neither a path starting with `/` nor an http(s) URL.
 * @example
 * ```ts
 * toSrcImageCloudFrontTag('/images/Hero.png'); // '%!/images/hero.png'
 * ```
 */
export function toSrcImageCloudFrontTag(src: string): string {
  return fitLength(SRC_IMAGE_MARKER, encode(normalizeSrcImage(src)));
}

/**
 * Whether `value` is a tag CloudFront accepts: 1–256 visible ASCII characters, no comma, no `*`.
 * (CloudFront allows upper-case letters too; {@link toCloudFrontTag} never produces them.)
 */
export function isCloudFrontTag(value: string): boolean {
  return /^[!-+\--~]{1,256}$/.test(value) && !value.includes('*');
}

function normalizeSrcImage(src: string): string {
  if (typeof src !== 'string' || src.trim() === '') {
    throw new InvalidSrcImageError(`A source image must be a non-empty path or URL, got ${describe(src)}`);
  }
  const value = src.trim();
  if (value.startsWith('/') && !value.startsWith('//')) {
    // A URL parser also reads `\` as `/`; a path it would turn into another host stays as it is.
    const url = URL.parse(value, `http://${PATH_BASE_HOST}`);
    return url?.host === PATH_BASE_HOST ? `${url.pathname}${url.search}` : value;
  } else {
    const url = URL.parse(value);
    if (url && (url.protocol === 'https:' || url.protocol === 'http:')) return url.href;
  }
  throw new InvalidSrcImageError(
    `A source image must be a path starting with "/" or an absolute http(s) URL, got ${JSON.stringify(src)}`,
  );
}

const encoder = new TextEncoder();

function encode(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x41 && code <= 0x5a) {
      out += String.fromCharCode(code + 0x20);
    } else if (code >= 0x21 && code <= 0x7e && code !== 0x25 && code !== 0x2a && code !== 0x2c) {
      out += value[i];
    } else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(value.charCodeAt(i + 1))) {
      out += percentEncode(value.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += `%u${code.toString(16)}`;
    } else {
      out += percentEncode(value[i]);
    }
  }
  return out;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function percentEncode(chars: string): string {
  let out = '';
  for (const byte of encoder.encode(chars)) out += `%${byte.toString(16).padStart(2, '0')}`;
  return out;
}

function fitLength(marker: string, encoded: string): string {
  const whole = marker + encoded;
  if (whole.length <= CLOUDFRONT_TAG_MAX_LENGTH) return whole;
  // Loaded here, not imported: node:crypto takes ~4–5 ms to load (measured on Node 24), a cost every
  // cold start would pay although only over-long tags need it.
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256').update(whole).digest('hex');
  let prefixLength = CLOUDFRONT_TAG_MAX_LENGTH - HASH_MARKER.length - HASH_HEX_LENGTH;
  // Keep escapes whole in the readable prefix (`%c3` or `%ud800`, never a dangling `%c`).
  const lastEscape = whole.lastIndexOf('%', prefixLength - 1);
  if (lastEscape !== -1 && lastEscape >= prefixLength - 5) {
    const escapeLength = whole[lastEscape + 1] === 'u' ? 6 : 3;
    if (lastEscape + escapeLength > prefixLength) prefixLength = lastEscape;
  }
  return `${whole.slice(0, prefixLength)}${HASH_MARKER}${hash}`;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}
