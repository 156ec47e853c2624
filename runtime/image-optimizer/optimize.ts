import { ImageRequestError } from '../errors';
import type { ImageOptimizerConfig } from './config';
import { fetchSource } from './fetch-source';
import { detectImageType } from './image-type';
import { requestFormat } from './negotiate';
import { parseImageParams } from './params';
import { IMAGE_OPTIMIZER_PATH } from './paths';
import { errorResponse, imageResponse } from './response';
import { type LocalSourceOrigin, localSourceOrigin, sourcePolicy } from './source-policy';
import { transformImage } from './transform';

/**
 * Serves one `/_vercel/image?url=<src>&w=<width>&q=<quality>` request with Vercel's semantics
 * (any other path is a 404): validates the parameters, fetches the source (a local path from the
 * deployment itself, a remote URL only when `domains`/`remotePatterns` allow it), and answers the
 * image resized to `w` in the format `Accept` allows — or the source as it is when sharp can read
 * it but not encode the result, as Next.js does — tagged with the source's cache tag. Refusals and
 * source failures are plain-text responses with the status the problem calls for (400, 404, 413,
 * 502, ...); anything else (a bug) rejects, and the handler answers 500.
 *
 * Local sources: fetched from `config.localOrigin` when set (dev server, tests), else from
 * `https://<distribution domain>` — the `*.cloudfront.net` name the CDN puts in
 * `x-vfa-distribution-domain` (viewers cannot set it: the CDN strips `x-vfa-*` from their
 * requests). So a local image is fetched exactly as a viewer would get it, through the same
 * distribution and its cache, whatever `Host` the viewer used. A request that reached the
 * optimizer some other way (a public Function URL) cannot point it elsewhere: the header must be a
 * `*.cloudfront.net` name, which must resolve to public addresses (source-policy.ts).
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
  const requestUrl = new URL(request.url);
  // The CDN sends only this exact path here; any other one reached the function some other way (a
  // public Function URL, a hand-made route) and is not an image request, least of all a nested one.
  if (requestUrl.pathname !== IMAGE_OPTIMIZER_PATH) {
    return errorResponse(404, `Not Found: the image optimizer serves ${IMAGE_OPTIMIZER_PATH} only`);
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return errorResponse(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
  }
  try {
    const params = parseImageParams(requestUrl.searchParams, config);
    const format = requestFormat(request.headers, config.formats);
    let sourceUrl: URL;
    let local: LocalSourceOrigin | undefined;
    if (params.localPath !== undefined) {
      local = localSourceOrigin(request, config);
      sourceUrl = new URL(params.localPath, local.origin);
    } else {
      sourceUrl = params.remoteUrl!;
    }
    const source = await fetchSource(sourceUrl, sourcePolicy(config, local), {
      maxBytes: config.maximumResponseBody,
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
