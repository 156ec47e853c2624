import { MissingPackageError } from '../errors';

/** The JWT claims set (jose's `JWTPayload`), declared here so the runtime needs no jose types. */
export interface JwtPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  jti?: string;
  nbf?: number;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

/** The claims of a Vercel OIDC token (upstream's `VercelOidcPayload`). */
export type VercelOidcPayload = JwtPayload & {
  owner_id: string;
  project_id: string;
  environment: string;
  external_sub?: string;
  sub: string;
  aud: string;
  iss: string;
};

/** jose's `JWTVerifyOptions` (claim checks and algorithms), declared structurally. */
export interface JwtVerifyOptions {
  audience?: string | string[];
  issuer?: string | string[];
  subject?: string;
  typ?: string;
  clockTolerance?: string | number;
  maxTokenAge?: string | number;
  currentDate?: Date;
  requiredClaims?: string[];
  algorithms?: string[];
  crit?: Record<string, boolean>;
}

/** Options of {@link verifyVercelOidcToken}: upstream's claim checks plus jose's options. */
export type VerifyVercelOidcTokenOptions = {
  /** Expected `project_id`(s); `'*'` allows any. @default process.env.VERCEL_PROJECT_ID */
  projectId?: string | string[] | '*';
  /** Expected `environment`(s); `'*'` allows any. @default VERCEL_TARGET_ENV or VERCEL_ENV */
  environment?: string | string[] | '*';
  /** Expected `owner_id` (team id). @default - not checked */
  ownerId?: string;
} & JwtVerifyOptions;

/** jose's `JWTVerifyResult`. */
export interface JwtVerifyResult<P> {
  payload: P;
  protectedHeader: Record<string, unknown>;
}

const VERCEL_OIDC_ISSUER = 'https://oidc.vercel.com';
const VERCEL_OIDC_JWKS_URL = 'https://oidc.vercel.com/.well-known/jwks';
const DEFAULT_ALGORITHMS = ['RS256'];

type Jose = typeof import('jose');
let jwks: ReturnType<Jose['createRemoteJWKSet']> | undefined;

async function loadJose(): Promise<Jose> {
  try {
    return await import('jose');
  } catch (error) {
    throw new MissingPackageError('jose', { cause: error });
  }
}

/**
 * Verifies a **Vercel-issued** OIDC token against Vercel's JWKS (`https://oidc.vercel.com/.well-known/jwks`),
 * with upstream's checks: signature (RS256 unless `algorithms`), `iss` is `https://oidc.vercel.com`
 * or below it, `project_id` / `environment` / `owner_id` as given or from the environment. Useful
 * on AWS for an API that accepts calls from Vercel deployments. It does not verify tokens from STS
 * `GetWebIdentityToken` (their issuer is the AWS account's); verify those with jose against the
 * issuer's own JWKS.
 *
 * Needs the `jose` package (upstream `@vercel/oidc` depends on it; install it next to your code).
 *
 * @throws {MissingPackageError} `package 'jose' not found` when jose is not installed.
 * @throws {TypeError} with upstream's messages when a claim does not match.
 * @example
 * ```ts
 * import { verifyVercelOidcToken } from '@vercel/oidc';
 *
 * const { payload } = await verifyVercelOidcToken(token, { projectId: 'prj_123', environment: 'production' });
 * ```
 */
export async function verifyVercelOidcToken<P = VercelOidcPayload>(
  token: string,
  options?: VerifyVercelOidcTokenOptions,
): Promise<JwtVerifyResult<P>> {
  const {
    algorithms,
    projectId = process.env.VERCEL_PROJECT_ID,
    environment = process.env.VERCEL_TARGET_ENV || process.env.VERCEL_ENV,
    ownerId,
    ...verifyOptions
  } = options ?? {};
  if (projectId === '*' && ownerId === undefined && !hasAudience(verifyOptions.audience)) {
    throw new TypeError("Expected ownerId or audience to be provided when projectId is '*'.");
  }
  const jose = await loadJose();
  jwks ??= jose.createRemoteJWKSet(new URL(VERCEL_OIDC_JWKS_URL));
  const result = await jose.jwtVerify(token, jwks, {
    ...verifyOptions,
    algorithms: (algorithms ?? DEFAULT_ALGORITHMS) as import('jose').JWTVerifyOptions['algorithms'],
  });
  const payload = result.payload as JwtPayload;
  checkIssuer(payload.iss);
  checkClaim('project_id', payload.project_id, projectId, 'VERCEL_PROJECT_ID', 'projectId');
  checkClaim(
    'environment',
    payload.environment,
    environment,
    'VERCEL_TARGET_ENV or VERCEL_ENV',
    'environment',
  );
  if (ownerId !== undefined && payload.owner_id !== ownerId) {
    throw new TypeError(`Expected Vercel OIDC token owner_id claim to be "${ownerId}".`);
  }
  return result as unknown as JwtVerifyResult<P>;
}

function hasAudience(audience: string | string[] | undefined): boolean {
  return Array.isArray(audience) ? audience.length > 0 : audience !== undefined;
}

function checkIssuer(iss: unknown): void {
  if (iss === VERCEL_OIDC_ISSUER) return;
  if (typeof iss === 'string' && iss.startsWith(`${VERCEL_OIDC_ISSUER}/`)) return;
  throw new TypeError(
    `Expected Vercel OIDC token iss claim to be "${VERCEL_OIDC_ISSUER}" or to start with "${VERCEL_OIDC_ISSUER}/".`,
  );
}

function checkClaim(
  claim: string,
  actual: unknown,
  expected: string | string[] | undefined,
  env: string,
  option: string,
): void {
  if (expected === '*') return;
  if (expected === undefined || expected.length === 0) {
    throw new TypeError(
      `Expected ${env} to be set or ${option} to be provided. Pass ${option}: '*' to allow any ${claim} claim.`,
    );
  }
  if (Array.isArray(expected)) {
    if (typeof actual === 'string' && expected.includes(actual)) return;
    throw new TypeError(
      `Expected Vercel OIDC token ${claim} claim to be one of: ${expected.map((value) => `"${value}"`).join(', ')}.`,
    );
  }
  if (actual !== expected)
    throw new TypeError(`Expected Vercel OIDC token ${claim} claim to be "${expected}".`);
}

/** Forgets the cached JWKS (tests). */
export function resetVercelJwks(): void {
  jwks = undefined;
}
