// CloudFront Function (runtime cloudfront-js-2.0), viewer-request event, on every behaviour that
// serves one function. Deployed together with shared/sanitize-request.js, which does the work.

// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls the function named handler.
function handler(event) {
  return sanitizeViewerRequest(event);
}
