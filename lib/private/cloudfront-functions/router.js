import cf from 'cloudfront';

// CloudFront Function (runtime cloudfront-js-2.0), viewer-request event, on the default behaviour of
// a distribution that routes functions at the edge instead of with one cache behaviour per route
// (Cdn `routes`; VercelProject once it has more routes than cache behaviours). Deployed together with
// shared/sanitize-request.js, shared/route-lookup.js and shared/not-found-response.js; the `import`
// must stay on the first line (CloudFront's rule for the `cloudfront` module).
//
// Every function is an origin of the distribution, protected like any other (origin access control,
// or the secret header); the route table, a KeyValueStore associated with this function, maps the
// request path to the origin id, and `cf.selectRequestOriginById` sends the request there
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/helper-functions-origin-modification.html).
// Paths no route serves go to the fallback origin (Cdn `defaultFunction`) or get Vercel's 404.
// The constructs replace the two placeholders at synth.

const ROUTE_TABLE = cf.kvs('__VFA_ROUTE_TABLE_ID__');
const FALLBACK_ORIGIN_ID = '__VFA_FALLBACK_ORIGIN_ID__';

// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls the function named handler.
async function handler(event) {
  const request = sanitizeViewerRequest(event);
  const originId = await lookupRouteOrigin(ROUTE_TABLE, request.uri);
  if (originId !== undefined) {
    cf.selectRequestOriginById(originId);
    return request;
  }
  if (FALLBACK_ORIGIN_ID !== '') {
    cf.selectRequestOriginById(FALLBACK_ORIGIN_ID);
    return request;
  }
  return notFoundResponse();
}
