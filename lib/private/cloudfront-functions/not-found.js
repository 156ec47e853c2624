// CloudFront Function (runtime cloudfront-js-2.0), viewer-request event, on the default behaviour of
// a distribution whose paths are all served by explicit behaviours. Answers every request that no
// function route matched with a 404, as Vercel does, so the default behaviour's origin is never
// contacted — after vercel.json's redirects and trailingSlash (shared/vercel-routes.js), which apply
// to paths no function serves too; its headers rules' headers go on the 404. Deployed together with
// shared/sanitize-request.js, shared/vercel-routes.js and shared/not-found-response.js: the request is
// sanitised first, so the rules' conditions see the same trusted values as on every other behaviour
// (a viewer's x-vercel-* never satisfies one).

// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls the function named handler.
function handler(event) {
  sanitizeViewerRequest(event);
  const routed = vercelRoutesBeforeFilesystem(event);
  return routed.response || withRouteHeaders(notFoundResponse(), routed.headers);
}
