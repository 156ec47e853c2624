// Shared by the viewer-request CloudFront Functions (viewer-request.js, router.js, not-found.js); concatenated into
// each deployed function by lib/private/cloudfront-function-code.ts, since CloudFront Functions
// cannot import. Runs before the cache lookup, so nothing a viewer sends can reach the function
// under a name the function trusts.
//
// - Host → x-forwarded-host: Function URLs need Host to be their own domain (SigV4, routing), so
//   the origin request policy never forwards it; the public host travels in x-forwarded-host.
// - Drops headers only CloudFront or the function may set: x-real-ip, x-forwarded-for and
//   x-forwarded-host (the adapter derives them from CloudFront-Viewer-Address and Host), every
//   x-vercel-* (incl. x-vercel-oidc-token) and every internal x-vfa-* header. CloudFront does not
//   expose x-real-ip to edge functions at all (a "disallowed" header); deleting it is harmless, and
//   the adapter drops it again — this function is one layer, not the only one.
// - Adds the distribution id and domain, which the function cannot get from CloudFormation without
//   a circular dependency (the distribution depends on the function's URL).
//
// Header names must stay equal to lib/private/constructs-contract.ts (checked by the tests).

// A regex, not lists and a loop: every byte counts against the 10 KB of the router's code. The
// internal prefix stays a string, the one INTERNAL_HEADER_PREFIX names.
const DROPPED_HEADER = /^(x-real-ip|x-forwarded-(for|host))$|^x-vercel-/;

// biome-ignore lint/correctness/noUnusedVariables: called by the handler it is concatenated with.
function sanitizeViewerRequest(event) {
  const request = event.request;
  const headers = request.headers;
  const names = Object.keys(headers);
  for (let i = 0; i < names.length; i++) {
    if (DROPPED_HEADER.test(names[i]) || names[i].indexOf('x-vfa-') === 0) delete headers[names[i]];
  }
  if (headers.host) headers['x-forwarded-host'] = { value: headers.host.value };
  if (event.context.distributionId) {
    headers['x-vfa-distribution-id'] = { value: event.context.distributionId };
  }
  if (event.context.distributionDomainName) {
    headers['x-vfa-distribution-domain'] = { value: event.context.distributionDomainName };
  }
  return request;
}
