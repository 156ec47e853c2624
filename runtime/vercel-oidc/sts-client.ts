import type { STSClient } from '@aws-sdk/client-sts';
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
  client ??= loadStsSdk().then(({ STSClient }) => new STSClient({ useGlobalEndpoint: false }));
  return client;
}

/** Drops the client so the next call builds a new one from the current environment (tests). */
export function resetStsClient(): void {
  const current = client;
  client = undefined;
  current?.then((stale) => stale.destroy()).catch(() => undefined);
}
