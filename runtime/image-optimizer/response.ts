import { createHash } from 'node:crypto';
import { toSrcImageCloudFrontTag } from '../cdn/cloudfront-tag';
import { CACHE_TAG_HEADER } from '../constructs-contract';
import type { ImageOptimizerConfig } from './config';
import type { OutputImage } from './transform';

// CloudFront caps an object's TTL at the cache policy's maximum, a year here.
const MAX_TTL_SECONDS = 31_536_000;

/**
 * The response for one optimized variant:
 *
 * - `Vercel-Cache-Tag`: the canonical CloudFront tag of the source (`toSrcImageCloudFrontTag`),
 *   written as is — it is already a CloudFront tag, and the adapter's tag encoding would change it —
 *   so `invalidateBySrcImage(src)` evicts every width, quality and format in one tag invalidation.
 * - `Cache-Control: public, max-age=<ttl>, immutable`: `ttl` is `minimumCacheTTL`, or the source's
 *   own `s-maxage`/`max-age` when longer, as Vercel does. CloudFront caches by it; invalidation is
 *   how a changed source reaches the CDN sooner. A `fallback` (the source served unoptimized) gets
 *   `minimumCacheTTL` alone, as in Next.js, so the CDN does not keep a failed optimization for as
 *   long as the source's own TTL would allow.
 * - `Vary: Accept`, for caches that key on the raw header (CloudFront keys on the negotiated
 *   format instead), plus Next.js's protective headers: a sandboxing CSP, `nosniff`, and
 *   `Content-Disposition` with a file name.
 */
export function imageResponse(
  image: OutputImage,
  context: {
    readonly src: string;
    readonly sourceCacheControl: string | undefined;
  },
  config: Pick<ImageOptimizerConfig, 'minimumCacheTTL' | 'contentSecurityPolicy' | 'contentDispositionType'>,
): Response {
  const ttl = Math.min(
    image.fallback
      ? config.minimumCacheTTL
      : Math.max(config.minimumCacheTTL, maxAgeOf(context.sourceCacheControl)),
    MAX_TTL_SECONDS,
  );
  const etag = createHash('sha256').update(image.bytes).digest('base64url').slice(0, 27);
  // A copy on a plain ArrayBuffer: the Response takes ownership of what it is given.
  return new Response(new Uint8Array(image.bytes), {
    status: 200,
    headers: {
      'content-type': image.contentType,
      'cache-control': `public, max-age=${ttl}, immutable`,
      vary: 'Accept',
      etag: `"${etag}"`,
      [CACHE_TAG_HEADER.toLowerCase()]: toSrcImageCloudFrontTag(context.src),
      'content-security-policy': config.contentSecurityPolicy,
      'content-disposition': `${config.contentDispositionType}; filename="${fileName(context.src, image.extension)}"`,
      'x-content-type-options': 'nosniff',
    },
  });
}

/** A refusal or failure: plain text, never cached (the next request may well succeed). */
export function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(`${message}\n`, {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    },
  });
}

/** Seconds from a `Cache-Control`'s `s-maxage`, else `max-age`; 0 without either. */
export function maxAgeOf(cacheControl: string | undefined): number {
  if (!cacheControl) return 0;
  const directives = new Map<string, string>();
  for (const part of cacheControl.split(',')) {
    const [name, value = ''] = part.split('=', 2).map((token) => token.trim());
    if (name) directives.set(name.toLowerCase(), value.replace(/^"(.*)"$/, '$1'));
  }
  const raw = directives.get('s-maxage') ?? directives.get('max-age');
  const seconds = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : 0;
  return Number.isSafeInteger(seconds) ? seconds : 0;
}

// `/images/hero.png` → `hero.webp`; only characters that need no quoting in a header parameter.
function fileName(src: string, extension: string): string {
  const path = src.split(/[?#]/, 1)[0];
  const base = decodeSafely(path.slice(path.lastIndexOf('/') + 1));
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  const safe = stem.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'image';
  return `${safe}.${extension}`;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
