// The STS client this package is tested with (3.1174.0 or later has `GetWebIdentityToken`) is bundled
// when the function sets `bundleAwsSDK: true` — VercelProject does when `oidcAudiences` is set; otherwise
// the Lambda runtime's copy is used, and web-identity-token.ts says so if it predates the operation.
import { STSClient } from '@aws-sdk/client-sts';

let client: STSClient | undefined;

/**
 * The process's STS client for the function's own identity, created on first use. Region and
 * credentials come from the Lambda environment (`AWS_REGION`, the execution role); the endpoint can
 * be overridden only through the SDK's standard `AWS_ENDPOINT_URL_STS`.
 */
export function stsClient(): STSClient {
  // `GetWebIdentityToken` is not served by the global endpoint (sts.amazonaws.com): always the
  // regional one, whatever AWS_STS_REGIONAL_ENDPOINTS says.
  client ??= new STSClient({ useGlobalEndpoint: false });
  return client;
}

/** Drops the client so the next call builds a new one from the current environment (tests). */
export function resetStsClient(): void {
  client?.destroy();
  client = undefined;
}
