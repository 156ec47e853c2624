import {
  OIDC_AUDIENCE_ENV,
  OIDC_SIGNING_ALGORITHM_ENV,
  OIDC_TOKEN_DURATION_ENV,
} from '../constructs-contract';
import { InvalidOidcOptionError, StsOperationError } from '../errors';
import { loadStsSdk, resetStsClient, stsClient } from './sts-client';
import { stsOperationError } from './sts-errors';
import { ExpiringTokenCache, type GetTokenOptions } from './token-cache';

/** The algorithms `GetWebIdentityToken` signs with. */
export const SIGNING_ALGORITHMS = ['RS256', 'ES384'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** One kind of token the function asks STS for. */
export interface WebIdentityTokenRequest {
  readonly audience: string;
  readonly signingAlgorithm: SigningAlgorithm;
  /** @default - STS' default, 300 s */
  readonly durationSeconds?: number;
}

// STS' documented bounds and default for GetWebIdentityToken.
const MIN_DURATION_SECONDS = 60;
const MAX_DURATION_SECONDS = 3600;
const DEFAULT_DURATION_SECONDS = 300;
const MAX_AUDIENCE_LENGTH = 1000;

/**
 * What to ask STS for: `audience` (else `VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE`), with the signing
 * algorithm and lifetime the construct configured. `undefined` when no audience is known.
 *
 * @throws {InvalidOidcOptionError} for values STS would refuse, naming the setting.
 */
export function webIdentityTokenRequest(
  audience: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): WebIdentityTokenRequest | undefined {
  const aud = audience ?? env[OIDC_AUDIENCE_ENV];
  if (aud === undefined || aud === '') return undefined;
  if (aud.length > MAX_AUDIENCE_LENGTH) {
    throw new InvalidOidcOptionError(
      `the audience must be at most ${MAX_AUDIENCE_LENGTH} characters (GetWebIdentityToken's limit), got ${aud.length}`,
    );
  }
  const algorithm = env[OIDC_SIGNING_ALGORITHM_ENV] || 'RS256';
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new InvalidOidcOptionError(
      `${OIDC_SIGNING_ALGORITHM_ENV} must be ${SIGNING_ALGORITHMS.join(' or ')}, got ${JSON.stringify(algorithm)}`,
    );
  }
  const duration = env[OIDC_TOKEN_DURATION_ENV];
  let durationSeconds: number | undefined;
  if (duration !== undefined && duration !== '') {
    durationSeconds = Number(duration);
    if (
      !Number.isInteger(durationSeconds) ||
      durationSeconds < MIN_DURATION_SECONDS ||
      durationSeconds > MAX_DURATION_SECONDS
    ) {
      throw new InvalidOidcOptionError(
        `${OIDC_TOKEN_DURATION_ENV} must be a whole number of seconds from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}, got ${JSON.stringify(duration)}`,
      );
    }
  }
  return { audience: aud, signingAlgorithm: algorithm as SigningAlgorithm, durationSeconds };
}

/** How long STS makes the tokens of `request` valid: its duration, else STS' default of 300 s. */
export function tokenLifetimeSeconds(request: WebIdentityTokenRequest): number {
  return request.durationSeconds ?? DEFAULT_DURATION_SECONDS;
}

// One cache per process: the tokens assert the function's own role, the same for every request.
const tokens = new ExpiringTokenCache();

/**
 * A token from STS `GetWebIdentityToken` asserting the function's own role, reused until shortly
 * before it expires; concurrent callers share one STS call.
 *
 * @throws {StsOperationError} when STS refuses (e.g. outbound federation disabled, no permission).
 */
export function fetchWebIdentityToken(
  request: WebIdentityTokenRequest,
  options: GetTokenOptions = {},
): Promise<string> {
  const key = JSON.stringify([request.audience, request.signingAlgorithm, request.durationSeconds]);
  return tokens.get(key, () => callGetWebIdentityToken(request), options);
}

async function callGetWebIdentityToken(request: WebIdentityTokenRequest) {
  const target = `for audience '${request.audience}'`;
  // With the AWS SDK left to the Lambda runtime (VercelFunction's default, for cold start), the
  // runtime's copy may predate GetWebIdentityToken (client-sts 3.1174.0): say how to fix it instead
  // of failing with "GetWebIdentityTokenCommand is not a constructor".
  const { GetWebIdentityTokenCommand } = await loadStsSdk();
  if (typeof GetWebIdentityTokenCommand !== 'function') {
    throw new StsOperationError(
      `STS GetWebIdentityToken ${target} is not available: the AWS SDK this function loads (@aws-sdk/client-sts) predates it. Bundle the SDK with the function (VercelProject does when oidcAudiences is set; a VercelFunction needs bundling: { bundleAwsSDK: true })`,
      'GetWebIdentityToken',
      'UnsupportedSdkVersion',
    );
  }
  let output: { WebIdentityToken?: string; Expiration?: Date };
  try {
    output = await (await stsClient()).send(
      new GetWebIdentityTokenCommand({
        Audience: [request.audience],
        SigningAlgorithm: request.signingAlgorithm,
        DurationSeconds: request.durationSeconds,
      }),
    );
  } catch (error) {
    throw stsOperationError('GetWebIdentityToken', target, error);
  }
  if (!output.WebIdentityToken || !(output.Expiration instanceof Date)) {
    throw new StsOperationError(
      `STS GetWebIdentityToken ${target} answered without a token or expiration`,
      'GetWebIdentityToken',
      'InvalidResponse',
    );
  }
  return { token: output.WebIdentityToken, expiresAt: output.Expiration.getTime() };
}

/** Forgets cached tokens and the STS client (tests, or after the environment changed). */
export function resetWebIdentityTokens(): void {
  tokens.clear();
  resetStsClient();
}
