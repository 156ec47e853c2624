import { createHash } from 'node:crypto';
import { VercelOidcTokenError } from '../errors';
import { ExpiringTokenCache } from './token-cache';

/** Options of {@link exchangeVercelOidcToken}, as upstream `@vercel/oidc` declares them. */
export interface ExchangeVercelOidcTokenOptions {
  /** The Vercel OIDC token to exchange. */
  token: string;
  /** Audience of the exchanged token. */
  audience?: string;
  /** `jti` of the exchanged token. */
  jti?: string;
  /** Bypass the in-memory cache; the fresh token still replaces the cached one. */
  skipCache?: boolean;
}

const EXCHANGE_URL = 'https://oidc.vercel.com/~token';

// Upstream keeps exchanged tokens until their exact expiry (no margin), 1000 at most.
const exchanged = new ExpiringTokenCache({ maxRefreshMarginMs: 0, maxEntries: 1000 });

/**
 * Exchanges a **Vercel-issued** OIDC token for one with another audience at Vercel's token
 * endpoint (`https://oidc.vercel.com/~token`), exactly as upstream does — a plain HTTPS call that
 * works from AWS too, as long as the token came from Vercel (e.g. `VERCEL_OIDC_TOKEN`). Tokens
 * from STS `GetWebIdentityToken` are not Vercel's: ask STS for the audience instead
 * (`getVercelOidcToken({ audience })` does). Results with an expiry are cached until then.
 *
 * @throws {VercelOidcTokenError} `Failed to exchange token: <reason>` (upstream's messages).
 * @example
 * ```ts
 * import { exchangeVercelOidcToken } from '@vercel/oidc';
 *
 * const token = await exchangeVercelOidcToken({ token: process.env.VERCEL_OIDC_TOKEN!, audience: 'api://reports' });
 * ```
 */
export async function exchangeVercelOidcToken(options: ExchangeVercelOidcTokenOptions): Promise<string> {
  const key = createHash('sha256')
    .update(JSON.stringify([options.token, options.audience, options.jti]))
    .digest('hex');
  return exchanged.get(key, () => exchange(options), { skipCache: options.skipCache });
}

async function exchange(
  options: ExchangeVercelOidcTokenOptions,
): Promise<{ token: string; expiresAt: number }> {
  const response = await fetch(EXCHANGE_URL, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': 'vercel-functions-aws (@vercel/oidc compatible)',
    },
    body: JSON.stringify({
      token: options.token,
      aud: options.audience,
      ...(options.jti ? { jti: options.jti } : {}),
    }),
  });
  if (!response.ok) {
    throw new VercelOidcTokenError(`Failed to exchange token: ${await errorText(response)}`);
  }
  let data: unknown;
  try {
    data = await response.json();
  } catch (error) {
    throw new VercelOidcTokenError('Failed to exchange token: response was not valid JSON', { cause: error });
  }
  const body = data as { token?: unknown; expiry?: unknown } | null;
  if (!body || typeof body !== 'object' || typeof body.token !== 'string') {
    throw new VercelOidcTokenError('Failed to exchange token: response did not contain a token');
  }
  // `expiry` is in seconds; without one the token is not reused (stale at once), as upstream.
  const expiresAt = typeof body.expiry === 'number' ? body.expiry * 1000 : 0;
  return { token: body.token, expiresAt };
}

async function errorText(response: Response): Promise<string> {
  try {
    const data = (await response.json()) as { error?: unknown } | null;
    if (data && typeof data.error === 'string') return data.error;
  } catch {
    // Not JSON: fall back to the status below, as upstream.
  }
  return response.statusText || `HTTP ${response.status}`;
}

/** Forgets exchanged tokens (tests). */
export function resetExchangedTokens(): void {
  exchanged.clear();
}
