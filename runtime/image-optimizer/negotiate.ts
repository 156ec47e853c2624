import type { ImageFormat } from './config';

/*
 * Output format negotiation. CloudFront cannot key its cache on the raw `Accept` header sensibly
 * (every browser version sends a different one), so the image behaviour's viewer-request
 * CloudFront Function (lib/private/cloudfront-functions/image-viewer-request.js) reduces it to this header — `avif`,
 * `webp` or `original` — and the cache policy keys on that. The function and this module implement
 * the same rule (a test checks they agree):
 *
 *   the first of the configured formats that `Accept` names explicitly with a quality above 0.
 *
 * Wildcards (`image/*`, `* /*`) do not count: a client that sends only them — `fetch()`, curl,
 * an old browser — may not decode AVIF or WebP, and gets the source's own format.
 */

/** Request header with the negotiated format, set by the CDN's image viewer-request function. */
export const IMAGE_FORMAT_HEADER = 'x-vfa-image-format';

/** A negotiated output: a modern format, or `original` for the source's own. */
export type NegotiatedFormat = 'avif' | 'webp' | 'original';

/** The first of `formats` that `accept` names explicitly with q > 0, else `original`. */
export function negotiateFormat(
  accept: string | null | undefined,
  formats: readonly ImageFormat[],
): NegotiatedFormat {
  const accepted = acceptedTypes(accept ?? '');
  const match = formats.find((format) => accepted.has(format));
  return match === undefined ? 'original' : (match.slice('image/'.length) as NegotiatedFormat);
}

/**
 * The format for a request: the CDN's header when it names a format the configuration allows,
 * else negotiated from `Accept` (requests that did not come through the CDN: the dev server, tests).
 */
export function requestFormat(headers: Headers, formats: readonly ImageFormat[]): NegotiatedFormat {
  const fromCdn = headers.get(IMAGE_FORMAT_HEADER);
  if (fromCdn === 'original') return 'original';
  if ((fromCdn === 'avif' || fromCdn === 'webp') && formats.includes(`image/${fromCdn}`)) return fromCdn;
  return negotiateFormat(headers.get('accept'), formats);
}

function acceptedTypes(accept: string): Set<string> {
  const types = new Set<string>();
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    if (!type) continue;
    const q = params.find((param) => /^q\s*=/.test(param));
    if (q !== undefined && !(Number.parseFloat(q.slice(q.indexOf('=') + 1)) > 0)) continue;
    types.add(type);
  }
  return types;
}
