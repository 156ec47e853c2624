/** The registered claims the runtime reads from a token it did not issue (never verified here). */
export interface TokenClaims {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | string[];
  /** Expiry, seconds since the epoch. */
  readonly exp?: number;
}

/**
 * The payload of a JWT, decoded without verifying it, or `undefined` when `token` is not a JWT.
 * Only used to judge expiry, as upstream does: whoever receives the token verifies it.
 */
export function decodeTokenClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return payload !== null && typeof payload === 'object' ? (payload as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the token expires within `bufferMs` from `now` — upstream's check
 * (`exp * 1000 < now + buffer`). A token without a numeric `exp` never expires, as upstream.
 */
export function expiresWithin(claims: TokenClaims, bufferMs: number, now: number): boolean {
  return typeof claims.exp === 'number' && claims.exp * 1000 < now + bufferMs;
}
