import { ImageRequestError } from '../errors';
import { DEFAULT_QUALITY, type ImageOptimizerConfig } from './config';
import { isOptimizerPath } from './paths';

/** A validated `/_vercel/image?url=…&w=…&q=…` request. */
export interface ImageParams {
  /** The `url` parameter as sent: the source whose cache tag every variant carries. */
  readonly src: string;
  /** A local source: the path and query to fetch from the deployment; else `undefined`. */
  readonly localPath?: string;
  /** A remote source's URL; else `undefined`. */
  readonly remoteUrl?: URL;
  readonly width: number;
  readonly quality: number;
}

const LOCAL_BASE = 'http://local.invalid';

/**
 * Reads and validates `url`, `w` and `q` as Vercel does; every problem is an `ImageRequestError`
 * with status 400 naming the parameter. Whether the source is allowed is checked when it is
 * fetched, for every redirect too.
 */
export function parseImageParams(
  searchParams: URLSearchParams,
  config: Pick<ImageOptimizerConfig, 'sizes' | 'qualities'>,
): ImageParams {
  const src = single(searchParams, 'url', '"url" parameter');
  if (src === undefined || src === '') throw badRequest('"url" parameter is required');
  const source = parseSource(src);
  return { src, ...source, width: width(searchParams, config), quality: quality(searchParams, config) };
}

/**
 * A local path (`/images/a.png`, resolved as a URL parser would — `/a/../b` is `/b`) or an absolute
 * http(s) URL; anything else is refused, and so is either one under an optimizer path
 * (`isOptimizerPath`; `sourcePolicy` checks every redirect the same way).
 */
export function parseSource(src: string): Pick<ImageParams, 'localPath' | 'remoteUrl'> {
  if (src.startsWith('//')) throw badRequest('"url" parameter cannot be a protocol-relative URL (//)');
  if (src.startsWith('/')) {
    const url = URL.parse(src, LOCAL_BASE);
    // `/\evil.example` parses as `//evil.example`: a path that names another host is not local.
    if (!url || url.origin !== LOCAL_BASE) throw badRequest('"url" parameter is invalid');
    if (isOptimizerPath(url.pathname)) throw badRequest('"url" parameter cannot be recursive');
    return { localPath: `${url.pathname}${url.search}` };
  }
  const url = URL.parse(src);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw badRequest('"url" parameter is invalid: expected a path starting with "/" or an http(s) URL');
  }
  if (isOptimizerPath(url.pathname)) throw badRequest('"url" parameter cannot be recursive');
  return { remoteUrl: url };
}

function width(searchParams: URLSearchParams, config: Pick<ImageOptimizerConfig, 'sizes'>): number {
  const raw = single(searchParams, 'w', '"w" parameter (width)');
  if (raw === undefined || raw === '') throw badRequest('"w" parameter (width) is required');
  const value = wholeNumber(raw);
  if (value === undefined || value <= 0) {
    throw badRequest('"w" parameter (width) must be a whole number greater than 0');
  }
  if (!config.sizes.includes(value)) {
    throw badRequest(
      `"w" parameter (width) of ${value} is not allowed (allowed: ${config.sizes.join(', ')})`,
    );
  }
  return value;
}

function quality(searchParams: URLSearchParams, config: Pick<ImageOptimizerConfig, 'qualities'>): number {
  const raw = single(searchParams, 'q', '"q" parameter (quality)');
  if (raw === undefined || raw === '') return defaultQuality(config.qualities);
  const value = wholeNumber(raw);
  if (value === undefined || value < 1 || value > 100) {
    throw badRequest('"q" parameter (quality) must be a whole number from 1 to 100');
  }
  if (config.qualities && !config.qualities.includes(value)) {
    throw badRequest(
      `"q" parameter (quality) of ${value} is not allowed (allowed: ${config.qualities.join(', ')})`,
    );
  }
  return value;
}

// Without `q`: 75, or the allowed quality closest to it (the lower one on a tie).
function defaultQuality(qualities: readonly number[] | undefined): number {
  if (!qualities) return DEFAULT_QUALITY;
  return qualities.reduce((best, q) =>
    Math.abs(q - DEFAULT_QUALITY) < Math.abs(best - DEFAULT_QUALITY) ? q : best,
  );
}

function single(searchParams: URLSearchParams, name: string, label: string): string | undefined {
  const values = searchParams.getAll(name);
  if (values.length > 1) throw badRequest(`${label} cannot be an array`);
  return values[0];
}

function wholeNumber(raw: string): number | undefined {
  return /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
}

function badRequest(message: string): ImageRequestError {
  return new ImageRequestError(400, message);
}
