// CloudFront Function (runtime cloudfront-js-2.0), viewer-request event, on the default behaviour of
// a distribution whose paths are all served by explicit behaviours. Answers every request that no
// function route matched with a 404, as Vercel does, so the default behaviour's origin is never
// contacted. Deployed together with shared/not-found-response.js.

// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls the function named handler.
function handler() {
  return notFoundResponse();
}
