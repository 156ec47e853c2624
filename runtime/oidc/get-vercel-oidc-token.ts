import { UnsupportedOptionError, VercelOidcTokenError } from '../errors';
import { getContext } from '../get-context';

/** The request header that carries the OIDC token (set by the runtime only; CloudFront strips it from viewers). */
export const OIDC_TOKEN_HEADER_NAME = 'x-vercel-oidc-token';

interface GetVercelOidcTokenBaseOptions {
  /** Vercel team for the local-development refresh through the Vercel CLI. Not used on AWS. */
  team?: string;
  /** Vercel project for the local-development refresh through the Vercel CLI. Not used on AWS. */
  project?: string;
  /** Treat the token as expired this many ms early, for the local refresh. Not used on AWS. */
  expirationBufferMs?: number;
}

/** Options of `getVercelOidcToken()`, shaped as upstream `@vercel/oidc` declares them. */
export type GetVercelOidcTokenOptions =
  | (GetVercelOidcTokenBaseOptions & {
      /** Audience of an exchanged token. Not supported on AWS yet: the call rejects. */
      audience: string;
      jti?: string;
      skipCache?: boolean;
    })
  | (GetVercelOidcTokenBaseOptions & { audience?: undefined; jti?: never; skipCache?: never });

/**
 * Returns the OIDC token of the current request: the `x-vercel-oidc-token` request header, else
 * the `VERCEL_OIDC_TOKEN` environment variable (header first, as upstream's code does).
 *
 * @deprecated Use `getVercelOidcToken` (upstream deprecates the sync variant as well).
 * @throws {VercelOidcTokenError} `The 'x-vercel-oidc-token' header is missing from the request.`
 * when neither is set (an empty header does not fall back to the environment, as upstream).
 * @example
 * ```ts
 * import { getVercelOidcTokenSync } from '@vercel/functions/oidc';
 *
 * const token = getVercelOidcTokenSync();
 * ```
 */
export function getVercelOidcTokenSync(): string {
  const token = getContext().headers?.[OIDC_TOKEN_HEADER_NAME] ?? process.env.VERCEL_OIDC_TOKEN;
  if (!token) {
    throw new VercelOidcTokenError(`The '${OIDC_TOKEN_HEADER_NAME}' header is missing from the request.`);
  }
  return token;
}

/**
 * Resolves to the OIDC token of the current request: the `x-vercel-oidc-token` request header,
 * else the `VERCEL_OIDC_TOKEN` environment variable. Do not cache it; it changes.
 *
 * Differences from upstream on AWS: there is no Vercel CLI refresh (upstream's local-development
 * path), so `team`, `project` and `expirationBufferMs` are ignored; an `audience` exchange is not
 * supported yet and rejects with {@link UnsupportedOptionError}.
 *
 * @deprecated from `@vercel/functions/oidc` (as upstream); import it from `@vercel/oidc`.
 * @throws {VercelOidcTokenError} `The 'x-vercel-oidc-token' header is missing from the request.`
 * @example
 * ```ts
 * import { getVercelOidcToken } from '@vercel/functions/oidc';
 *
 * const token = await getVercelOidcToken();
 * ```
 */
export async function getVercelOidcToken(options?: GetVercelOidcTokenOptions): Promise<string> {
  if (options?.audience) {
    throw new UnsupportedOptionError(
      `getVercelOidcToken({ audience: ${JSON.stringify(options.audience)} }): exchanging the token for ` +
        'another audience is not supported by this runtime yet; call it without `audience`.',
    );
  }
  return getVercelOidcTokenSync();
}
