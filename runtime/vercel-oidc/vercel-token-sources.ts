import { getContext } from '../get-context';
import { decodeTokenClaims, expiresWithin } from './token-claims';

/** The request header that carries the OIDC token (set by the runtime only; CloudFront strips it from viewers). */
export const OIDC_TOKEN_HEADER_NAME = 'x-vercel-oidc-token';

/** The environment variable Vercel sets in builds and local development (`vercel env pull`). */
export const OIDC_TOKEN_ENV = 'VERCEL_OIDC_TOKEN';

/** Upstream's message when no token is found; every "no token" error here starts with it. */
export const MISSING_TOKEN_MESSAGE = `The '${OIDC_TOKEN_HEADER_NAME}' header is missing from the request.`;

/** The result of looking for a Vercel-style token: the token, or why each source had none. */
export interface VercelTokenLookup {
  /** The first usable token, header first. */
  readonly token?: string;
  /** One line per source that gave nothing, saying why (for the error message). */
  readonly tried: readonly string[];
}

/**
 * The token of the current request's `x-vercel-oidc-token` header, else of `VERCEL_OIDC_TOKEN` —
 * upstream's order (a header beats a value baked into the environment at build time). A source
 * whose token expires within `bufferMs` is passed over, as upstream's async getter treats it as
 * in need of a refresh; AWS has no Vercel CLI to refresh it with.
 */
export function findVercelToken(bufferMs = 0, now: number = Date.now()): VercelTokenLookup {
  const tried: string[] = [];
  const headers = getContext().headers;
  const header = headers?.[OIDC_TOKEN_HEADER_NAME];
  const headerProblem =
    headers === undefined ? 'not set (outside a request)' : problemWith(header, bufferMs, now);
  if (!headerProblem) return { token: header, tried };
  tried.push(`the request's ${OIDC_TOKEN_HEADER_NAME} header: ${headerProblem}`);

  const env = process.env[OIDC_TOKEN_ENV];
  const envProblem = problemWith(env, bufferMs, now);
  if (!envProblem) return { token: env, tried };
  tried.push(`the ${OIDC_TOKEN_ENV} environment variable: ${envProblem}`);
  return { tried };
}

function problemWith(token: string | undefined, bufferMs: number, now: number): string | undefined {
  if (token === undefined) return 'not set';
  if (token === '') return 'empty';
  const claims = decodeTokenClaims(token);
  if (!claims) return 'not a JWT';
  if (expiresWithin(claims, bufferMs, now)) {
    return `expired at ${new Date((claims.exp as number) * 1000).toISOString()}`;
  }
  return undefined;
}

/** The "no token" message: upstream's first line, then each source tried and why it failed. */
export function noTokenMessage(tried: readonly string[]): string {
  return `${MISSING_TOKEN_MESSAGE}\nNo OIDC token could be obtained. Tried, in order:\n${tried
    .map((line) => `  - ${line}`)
    .join('\n')}`;
}
