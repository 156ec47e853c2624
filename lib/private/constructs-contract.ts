// The contract between the constructs and the runtime: header and environment variable names.
// runtime/constructs-contract.ts holds the same names (the runtime never imports lib/), and
// test/lib/constructs-contract.test.ts keeps both files equal. The CloudFront Functions in
// ./cloudfront-functions/ run without imports and hard-code the header names; their tests check them.

/** Response header CloudFront reads cache tags from (`CacheTagConfig.HeaderName`). */
export const CACHE_TAG_HEADER = 'Vercel-Cache-Tag';

/** Prefix of every internal CDN ↔ function header; stripped from viewer requests. */
export const INTERNAL_HEADER_PREFIX = 'x-vfa-';

/** Request header: the distribution id, set by the viewer-request function. */
export const DISTRIBUTION_ID_HEADER = 'x-vfa-distribution-id';

/** Request header: the distribution's `*.cloudfront.net` domain, set by the viewer-request function. */
export const DISTRIBUTION_DOMAIN_HEADER = 'x-vfa-distribution-domain';

/** Request header: the origin secret, added as an origin custom header in `secretHeader()` mode. */
export const ORIGIN_SECRET_HEADER = 'x-vfa-origin-secret';

/** Response header: the browser-facing `Cache-Control`, restored by the viewer-response function. */
export const BROWSER_CACHE_CONTROL_HEADER = 'x-vfa-browser-cache-control';

/** Environment variable: the cache table's name. */
export const CACHE_TABLE_ENV = 'VERCEL_FUNCTIONS_AWS_CACHE_TABLE';

/** Environment variable: the tag table's name. */
export const TAG_TABLE_ENV = 'VERCEL_FUNCTIONS_AWS_TAG_TABLE';

/** Environment variable: ARN of the origin secret (`OriginProtection.secretHeader()` only). */
export const ORIGIN_SECRET_ARN_ENV = 'VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN';

/** Environment variable: the Vercel-style route the function serves, e.g. `/api/users/[id]`. */
export const ROUTE_ENV = 'VERCEL_FUNCTIONS_AWS_ROUTE';

/** Environment variable: the audience of the tokens `getVercelOidcToken()` gets from `GetWebIdentityToken`. */
export const OIDC_AUDIENCE_ENV = 'VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE';

/** Environment variable: `GetWebIdentityToken`'s signing algorithm, `RS256` or `ES384`. */
export const OIDC_SIGNING_ALGORITHM_ENV = 'VERCEL_FUNCTIONS_AWS_OIDC_SIGNING_ALGORITHM';

/** Environment variable: `GetWebIdentityToken`'s token lifetime in seconds (60–3600). */
export const OIDC_TOKEN_DURATION_ENV = 'VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION';
