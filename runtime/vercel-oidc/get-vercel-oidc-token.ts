import { OIDC_AUDIENCE_ENV, OIDC_TOKEN_DURATION_ENV } from '../constructs-contract';
import { InvalidOidcOptionError, VercelOidcTokenError } from '../errors';
import { getContext } from '../get-context';
import { exchangeVercelOidcToken } from './exchange-vercel-oidc-token';
import {
  findVercelToken,
  MISSING_TOKEN_MESSAGE,
  noTokenMessage,
  OIDC_TOKEN_ENV,
  OIDC_TOKEN_HEADER_NAME,
} from './vercel-token-sources';
import {
  fetchWebIdentityToken,
  tokenLifetimeSeconds,
  type WebIdentityTokenRequest,
  webIdentityTokenRequest,
} from './web-identity-token';

interface GetVercelOidcTokenBaseOptions {
  /** Vercel team for upstream's local-development refresh through the Vercel CLI. Not used on AWS. */
  team?: string;
  /** Vercel project for upstream's local-development refresh through the Vercel CLI. Not used on AWS. */
  project?: string;
  /**
   * Treat a token as expired this many ms early: an expiring header or environment token is passed
   * over, and a cached STS token is replaced. For STS tokens it must be shorter than their lifetime
   * (`VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION`, 300 s by default).
   *
   * @default 0
   */
  expirationBufferMs?: number;
}

/** Options of `getVercelOidcToken()`, shaped as upstream `@vercel/oidc` declares them. */
export type GetVercelOidcTokenOptions =
  | (GetVercelOidcTokenBaseOptions & {
      /**
       * Audience (`aud`) of the token. A Vercel token (header or `VERCEL_OIDC_TOKEN`) is exchanged
       * at Vercel, as upstream; otherwise STS `GetWebIdentityToken` issues one for this audience.
       */
      audience: string;
      /** `jti` of an exchanged Vercel token. STS sets its own `jti`, so the STS path rejects it. */
      jti?: string;
      /** Get a new token even when a cached one is still good. */
      skipCache?: boolean;
    })
  | (GetVercelOidcTokenBaseOptions & { audience?: undefined; jti?: never; skipCache?: never });

/**
 * Returns the OIDC token of the current request: the `x-vercel-oidc-token` request header, else
 * the `VERCEL_OIDC_TOKEN` environment variable — upstream's synchronous lookup, unchanged. It
 * cannot call STS; use `getVercelOidcToken()` on AWS.
 *
 * @deprecated Use `getVercelOidcToken` (upstream deprecates the sync variant as well).
 * @throws {VercelOidcTokenError} `The 'x-vercel-oidc-token' header is missing from the request.`
 * when neither is set (an empty header does not fall back to the environment, as upstream).
 * @example
 * ```ts
 * import { getVercelOidcTokenSync } from '@vercel/oidc';
 *
 * const token = getVercelOidcTokenSync();
 * ```
 */
export function getVercelOidcTokenSync(): string {
  const token = getContext().headers?.[OIDC_TOKEN_HEADER_NAME] ?? process.env[OIDC_TOKEN_ENV];
  if (!token) throw new VercelOidcTokenError(MISSING_TOKEN_MESSAGE);
  return token;
}

/**
 * Resolves to an OIDC token for the function. In order:
 *
 * 1. the request's `x-vercel-oidc-token` header (only the runtime sets it; CloudFront strips it
 *    from viewers), then
 * 2. the `VERCEL_OIDC_TOKEN` environment variable — each skipped when expired; then
 * 3. **AWS IAM outbound identity federation**: STS `GetWebIdentityToken` for the function's own role,
 *    with `options.audience` or the `VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE` the construct sets. Its
 *    `iss` is the account's issuer URL and its `sub` the role ARN. Cached per audience until
 *    shortly before expiry; concurrent callers share one STS call.
 *
 * With `audience`, a Vercel token from 1 or 2 is exchanged at Vercel, as upstream does. Do not
 * cache the result yourself: it changes.
 *
 * @throws {VercelOidcTokenError} when no source gave a token; the message starts with upstream's
 * `The 'x-vercel-oidc-token' header is missing from the request.` and lists every source tried and
 * why it failed (STS's own error is kept as `cause`).
 * @throws {InvalidOidcOptionError} for options STS cannot honour (a `jti`, a bad signing algorithm,
 * an `expirationBufferMs` that is not shorter than the lifetime of STS tokens) and for an
 * `expirationBufferMs` that is not a number of milliseconds from 0.
 * @example
 * ```ts
 * import { getVercelOidcToken } from '@vercel/oidc';
 *
 * const token = await getVercelOidcToken({ audience: 'api://my-service' });
 * await fetch('https://my-service.example.com/report', { headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export async function getVercelOidcToken(options?: GetVercelOidcTokenOptions): Promise<string> {
  const bufferMs = options?.expirationBufferMs ?? 0;
  if (typeof bufferMs !== 'number' || !Number.isFinite(bufferMs) || bufferMs < 0) {
    throw new InvalidOidcOptionError(
      `getVercelOidcToken: expirationBufferMs must be a number of milliseconds from 0, got ${typeof bufferMs === 'string' ? JSON.stringify(bufferMs) : String(bufferMs)}`,
    );
  }
  const found = findVercelToken(bufferMs);
  if (found.token !== undefined) {
    if (!options?.audience) return found.token;
    return exchangeVercelOidcToken({
      token: found.token,
      audience: options.audience,
      jti: options.jti,
      skipCache: options.skipCache,
    });
  }

  const tried = [...found.tried];
  const request = webIdentityTokenRequest(options?.audience);
  if (!request) {
    tried.push(
      `STS GetWebIdentityToken: no audience; pass { audience } or set ${OIDC_AUDIENCE_ENV} ` +
        '(VercelProject and OidcIssuer.awsOutboundFederation() set it)',
    );
    throw new VercelOidcTokenError(noTokenMessage(tried));
  }
  if (options?.jti !== undefined) {
    throw new InvalidOidcOptionError(
      `getVercelOidcToken({ jti: ${JSON.stringify(options.jti)} }): STS GetWebIdentityToken sets its own jti claim and cannot take one`,
    );
  }
  checkBufferWithinLifetime(bufferMs, request);
  try {
    return await fetchWebIdentityToken(request, { minValidityMs: bufferMs, skipCache: options?.skipCache });
  } catch (error) {
    tried.push(`STS GetWebIdentityToken: ${error instanceof Error ? error.message : String(error)}`);
    throw new VercelOidcTokenError(noTokenMessage(tried), { cause: error });
  }
}

// A buffer as long as the tokens live makes every token, even one STS has just issued, count as
// expiring: each call would then ask STS again (and get a token with less time left than asked).
// Upstream has no such case — its tokens come from Vercel with a lifetime the buffer cannot change —
// so a clear refusal here instead of an STS call per request.
function checkBufferWithinLifetime(bufferMs: number, request: WebIdentityTokenRequest): void {
  const lifetimeSeconds = tokenLifetimeSeconds(request);
  if (bufferMs < lifetimeSeconds * 1000) return;
  const source =
    request.durationSeconds === undefined
      ? "STS' default"
      : `${OIDC_TOKEN_DURATION_ENV}=${request.durationSeconds}`;
  throw new InvalidOidcOptionError(
    `getVercelOidcToken: expirationBufferMs (${bufferMs} ms) must be shorter than the lifetime of the tokens STS issues for audience '${request.audience}', ${lifetimeSeconds * 1000} ms (${lifetimeSeconds} s, ${source}): no token would ever have that much time left, so every call would go to STS. Lower expirationBufferMs or raise the token duration (VercelProject's oidcTokenDuration)`,
  );
}
