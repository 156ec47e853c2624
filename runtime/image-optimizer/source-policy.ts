import { DISTRIBUTION_DOMAIN_HEADER } from '../constructs-contract';
import { ImageRequestError } from '../errors';
import type { ImageOptimizerConfig } from './config';
import type { SourcePolicy } from './fetch-source';
import { isOptimizerPath } from './paths';
import { isAllowedLocalSource, isAllowedRemoteSource } from './patterns';

/*
 * Where local sources (`url=/path`) come from, and which hops the optimizer may take.
 *
 * Deployed, the origin is the distribution that received the request, named by the CDN in
 * `x-vfa-distribution-domain` (the CDN strips viewer-sent `x-vfa-*` headers and sets its own). But
 * the header is only as trustworthy as the path to the optimizer: with `OriginProtection.none()`
 * its Function URL is public and anyone can send any value. So the value is held to what the CDN
 * can send — CloudFront's `distributionDomainName`, always a one-label `*.cloudfront.net` name, even
 * when viewers use a custom domain — and its hops, like remote ones, must reach public addresses
 * only (a distribution never resolves to anything else).
 *
 * The one origin allowed to be private is `localOrigin`, which only the dev server, the e2e stack
 * and tests configure (the construct never does): it comes from the operator, not from a request.
 */

/** The origin local sources are fetched from, and whether it may resolve to non-public addresses. */
export interface LocalSourceOrigin {
  /** `https://d111111abcdef8.cloudfront.net`, or the configured `localOrigin`. */
  readonly origin: string;
  /** `true` for the configured `localOrigin`: the operator chose it, so any address is fine. */
  readonly configured: boolean;
}

// One label under cloudfront.net: the shape of every distribution's domain (d111111abcdef8.cloudfront.net).
const DISTRIBUTION_DOMAIN = /^[a-z0-9-]+\.cloudfront\.net$/;

/**
 * The origin of the request's local sources: `config.localOrigin` when set, else the distribution
 * domain the CDN put in `x-vfa-distribution-domain`. Throws `ImageRequestError` 400 when neither
 * is there, or when the header is not a `*.cloudfront.net` name (the value is not echoed: it came
 * from whoever sent the request).
 */
export function localSourceOrigin(request: Request, config: ImageOptimizerConfig): LocalSourceOrigin {
  if (config.localOrigin !== undefined) return { origin: config.localOrigin, configured: true };
  const domain = request.headers.get(DISTRIBUTION_DOMAIN_HEADER)?.trim().toLowerCase();
  if (!domain) {
    throw new ImageRequestError(
      400,
      'Local images ("url" starting with "/") are optimized only for requests that come through the CDN',
    );
  }
  if (!DISTRIBUTION_DOMAIN.test(domain)) {
    throw new ImageRequestError(
      400,
      `Local images ("url" starting with "/") are optimized only for requests that come through the CDN: the ${DISTRIBUTION_DOMAIN_HEADER} header must be a CloudFront distribution domain (*.cloudfront.net)`,
    );
  }
  return { origin: `https://${domain}`, configured: false };
}

/**
 * The rule for the source and every redirect: never an optimizer path, on any host (a remote
 * pattern may allow this deployment's own domain, or another deployment's optimizer); the
 * deployment's own origin is local (local patterns); anything else is remote and must match
 * `domains` or `remotePatterns`. Only requests for a local source have a local origin; a remote
 * source that redirects to the deployment is still held to the remote patterns.
 *
 * Every hop must reach public addresses, except hops to a configured `localOrigin` and remote hops
 * under `dangerouslyAllowLocalIP` (which is about remote sources: a distribution is never private).
 */
export function sourcePolicy(
  config: ImageOptimizerConfig,
  local: LocalSourceOrigin | undefined,
): SourcePolicy {
  return (url) => {
    if (isOptimizerPath(url.pathname))
      throw new ImageRequestError(400, '"url" parameter cannot be recursive');
    if (local !== undefined && url.origin === local.origin) {
      if (!isAllowedLocalSource(url, config))
        throw new ImageRequestError(400, '"url" parameter is not allowed');
      return local.configured ? 'any' : 'public';
    }
    if (!isAllowedRemoteSource(url, config))
      throw new ImageRequestError(400, '"url" parameter is not allowed');
    return config.dangerouslyAllowLocalIP ? 'any' : 'public';
  };
}
