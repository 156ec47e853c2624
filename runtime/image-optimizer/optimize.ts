import { DISTRIBUTION_DOMAIN_HEADER } from '../constructs-contract';
import { ImageRequestError } from '../errors';
import type { ImageOptimizerConfig } from './config';
import { fetchSource, type SourcePolicy } from './fetch-source';
import { detectImageType } from './image-type';
import { requestFormat } from './negotiate';
import { isOptimizerPath, parseImageParams } from './params';
import { isAllowedLocalSource, isAllowedRemoteSource } from './patterns';
import { errorResponse, imageResponse } from './response';
import { transformImage } from './transform';

/**
 * Serves one `/_vercel/image?url=<src>&w=<width>&q=<quality>` request with Vercel's semantics:
 * validates the parameters, fetches the source (a local path from the deployment itself, a remote
 * URL only when `domains`/`remotePatterns` allow it), and answers the image resized to `w` in the
 * format `Accept` allows, tagged with the source's cache tag. Refusals and source failures are
 * plain-text responses with the status the problem calls for (400, 404, 413, 502, ...); anything
 * else (a bug) rejects, and the handler answers 500.
 *
 * Local sources: fetched from `config.localOrigin` when set (dev server, tests), else from
 * `https://<distribution domain>` — the `*.cloudfront.net` name the CDN puts in
 * `x-vfa-distribution-domain` (viewers cannot set it: the CDN strips `x-vfa-*` from their
 * requests). So a local image is fetched exactly as a viewer would get it, through the same
 * distribution and its cache, whatever `Host` the viewer used; the optimizer never fetches a host
 * the request names.
 *
 * @example
 * ```ts
 * import { optimizeImage, resolveImageOptimizerConfig } from 'vercel-functions-aws/runtime/image-optimizer';
 *
 * const config = resolveImageOptimizerConfig({ localOrigin: 'http://localhost:3000' });
 * const response = await optimizeImage(new Request('http://localhost:3000/_vercel/image?url=/a.png&w=640'), config);
 * ```
 */
export async function optimizeImage(request: Request, config: ImageOptimizerConfig): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return errorResponse(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
  }
  try {
    const params = parseImageParams(new URL(request.url).searchParams, config);
    const format = requestFormat(request.headers, config.formats);
    let sourceUrl: URL;
    let localOrigin: string | undefined;
    if (params.localPath !== undefined) {
      localOrigin = localOriginOf(request, config);
      sourceUrl = new URL(params.localPath, localOrigin);
    } else {
      sourceUrl = params.remoteUrl!;
    }
    const source = await fetchSource(sourceUrl, sourcePolicy(config, localOrigin), {
      maxBytes: config.maximumResponseBody,
      allowLocalIP: config.dangerouslyAllowLocalIP,
    });
    const type = detectImageType(source.bytes);
    if (type === undefined) throw new ImageRequestError(400, "The requested resource isn't a valid image");
    if (type === 'svg' && !config.dangerouslyAllowSVG) {
      throw new ImageRequestError(
        400,
        '"url" parameter is valid but the source is an SVG, which the optimizer serves only with dangerouslyAllowSVG',
      );
    }
    const image = await transformImage(source.bytes, type, {
      width: params.width,
      quality: params.quality,
      format,
    });
    return imageResponse(image, { src: params.src, sourceCacheControl: source.cacheControl }, config);
  } catch (error) {
    if (error instanceof ImageRequestError) return errorResponse(error.statusCode, error.message);
    throw error;
  }
}

/**
 * The rule for the source and every redirect: the deployment's own origin is local (local
 * patterns, never the optimizer itself); anything else is remote and must match `domains` or
 * `remotePatterns`. Only requests for a local source have a local origin; a remote source that
 * redirects to the deployment is still held to the remote patterns.
 */
function sourcePolicy(config: ImageOptimizerConfig, localOrigin: string | undefined): SourcePolicy {
  return (url) => {
    if (localOrigin !== undefined && url.origin === localOrigin) {
      if (isOptimizerPath(url.pathname))
        throw new ImageRequestError(400, '"url" parameter cannot be recursive');
      if (!isAllowedLocalSource(url, config))
        throw new ImageRequestError(400, '"url" parameter is not allowed');
      return 'local';
    }
    if (!isAllowedRemoteSource(url, config))
      throw new ImageRequestError(400, '"url" parameter is not allowed');
    return 'remote';
  };
}

function localOriginOf(request: Request, config: ImageOptimizerConfig): string {
  if (config.localOrigin !== undefined) return config.localOrigin;
  const domain = request.headers.get(DISTRIBUTION_DOMAIN_HEADER)?.trim().toLowerCase();
  if (!domain || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) {
    throw new ImageRequestError(
      400,
      'Local images ("url" starting with "/") are optimized only for requests that come through the CDN',
    );
  }
  return `https://${domain}`;
}
