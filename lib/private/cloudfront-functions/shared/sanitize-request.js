// Shared by the viewer-request CloudFront Functions (viewer-request.js, router.js); concatenated into
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

const DROPPED_HEADERS = ['x-real-ip', 'x-forwarded-for', 'x-forwarded-host'];
const DROPPED_PREFIXES = ['x-vercel-', 'x-vfa-'];

function isDroppedHeader(name) {
  if (DROPPED_HEADERS.indexOf(name) !== -1) return true;
  for (let i = 0; i < DROPPED_PREFIXES.length; i++) {
    if (name.indexOf(DROPPED_PREFIXES[i]) === 0) return true;
  }
  return false;
}

// biome-ignore lint/correctness/noUnusedVariables: called by the handler it is concatenated with.
function sanitizeViewerRequest(event) {
  const request = event.request;
  const headers = request.headers;
  const names = Object.keys(headers);
  for (let i = 0; i < names.length; i++) {
    if (isDroppedHeader(names[i])) delete headers[names[i]];
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
