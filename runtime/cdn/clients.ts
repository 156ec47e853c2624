import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { importOnce } from '../import-once';
import { configuredEndpoint, isLoopbackUrl, withLoopbackPlaceholder } from './loopback-credentials';

/*
 * The CloudFront client of the CDN features, created on first use and then kept for the process
 * (per worker thread on Managed Instances; SDK clients are safe to share between concurrent
 * invocations). The SDK module is loaded with `import()` so a function that never purges does
 * not pay for loading it at cold start. (The tag table is reached through the Runtime Cache's
 * DynamoDB client, runtime/cache/dynamodb-client.ts: one client per process.)
 *
 * The endpoint comes only from the SDK's own configuration: `AWS_ENDPOINT_URL_CLOUDFRONT` points
 * it at a local endpoint in tests and under `npm start`. A loopback endpoint is signed with
 * placeholder keys when no credentials are configured (runtime/cdn/loopback-credentials.ts), so the
 * dev server need not put fake keys where every other client (STS) would find them.
 */

/** The AWS SDK's CloudFront module, imported once per process (again after a failed import). */
export const loadCloudFrontSdk: () => Promise<typeof import('@aws-sdk/client-cloudfront')> =
  /* @__PURE__ */ importOnce(() => import('@aws-sdk/client-cloudfront'));

let cloudFront: Promise<CloudFrontClient> | undefined;

/**
 * How long the CloudFront client waits for a TCP connection, and for a response once connected,
 * before it gives up on a request. The SDK waits forever by default; a CreateInvalidation answers
 * in well under a second, so these only cut off a request that hangs. The invalidation manager also
 * aborts each attempt at the caller's deadline (deliver-batch.ts); these back that up.
 */
export const CLOUDFRONT_CONNECTION_TIMEOUT_MS = 3_000;
export const CLOUDFRONT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The CloudFront client. CloudFront's API lives in us-east-1 whatever the function's region.
 * Retries are off (`maxAttempts: 1`): the invalidation manager retries throttling and
 * `TooManyInvalidationsInProgress` itself, with its own backoff and time budget, and persists what
 * still fails — SDK retries underneath would blur that budget.
 */
export function cloudFrontClient(): Promise<CloudFrontClient> {
  if (cloudFront === undefined) {
    const created = loadCloudFrontSdk().then((sdk) => {
      const config = {
        region: 'us-east-1',
        maxAttempts: 1,
        requestHandler: {
          connectionTimeout: CLOUDFRONT_CONNECTION_TIMEOUT_MS,
          requestTimeout: CLOUDFRONT_REQUEST_TIMEOUT_MS,
          // Recent @smithy/node-http-handler only warns at requestTimeout unless told to fail.
          throwOnRequestTimeout: true,
        },
      };
      if (!isLoopbackUrl(configuredEndpoint('CLOUDFRONT'))) return new sdk.CloudFrontClient(config);
      // The SDK's own default chain, borrowed from a client that never sends a request.
      const chain = new sdk.CloudFrontClient(config).config.credentials;
      return new sdk.CloudFrontClient({ ...config, credentials: withLoopbackPlaceholder(chain) });
    });
    cloudFront = created;
    // A failed import is not remembered: the next call tries again.
    created.catch(() => {
      if (cloudFront === created) cloudFront = undefined;
    });
  }
  return cloudFront;
}

/** Destroys the client (closing its sockets); the next call creates a new one. For tests. */
export async function resetCloudFrontClient(): Promise<void> {
  const current = cloudFront;
  cloudFront = undefined;
  (await current?.catch(() => undefined))?.destroy();
}
