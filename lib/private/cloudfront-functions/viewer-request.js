// CloudFront Function (runtime cloudfront-js-2.0), viewer-request event, on every behaviour that
// serves one function. Deployed together with shared/sanitize-request.js, which does the sanitising,
// and shared/vercel-routes.js: vercel.json's redirects and trailingSlash answer here, and its headers
// rules travel to the function's adapter in x-vfa-route-headers — set after sanitising, so no viewer
// can send it. (Rewrites need origin selection, which only the edge router does: router.js.)

// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls the function named handler.
function handler(event) {
  const request = sanitizeViewerRequest(event);
  const routed = vercelRoutesBeforeFilesystem(event);
  if (routed.response) return routed.response;
  setRouteHeaders(request, routed.headers);
  return request;
}
