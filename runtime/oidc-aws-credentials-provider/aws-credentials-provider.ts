// The AWS SDK packages come from the Lambda Node.js runtime by default (VercelFunction leaves
// `@aws-sdk/*` external for cold start); AssumeRole and AssumeRoleWithWebIdentity are in every copy.
// With `bundleAwsSDK: true` esbuild bundles the versions this package is tested with instead. Either
// way they are imported when the provider is first called, not when this module loads: clients are
// usually built at module scope with `credentials: awsCredentialsProvider(...)`, and the cold start
// should not pay for STS before the first request needs credentials.
import type { AssumeRoleCommandOutput, STSClient, STSClientConfig } from '@aws-sdk/client-sts';
import type { FromWebTokenInit, fromWebToken } from '@aws-sdk/credential-provider-web-identity';
import { InvalidOidcOptionError, StsOperationError, VercelOidcTokenError } from '../errors';
import { exchangeVercelOidcToken } from '../vercel-oidc/exchange-vercel-oidc-token';
import { loadStsSdk, stsRequestHandler } from '../vercel-oidc/sts-client';
import { stsOperationError } from '../vercel-oidc/sts-errors';
import { findVercelToken, noTokenMessage } from '../vercel-oidc/vercel-token-sources';
import { fetchWebIdentityToken, webIdentityTokenRequest } from '../vercel-oidc/web-identity-token';

/** A function the AWS SDK v3 calls for credentials; any v3 client accepts it as `credentials`. */
export type AwsCredentialIdentityProvider = ReturnType<typeof fromWebToken>;
type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;
type IdentityProperties = Parameters<AwsCredentialIdentityProvider>[0];

/** Upstream's audience-exchange options: only with an `audience`. */
export type VercelOidcExchangeInit =
  | {
      /** Exchange the Vercel token for one with this audience before assuming the role. */
      audience: string;
      jti?: string;
      /** Bypass the exchanged-token cache. */
      skipTokenCache?: boolean;
    }
  | { audience?: undefined; jti?: never; skipTokenCache?: never };

/**
 * Options of {@link awsCredentialsProvider}: the AWS SDK's `FromWebTokenInit` without
 * `webIdentityToken` (`roleArn`, `roleSessionName`, `providerId`, `policyArns`, `policy`,
 * `durationSeconds`, `roleAssumerWithWebIdentity`, `clientConfig`, `clientPlugins`, `logger`,
 * `parentClientConfig`), plus upstream's audience exchange — upstream's exact type.
 */
export type AwsCredentialsProviderInit = Omit<FromWebTokenInit, 'webIdentityToken'> & VercelOidcExchangeInit;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

// AWS limits a session obtained by role chaining to one hour, whatever the role's MaxSessionDuration,
// and STS refuses a longer DurationSeconds with ValidationError
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
const MAX_CHAINED_SESSION_SECONDS = 3600;
let chainedDurationWarned = false;

/**
 * Returns an AWS SDK v3 credential provider for the IAM role `init.roleArn`, so code written for
 * Vercel keeps working on AWS unchanged:
 *
 * - With a Vercel OIDC token (the request's `x-vercel-oidc-token` header, or `VERCEL_OIDC_TOKEN`):
 *   STS `AssumeRoleWithWebIdentity` through the AWS SDK's own `fromWebToken`, every option honoured —
 *   exactly upstream's behaviour. The role must trust the token's issuer (`OidcRole`).
 * - Without one, on AWS: the function's own execution role assumes `roleArn` with STS `AssumeRole`
 *   (same session name, policies and duration; `clientConfig` / `clientPlugins` apply to that STS
 *   client). That is role chaining, which AWS limits to one hour: a `durationSeconds` above 3600 —
 *   fine on Vercel up to the role's maximum — is lowered to 3600, with one warning per process.
 *   AWS documents that tokens from `GetWebIdentityToken` cannot be used with
 *   `AssumeRoleWithWebIdentity`, so role chaining is how an AWS identity gets there
 *   (`OidcRole.grantAssumeRole(fn)` allows it). Given a `roleAssumerWithWebIdentity`, that assumer is
 *   called with a `GetWebIdentityToken` token instead.
 *
 * Each call asks STS afresh; SDK clients cache the credentials until 5 minutes before expiry.
 *
 * @throws {VercelOidcTokenError} (when called) no token and no AWS credentials; the message lists
 * every source tried and why it failed.
 * @throws {StsOperationError} (when called) STS refused, e.g. `InvalidIdentityTokenException`,
 * `ExpiredTokenException`, `IDPRejectedClaimException` or `AccessDenied`, with STS's message and
 * the SDK error as `cause`. `IDPCommunicationError` is retried by the SDK before it surfaces.
 * @throws {InvalidOidcOptionError} (when called) `roleArn` is not an IAM role ARN.
 * @example
 * ```ts
 * import { awsCredentialsProvider } from '@vercel/oidc-aws-credentials-provider';
 * import * as s3 from '@aws-sdk/client-s3';
 *
 * const s3client = new s3.S3Client({
 *   region: process.env.AWS_REGION!,
 *   credentials: awsCredentialsProvider({ roleArn: process.env.AWS_ROLE_ARN! }),
 * });
 * ```
 */
export function awsCredentialsProvider(init: AwsCredentialsProviderInit): AwsCredentialIdentityProvider {
  const { audience, jti, skipTokenCache, ...webTokenInit } = init;
  let roleChainingClient: Promise<STSClient> | undefined;

  return async (identityProperties) => {
    checkRoleArn(webTokenInit.roleArn);
    const found = findVercelToken();
    if (found.token !== undefined) {
      const token = audience
        ? await exchangeVercelOidcToken({ token: found.token, audience, jti, skipCache: skipTokenCache })
        : found.token;
      return assumeRoleWithWebIdentity(webTokenInit, token, identityProperties);
    }

    if (webTokenInit.roleAssumerWithWebIdentity) {
      const request = webIdentityTokenRequest(audience);
      if (!request) {
        throw new VercelOidcTokenError(
          noTokenMessage([
            ...found.tried,
            'STS GetWebIdentityToken (for roleAssumerWithWebIdentity): no audience; pass { audience } or set VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE',
          ]),
        );
      }
      const token = await fetchWebIdentityToken(request, { skipCache: skipTokenCache });
      return assumeRoleWithWebIdentity(webTokenInit, token, identityProperties);
    }

    roleChainingClient ??= createRoleChainingClient(webTokenInit, identityProperties);
    const client = roleChainingClient;
    // A failed SDK import is not remembered: the next call tries again.
    client.catch(() => {
      if (roleChainingClient === client) roleChainingClient = undefined;
    });
    return assumeRoleWithOwnCredentials(await client, webTokenInit, found.tried);
  };
}

// Code written for Vercel may ask for more than an hour; the chained session gets an hour instead
// of failing every credential refresh.
function chainedDuration(durationSeconds: number | undefined): number | undefined {
  if (durationSeconds === undefined || durationSeconds <= MAX_CHAINED_SESSION_SECONDS) return durationSeconds;
  if (!chainedDurationWarned) {
    chainedDurationWarned = true;
    console.warn(
      `[vercel-functions-aws] awsCredentialsProvider: durationSeconds ${durationSeconds} is lowered to ${MAX_CHAINED_SESSION_SECONDS}: without a Vercel OIDC token the function's own role assumes the role (sts:AssumeRole), which is role chaining, and AWS allows a chained session at most one hour (${MAX_CHAINED_SESSION_SECONDS} s). Sessions are renewed before they expire.`,
    );
  }
  return MAX_CHAINED_SESSION_SECONDS;
}

function checkRoleArn(roleArn: unknown): void {
  if (typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn)) {
    throw new InvalidOidcOptionError(
      `awsCredentialsProvider: roleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got ${JSON.stringify(roleArn)}`,
    );
  }
}

async function assumeRoleWithWebIdentity(
  init: Omit<FromWebTokenInit, 'webIdentityToken'>,
  webIdentityToken: string,
  identityProperties: IdentityProperties,
): Promise<AwsCredentialIdentity> {
  const { fromWebToken } = await import('@aws-sdk/credential-provider-web-identity');
  try {
    return await fromWebToken({ ...init, webIdentityToken })(identityProperties);
  } catch (error) {
    throw stsOperationError('AssumeRoleWithWebIdentity', `of role ${init.roleArn}`, error);
  }
}

// The STS client the execution role signs with. Configured like the SDK configures the client of
// `fromWebToken`: `clientConfig` first, then the calling client's region, then the environment —
// plus bounded timeouts (sts-client.ts says why) unless `clientConfig` brings its own handler.
async function createRoleChainingClient(
  init: Omit<FromWebTokenInit, 'webIdentityToken'>,
  identityProperties: IdentityProperties,
): Promise<STSClient> {
  const { STSClient } = await loadStsSdk();
  const clientConfig = (init.clientConfig ?? {}) as STSClientConfig;
  const parent = { ...identityProperties?.callerClientConfig, ...init.parentClientConfig } as STSClientConfig;
  const client = new STSClient({
    ...clientConfig,
    region: clientConfig.region ?? parent.region,
    logger: clientConfig.logger ?? init.logger,
    requestHandler: clientConfig.requestHandler ?? stsRequestHandler(),
  });
  for (const plugin of init.clientPlugins ?? []) client.middlewareStack.use(plugin);
  return client;
}

async function assumeRoleWithOwnCredentials(
  client: STSClient,
  init: Omit<FromWebTokenInit, 'webIdentityToken'>,
  tried: readonly string[],
): Promise<AwsCredentialIdentity> {
  const { AssumeRoleCommand } = await loadStsSdk();
  let output: AssumeRoleCommandOutput;
  try {
    output = await client.send(
      new AssumeRoleCommand({
        RoleArn: init.roleArn,
        RoleSessionName: init.roleSessionName ?? `aws-sdk-js-session-${Date.now()}`,
        PolicyArns: init.policyArns,
        Policy: init.policy,
        DurationSeconds: chainedDuration(init.durationSeconds),
      }),
    );
  } catch (error) {
    // No credentials at all (local development without an AWS profile): nothing was rejected, there
    // was just nothing to sign with — report it with the other sources.
    if (error instanceof Error && error.name === 'CredentialsProviderError') {
      throw new VercelOidcTokenError(
        noTokenMessage([
          ...tried,
          `the function's own AWS credentials (to call sts:AssumeRole on ${init.roleArn}): ${error.message}`,
        ]),
        { cause: error },
      );
    }
    throw stsOperationError('AssumeRole', `of role ${init.roleArn}`, error);
  }
  const credentials = output.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
    throw new StsOperationError(
      `STS AssumeRole of role ${init.roleArn} answered without credentials`,
      'AssumeRole',
      'InvalidResponse',
    );
  }
  const accountId = output.AssumedRoleUser?.Arn?.split(':')[4];
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
    ...(accountId ? { accountId } : {}),
  };
}
