import { UnsupportedOptionError } from '../errors';

/** Options of {@link getVercelToken}, as upstream `@vercel/oidc` declares them. */
export interface GetVercelTokenOptions {
  /** Treat the CLI token as expired this many ms early. */
  expirationBufferMs?: number;
}

/**
 * Upstream returns the Vercel CLI's access token of a developer machine (`vercel login`). A Lambda
 * function has no CLI login, so this always rejects — the same choice upstream makes for its Edge
 * and browser builds.
 *
 * @throws {UnsupportedOptionError} `getVercelToken is not supported on AWS Lambda: ...`
 * @example
 * ```ts
 * import { getVercelToken } from '@vercel/oidc';
 *
 * await getVercelToken().catch((error) => console.error(error.message));
 * ```
 */
export async function getVercelToken(_options?: GetVercelTokenOptions): Promise<string> {
  throw new UnsupportedOptionError(
    'getVercelToken is not supported on AWS Lambda: it reads the Vercel CLI login (vercel login) of a ' +
      'developer machine, which a deployed function does not have. Use a Vercel access token from your ' +
      'own secret store (e.g. AWS Secrets Manager) instead.',
  );
}
