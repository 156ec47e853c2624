import cf from 'cloudfront';

// CloudFront Function (runtime cloudfront-js-2.0), viewer-request event, on the default behaviour of
// a distribution that routes functions at the edge instead of with one cache behaviour per route
// (Cdn `routes`; VercelProject once it has more routes than cache behaviours, or vercel.json has
// rewrites). Deployed together with shared/sanitize-request.js, shared/vercel-routes.js (vercel.json
// redirects, headers, trailingSlash and rewrites), shared/route-lookup.js and
// shared/not-found-response.js; the `import` must stay on the first line (CloudFront's rule for the
// `cloudfront` module).
//
// Every function is an origin of the distribution, protected like any other (origin access control,
// or the secret header); the route table, a KeyValueStore associated with this function, maps the
// request path to the origin id, and `cf.selectRequestOriginById` sends the request there
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/helper-functions-origin-modification.html).
// Order, as on Vercel: redirects and headers rules, then the filesystem (the route table), then
// rewrites; paths still unserved go to the fallback origin (Cdn `defaultFunction`) or get Vercel's
// 404. The constructs replace the placeholders at synth.

const ROUTE_TABLE = cf.kvs('__VFA_ROUTE_TABLE_ID__');
const FALLBACK_ORIGIN_ID = '__VFA_FALLBACK_ORIGIN_ID__';

// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls the function named handler.
async function handler(event) {
  const request = sanitizeViewerRequest(event);
  const routed = vercelRoutesBeforeFilesystem(event);
  if (routed.response) return routed.response;
  let originId = await lookupRouteOrigin(ROUTE_TABLE, request.uri);
  if (originId === undefined) originId = await rewriteToFunction(event);
  if (originId === undefined && FALLBACK_ORIGIN_ID !== '') originId = FALLBACK_ORIGIN_ID;
  if (originId === undefined) return withRouteHeaders(notFoundResponse(), routed.headers);
  cf.selectRequestOriginById(originId);
  setRouteHeaders(request, routed.headers);
  return request;
}

// vercel.json rewrites, after the filesystem (the route table) missed, as on Vercel: the first whose
// destination a function serves wins; a destination no function serves is what the next rewrite
// matches (`check`). The request keeps the viewer's path (request.uri), as Vercel's does, with the
// destination's query merged into its own; the adapter matches its route against the destination
// path in x-vfa-rewrite-path (REWRITE_PATH_HEADER in runtime/constructs-contract.ts).
async function rewriteToFunction(event) {
  const request = event.request;
  const rewrites = VERCEL_ROUTES.r || [];
  let path = request.uri;
  for (let i = 0; i < rewrites.length; i++) {
    const found = matchVercelRoute(event, rewrites[i], path);
    if (!found) continue;
    const destination = vercelDestination(rewrites[i].d, found);
    mergeRouteQuery(request.querystring, destination.query);
    path = destination.path.charAt(0) === '/' ? destination.path : `/${destination.path}`;
    const originId = await lookupRouteOrigin(ROUTE_TABLE, path);
    if (originId !== undefined) {
      request.headers['x-vfa-rewrite-path'] = { value: path };
      return originId;
    }
  }
  return undefined;
}
