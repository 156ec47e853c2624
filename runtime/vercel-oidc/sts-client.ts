import type { STSClient, STSClientConfig } from '@aws-sdk/client-sts';
import { importOnce } from '../import-once';

// The STS client this package is tested with (3.1174.0 or later has `GetWebIdentityToken`) is bundled
// when the function sets `bundleAwsSDK: true` — VercelProject does when `oidcAudiences` is set; otherwise
// the Lambda runtime's copy is used, and web-identity-token.ts says so if it predates the operation.

/** The AWS SDK's STS module, loaded on first use. */
export type StsSdk = typeof import('@aws-sdk/client-sts');

// Loading @aws-sdk/client-sts costs ~40 ms at cold start on Node 24 (npm run bench, "deployed"), so a
// function that imports getVercelOidcToken() or awsCredentialsProvider() but has not called them yet
// must not pay for it: the module is imported on the first call that needs STS.
let client: Promise<STSClient> | undefined;

/**
 * Bounds of one STS request (each attempt; the SDK retries a timeout up to its `maxAttempts`, 3 by
 * default). The SDK sets none, so a blackholed STS (a function in a VPC with neither a NAT gateway
 * nor an STS VPC endpoint) would hold the invocation until Lambda's timeout. A connection to the
 * Region's STS takes milliseconds and its answer well under a second, so 3 s to connect and 10 s in
 * all only cut off calls that were not going to finish: with the retries, ~30 s at worst instead of
 * the function's whole timeout (up to 15 min). Mutable so tests can shorten them.
 */
export const stsTimeouts = { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 };

/**
 * The `requestHandler` option of an STS client bounded by {@link stsTimeouts}: the SDK builds its
 * Node.js handler from it.
 */
export function stsRequestHandler(): NonNullable<STSClientConfig['requestHandler']> {
  return {
    connectionTimeout: stsTimeouts.connectionTimeoutMs,
    requestTimeout: stsTimeouts.requestTimeoutMs,
    // Without it, recent SDKs only log a warning when requestTimeout passes (older ones ignore it
    // and apply requestTimeout as a socket idle timeout, which throws).
    throwOnRequestTimeout: true,
  };
}

/** The SDK module, imported once per process (again after a failed import). */
export const loadStsSdk: () => Promise<StsSdk> = /* @__PURE__ */ importOnce(
  () => import('@aws-sdk/client-sts'),
);

/**
 * The process's STS client for the function's own identity, created on first use. Region and
 * credentials come from the Lambda environment (`AWS_REGION`, the execution role); the endpoint can
 * be overridden only through the SDK's standard `AWS_ENDPOINT_URL_STS`.
 */
export function stsClient(): Promise<STSClient> {
  // `GetWebIdentityToken` is not served by the global endpoint (sts.amazonaws.com): always the
  // regional one, whatever AWS_STS_REGIONAL_ENDPOINTS says.
  client ??= loadStsSdk().then(
    ({ STSClient }) => new STSClient({ useGlobalEndpoint: false, requestHandler: stsRequestHandler() }),
  );
  return client;
}

/** Drops the client so the next call builds a new one from the current environment (tests). */
export function resetStsClient(): void {
  const current = client;
  client = undefined;
  current?.then((stale) => stale.destroy()).catch(() => undefined);
}
