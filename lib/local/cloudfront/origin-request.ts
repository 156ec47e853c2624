import { isSelected, normalizedAcceptEncoding } from './cache-key';
import type { BehaviorModel, OriginModel } from './distribution-model';
import { type FunctionRequest, fromFunctionValues } from './function-event';
import type { OriginRequest } from './lambda-edge';
import { isCloudFrontHeader, type ParameterSet } from './policies';
import type { Viewer } from './viewer';

// The request CloudFront sends to an origin on a cache miss
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-origin-requests.html,
// RequestAndResponseBehaviorCustomOrigin.html): what the cache policy keys on plus what the origin
// request policy adds — viewer headers, the CloudFront headers it names, cookies, query strings —
// with Host set to the origin's domain, X-Forwarded-For, Via and X-Amz-Cf-Id added, the origin's
// custom headers, and the headers CloudFront never forwards removed.

// Hop-by-hop and CloudFront-controlled request headers: never passed on as the viewer sent them.
// X-Real-IP is one CloudFront drops ("disallowed"); X-Forwarded-For it rewrites.
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'content-length',
  'x-real-ip',
  'x-forwarded-for',
  'via',
  'x-amz-cf-id',
  'cookie',
]);

/** The origin request for `request` (the viewer request after the viewer-request function). */
export function buildOriginRequest(
  behavior: BehaviorModel,
  origin: OriginModel,
  request: FunctionRequest,
  body: Buffer,
  viewer: Viewer,
  requestId: string,
  viaHost: string,
): OriginRequest {
  const cachePolicy = behavior.cachePolicy;
  const originPolicy = behavior.originRequestPolicy;
  const forwardsHeader = (name: string) =>
    isCloudFrontHeader(name)
      ? isSelected(cachePolicy.headers, name, true) ||
        (originPolicy?.cloudFrontHeaders.includes(name) ?? false)
      : isSelected(cachePolicy.headers, name, true) ||
        (originPolicy !== undefined && isSelected(originPolicy.headers, name, true));
  const headers: [string, string][] = [];
  for (const [name, value] of fromFunctionValues(request.headers)) {
    if (NOT_FORWARDED.has(name) || name === 'host' || name === 'accept-encoding' || !forwardsHeader(name))
      continue;
    headers.push([name, value]);
  }
  // Host must be the origin's own domain unless a policy forwards the viewer's (which breaks Function
  // URL origins: they answer 403 to any other Host).
  const viewerHost = request.headers.host?.value;
  headers.unshift([
    'Host',
    viewerHost !== undefined && forwardsHeader('host') ? viewerHost : origin.domainName,
  ]);
  const encoding = normalizedAcceptEncoding(cachePolicy, request.headers['accept-encoding']?.value);
  if (encoding !== undefined) headers.push(['Accept-Encoding', encoding]);
  else if (
    request.headers['accept-encoding'] &&
    forwardsHeader('accept-encoding') &&
    !cachePolicy.acceptEncodingGzip &&
    !cachePolicy.acceptEncodingBrotli
  ) {
    headers.push(['Accept-Encoding', request.headers['accept-encoding'].value]);
  }
  const cookies = fromFunctionValues(request.cookies).filter(
    ([name]) => isSelected(cachePolicy.cookies, name, false) || selects(originPolicy?.cookies, name),
  );
  if (cookies.length > 0)
    headers.push(['Cookie', cookies.map(([name, value]) => `${name}=${value}`).join('; ')]);
  if (!headers.some(([name]) => name === 'user-agent')) headers.push(['User-Agent', 'Amazon CloudFront']);
  headers.push(['X-Forwarded-For', viewer.ip]);
  headers.push(['Via', `2.0 ${viaHost} (CloudFront)`]);
  headers.push(['X-Amz-Cf-Id', requestId]);
  // Origin custom headers replace viewer headers of the same name.
  for (const { name, value } of origin.customHeaders) {
    const lower = name.toLowerCase();
    for (let i = headers.length - 1; i >= 0; i--)
      if (headers[i][0].toLowerCase() === lower) headers.splice(i, 1);
    headers.push([name, value]);
  }
  const query = fromFunctionValues(request.querystring)
    .filter(
      ([name]) =>
        isSelected(cachePolicy.queryStrings, name, false) || selects(originPolicy?.queryStrings, name),
    )
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`))
    .join('&');
  return { method: request.method, uri: request.uri, querystring: query, headers, body };
}

function selects(set: ParameterSet | undefined, name: string): boolean {
  return set !== undefined && isSelected(set, name, false);
}
