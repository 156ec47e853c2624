import { MissingPackageError } from '../errors';
import { getVercelOidcTokenSync } from './get-vercel-oidc-token';

const WEB_IDENTITY_PACKAGE = '@aws-sdk/credential-provider-web-identity';

/** AWS credentials, as the AWS SDK v3 (`@smithy/types` `AwsCredentialIdentity`) describes them. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
  readonly credentialScope?: string;
  readonly accountId?: string;
}

/** A function the AWS SDK v3 calls for credentials (`@smithy/types` `AwsCredentialIdentityProvider`). */
export type AwsCredentialIdentityProvider = (
  identityProperties?: Record<string, unknown>,
) => Promise<AwsCredentialIdentity>;

/**
 * Options of `awsCredentialsProvider()`: the SDK's `FromWebTokenInit` without `webIdentityToken`.
 * Declared structurally so the runtime does not depend on the AWS SDK at compile time.
 */
export interface AwsCredentialsProviderInit {
  /** ARN of the role to assume. */
  roleArn: string;
  /** Name of the role session. @default `aws-sdk-js-session-<epoch ms>` (the SDK's default) */
  roleSessionName?: string;
  /** Host of the identity provider (OAuth 2.0 providers only). */
  providerId?: string;
  /** Managed policies that further limit the session. */
  policyArns?: { arn?: string }[];
  /** An inline session policy (JSON). */
  policy?: string;
  /** Session duration in seconds. @default 3600 (STS' default) */
  durationSeconds?: number;
  /** Replaces the STS call that assumes the role. */
  roleAssumerWithWebIdentity?: (params: Record<string, unknown>) => Promise<AwsCredentialIdentity>;
  /** STS client configuration overrides. */
  clientConfig?: Record<string, unknown>;
  /** STS client plugins. */
  clientPlugins?: unknown[];
  /** Logger for the credential provider. */
  logger?: unknown;
  /** Configuration of the client that asks for these credentials. */
  parentClientConfig?: Record<string, unknown>;
}

interface WebIdentityModule {
  fromWebToken: (
    init: AwsCredentialsProviderInit & { webIdentityToken: string },
  ) => AwsCredentialIdentityProvider;
}

async function loadWebIdentityModule(): Promise<WebIdentityModule> {
  try {
    // `as string` keeps TypeScript from resolving the optional peer package at compile time; the
    // bundler still sees a literal specifier and bundles it or leaves it external.
    return (await import('@aws-sdk/credential-provider-web-identity' as string)) as WebIdentityModule;
  } catch (error) {
    throw new MissingPackageError(WEB_IDENTITY_PACKAGE, { cause: error });
  }
}

/**
 * Returns an AWS SDK v3 credential provider that assumes `init.roleArn` with STS
 * `AssumeRoleWithWebIdentity`, using the current OIDC token (`getVercelOidcTokenSync()`) as the
 * web identity. Each call re-reads the token and calls STS; SDK clients cache the credentials.
 * Needs the `@aws-sdk/credential-provider-web-identity` package.
 *
 * @deprecated from `@vercel/functions/oidc` (as upstream); import it from
 * `@vercel/oidc-aws-credentials-provider`.
 * @throws {MissingPackageError} (when the provider is called) `package '@aws-sdk/credential-provider-web-identity' not found`.
 * @example
 * ```ts
 * import { S3Client } from '@aws-sdk/client-s3';
 * import { awsCredentialsProvider } from '@vercel/functions/oidc';
 *
 * const s3 = new S3Client({ credentials: awsCredentialsProvider({ roleArn: process.env.AWS_ROLE_ARN! }) });
 * ```
 */
export function awsCredentialsProvider(init: AwsCredentialsProviderInit): AwsCredentialIdentityProvider {
  return async () => {
    const { fromWebToken } = await loadWebIdentityModule();
    return fromWebToken({ ...init, webIdentityToken: getVercelOidcTokenSync() })();
  };
}
