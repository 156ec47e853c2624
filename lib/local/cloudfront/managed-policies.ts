import {
  type CachePolicyModel,
  CLOUDFRONT_HEADERS,
  type OriginRequestPolicyModel,
  type ParameterSet,
} from './policies';

// CloudFront's managed policies that a template references by id, with the settings AWS documents
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html,
// .../using-managed-origin-request-policies.html). A managed id not listed here is refused by the
// model rather than guessed.

const NONE: ParameterSet = { behavior: 'none', names: [] };
const ALL: ParameterSet = { behavior: 'all', names: [] };
const YEAR = 31_536_000;

/** Managed cache policies by id. */
export const MANAGED_CACHE_POLICIES: Readonly<Record<string, CachePolicyModel>> = {
  '658327ea-f89d-4fab-a63d-7e88639e58f6': {
    name: 'Managed-CachingOptimized',
    minTtl: 1,
    defaultTtl: 86_400,
    maxTtl: YEAR,
    headers: NONE,
    cookies: NONE,
    queryStrings: NONE,
    acceptEncodingGzip: true,
    acceptEncodingBrotli: true,
  },
  'b2884449-e4de-46a7-ac36-70bc7f1ddd6d': {
    name: 'Managed-CachingOptimizedForUncompressedObjects',
    minTtl: 1,
    defaultTtl: 86_400,
    maxTtl: YEAR,
    headers: NONE,
    cookies: NONE,
    queryStrings: NONE,
    acceptEncodingGzip: false,
    acceptEncodingBrotli: false,
  },
  '4135ea2d-6df8-44a3-9df3-4b5a84be39ad': {
    name: 'Managed-CachingDisabled',
    minTtl: 0,
    defaultTtl: 0,
    maxTtl: 0,
    headers: NONE,
    cookies: NONE,
    queryStrings: NONE,
    acceptEncodingGzip: false,
    acceptEncodingBrotli: false,
  },
  '83da9c7e-98b4-4e11-a168-04f0df8e2c65': {
    name: 'Managed-UseOriginCacheControlHeaders',
    minTtl: 0,
    defaultTtl: 0,
    maxTtl: YEAR,
    headers: {
      behavior: 'whitelist',
      names: ['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'],
    },
    cookies: ALL,
    queryStrings: NONE,
    acceptEncodingGzip: true,
    acceptEncodingBrotli: true,
  },
  '4cc15a8a-d715-48a4-82b8-cc0b614638fe': {
    name: 'Managed-UseOriginCacheControlHeaders-QueryStrings',
    minTtl: 0,
    defaultTtl: 0,
    maxTtl: YEAR,
    headers: {
      behavior: 'whitelist',
      names: ['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'],
    },
    cookies: ALL,
    queryStrings: ALL,
    acceptEncodingGzip: true,
    acceptEncodingBrotli: true,
  },
};

/** Managed origin request policies by id. */
export const MANAGED_ORIGIN_REQUEST_POLICIES: Readonly<Record<string, OriginRequestPolicyModel>> = {
  '216adef6-5c7f-47e4-b989-5492eafa07d3': {
    name: 'Managed-AllViewer',
    headers: ALL,
    cloudFrontHeaders: [],
    cookies: ALL,
    queryStrings: ALL,
  },
  '33f36d7e-f396-46d9-90e0-52428a34d9dc': {
    name: 'Managed-AllViewerAndCloudFrontHeaders-2022-06',
    headers: ALL,
    cloudFrontHeaders: CLOUDFRONT_HEADERS,
    cookies: ALL,
    queryStrings: ALL,
  },
  // "All values (headers, cookies, and query strings) in the viewer request except the Host header,
  // and the CloudFront headers" — meant for API Gateway and Function URL origins, which need Host to
  // be their own domain.
  'b689b0a8-53d0-40ab-baf2-68738e2966ac': {
    name: 'Managed-AllViewerExceptHostHeader',
    headers: { behavior: 'allExcept', names: ['host'] },
    cloudFrontHeaders: CLOUDFRONT_HEADERS,
    cookies: ALL,
    queryStrings: ALL,
  },
  '59781a5b-3903-41f3-afcb-af62929ccde1': {
    name: 'Managed-CORS-CustomOrigin',
    headers: { behavior: 'whitelist', names: ['origin'] },
    cloudFrontHeaders: [],
    cookies: NONE,
    queryStrings: NONE,
  },
  '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf': {
    name: 'Managed-CORS-S3Origin',
    headers: {
      behavior: 'whitelist',
      names: ['origin', 'access-control-request-headers', 'access-control-request-method'],
    },
    cloudFrontHeaders: [],
    cookies: NONE,
    queryStrings: NONE,
  },
  'acba4595-bd28-49b8-b9fe-13317c0390fa': {
    name: 'Managed-UserAgentRefererHeaders',
    headers: { behavior: 'whitelist', names: ['user-agent', 'referer'] },
    cloudFrontHeaders: [],
    cookies: NONE,
    queryStrings: NONE,
  },
};
