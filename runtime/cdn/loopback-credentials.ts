import type { CloudFrontClientConfig } from '@aws-sdk/client-cloudfront';

/** A credentials provider, as the SDK's clients take one (`credentials`). */
type CredentialsProvider = Extract<
  NonNullable<CloudFrontClientConfig['credentials']>,
  (...args: never[]) => unknown
>;
type Credentials = Awaited<ReturnType<CredentialsProvider>>;

/**
 * Signed by the CloudFront client when its endpoint is a loopback address and the SDK's own chain
 * finds no credentials: the local endpoints (`npm start`'s CloudFront API, the tests') check a
 * request's SigV4 form, never its key, and the SDK signs every request.
 */
// Marked pure: esbuild would keep the call in every bundle that imports the runtime's index.
export const LOOPBACK_PLACEHOLDER_CREDENTIALS: Credentials = /* @__PURE__ */ Object.freeze({
  accessKeyId: 'local',
  secretAccessKey: 'local',
});

/**
 * The endpoint the SDK uses for `service` from the environment (`AWS_ENDPOINT_URL_<SERVICE>`, else
 * `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`), as the SDK reads them
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), or `undefined`.
 */
export function configuredEndpoint(serviceEnvSuffix: string): string | undefined {
  const env = process.env;
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${serviceEnvSuffix}`] || env.AWS_ENDPOINT_URL || undefined;
}

/** Whether `url` is an http(s) URL on this machine's loopback interface (127.0.0.0/8, ::1, localhost). */
export function isLoopbackUrl(url: string | undefined): boolean {
  if (url === undefined || !URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'http:' && protocol !== 'https:') return false;
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The SDK's default credential chain (`chain`), falling back to
 * {@link LOOPBACK_PLACEHOLDER_CREDENTIALS} when it finds nothing. Only for a client whose endpoint is
 * a loopback address: `npm start` runs the functions in its own process, and placeholder keys in
 * `AWS_ACCESS_KEY_ID` would also reach every other client there — STS among them, whose real
 * endpoint then refuses them (`InvalidClientTokenId`) where awsCredentialsProvider would otherwise
 * report that no credentials exist. Real credentials, when configured, are still used (a loopback
 * proxy in front of AWS, or LocalStack, which reads the account from the key).
 */
export function withLoopbackPlaceholder(chain: CredentialsProvider): CredentialsProvider {
  return async (options) => {
    try {
      return await chain(options);
    } catch {
      // Whatever the chain's failure (none configured, an expired SSO session), a loopback endpoint
      // accepts any key; the SDK memoizes the result for the client's life (no expiration).
      return LOOPBACK_PLACEHOLDER_CREDENTIALS;
    }
  };
}
