import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { importOnce } from '../import-once';

/** The AWS SDK's Secrets Manager module, loaded on first use. */
export type SecretsManagerSdk = typeof import('@aws-sdk/client-secrets-manager');

/*
 * The Secrets Manager client of the origin secret check (`OriginProtection.secretHeader()`), created
 * on first use and then kept for the process (per worker thread on Managed Instances; SDK clients
 * are safe to share between concurrent invocations). Functions behind the other protection modes
 * never load the SDK module: it is imported with `import()` on the first check.
 *
 * Region and endpoint come only from the SDK's own configuration chain: `AWS_REGION` (set by Lambda)
 * and `AWS_ENDPOINT_URL_SECRETS_MANAGER`, which points tests at the loopback endpoint
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
 */

let client: Promise<SecretsManagerClient> | undefined;

/** The SDK module, imported once per process (again after a failed import). */
export const loadSecretsManagerSdk: () => Promise<SecretsManagerSdk> = /* @__PURE__ */ importOnce(
  () => import('@aws-sdk/client-secrets-manager'),
);

/**
 * The process-wide client. Requests run while a viewer waits (the first request of a process, then
 * one refresh every few minutes), so connection and request timeouts are short and the SDK retries
 * once: an unreachable Secrets Manager should cost the request a few seconds at most, not the
 * SDK's default of several attempts with backoff.
 */
export function getSecretsManagerClient(): Promise<SecretsManagerClient> {
  client ??= loadSecretsManagerSdk().then(
    ({ SecretsManagerClient }) =>
      new SecretsManagerClient({
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
      }),
  );
  return client;
}

/** Destroys the process-wide client (closing its sockets); the next call creates a new one. For tests. */
export async function resetSecretsManagerClient(): Promise<void> {
  const current = client;
  client = undefined;
  (await current?.catch(() => undefined))?.destroy();
}
