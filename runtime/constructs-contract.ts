// Names shared by the CDK constructs (lib/) and this runtime: the headers CloudFront and the function
// exchange, and the environment variables the constructs set. Defined here because the runtime never
// imports lib/; lib/private/constructs-contract.ts re-exports them.

/**
 * Response header whose comma-separated values become the cached object's CloudFront cache tags
 * (the distribution's `CacheTagConfig.HeaderName`). Removed from viewer responses by the CDN.
 */
export const CACHE_TAG_HEADER = 'Vercel-Cache-Tag';

/**
 * Prefix of every internal header between CloudFront and the function. The CDN's viewer-request
 * function strips headers with this prefix from viewer requests, so their values are trustworthy
 * whenever the function sits behind the CDN.
 */
export const INTERNAL_HEADER_PREFIX = 'x-vfa-';

/** Request header set by the CDN: the CloudFront distribution id (for `CreateInvalidation`). */
export const DISTRIBUTION_ID_HEADER = 'x-vfa-distribution-id';

/** Request header set by the CDN: the distribution's `*.cloudfront.net` domain (the deployment URL). */
export const DISTRIBUTION_DOMAIN_HEADER = 'x-vfa-distribution-domain';

/**
 * Request header CloudFront adds as an origin custom header in `OriginProtection.secretHeader()`
 * mode; the adapter compares it with the secret in constant time and answers 403 otherwise.
 */
export const ORIGIN_SECRET_HEADER = 'x-vfa-origin-secret';

/**
 * Request header set by the CDN's router function on a request a vercel.json rewrite sent to a
 * function: the destination's path (`/api/users/7`), percent-encoded as in a URL. The request's URL
 * keeps the path the viewer asked for, as on Vercel (with the rewrite's parameters in its query);
 * the adapter matches its route against this path instead, and removes the header before user code.
 */
export const REWRITE_PATH_HEADER = 'x-vfa-rewrite-path';

/**
 * Request header set by the CDN's viewer-request functions: the response headers vercel.json's
 * `headers` rules give this request, as a JSON object of header name → value. The adapter adds them
 * to the function's response (before its CDN cache step, so a `Cache-Control` rule is what CloudFront
 * caches by) and removes the header before user code. Responses the CDN answers itself (redirects,
 * 404) get them from the CloudFront Function directly.
 */
export const ROUTE_HEADERS_HEADER = 'x-vfa-route-headers';

/**
 * Field of a Function URL event's `requestContext` holding a vercel.json cron's schedule, set by the
 * EventBridge Scheduler input VercelProject synthesizes; the adapter passes it on as Vercel's
 * `x-vercel-cron-schedule` header. Lambda builds `requestContext` for Function URL requests, so no
 * client can set it: only a caller allowed to invoke the function directly.
 */
export const CRON_SCHEDULE_CONTEXT_FIELD = 'vercelCronSchedule';

/**
 * Response header carrying the `Cache-Control` the browser must see when the function sets
 * `Vercel-CDN-Cache-Control` / `CDN-Cache-Control`, which CloudFront does not honour: the runtime
 * puts the CDN directive into `Cache-Control` (what CloudFront caches by) and the function's own
 * `Cache-Control` here; the CDN's viewer-response function moves it back into `Cache-Control`.
 * Only used for status codes below 400, because CloudFront runs no viewer-response function for
 * error responses.
 */
export const BROWSER_CACHE_CONTROL_HEADER = 'x-vfa-browser-cache-control';

/** Environment variable: name of the DynamoDB table behind `getCache()` (RuntimeCacheTable). */
export const CACHE_TABLE_ENV = 'VERCEL_FUNCTIONS_AWS_CACHE_TABLE';

/** Environment variable: name of the DynamoDB tag table (TagTable). */
export const TAG_TABLE_ENV = 'VERCEL_FUNCTIONS_AWS_TAG_TABLE';

/**
 * Environment variable: ARN of the Secrets Manager secret whose value CloudFront sends in
 * {@link ORIGIN_SECRET_HEADER} (`OriginProtection.secretHeader()` only).
 */
export const ORIGIN_SECRET_ARN_ENV = 'VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN';

/**
 * Environment variable: the route this function serves, Vercel-style (`/api/users/[id]`), so the
 * adapter can add dynamic segments to the query as Vercel does and answer 404 for paths the CDN's
 * wildcard pattern let through but the route does not match.
 */
export const ROUTE_ENV = 'VERCEL_FUNCTIONS_AWS_ROUTE';

/**
 * Environment variable: the audience (`aud`) of the tokens `getVercelOidcToken()` requests from STS
 * `GetWebIdentityToken` when neither the request header nor `VERCEL_OIDC_TOKEN` has one.
 */
export const OIDC_AUDIENCE_ENV = 'VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE';

/** Environment variable: `GetWebIdentityToken`'s `SigningAlgorithm`, `RS256` (default) or `ES384`. */
export const OIDC_SIGNING_ALGORITHM_ENV = 'VERCEL_FUNCTIONS_AWS_OIDC_SIGNING_ALGORITHM';

/** Environment variable: `GetWebIdentityToken`'s `DurationSeconds` (60–3600; STS' default is 300). */
export const OIDC_TOKEN_DURATION_ENV = 'VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION';
