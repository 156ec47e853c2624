/**
 * `@vercel/oidc` on AWS: the same exports as upstream 3.8.9. User code keeps
 * `import { getVercelOidcToken } from '@vercel/oidc'`; the bundler aliases it here.
 * Export-only file.
 */
export { AccessTokenMissingError, RefreshAccessTokenFailedError } from '../errors';
export { getContext } from '../get-context';
export { type ExchangeVercelOidcTokenOptions, exchangeVercelOidcToken } from './exchange-vercel-oidc-token';
export { getVercelOidcToken, getVercelOidcTokenSync } from './get-vercel-oidc-token';
export { type GetVercelTokenOptions, getVercelToken } from './get-vercel-token';
export { type VercelOidcPayload, verifyVercelOidcToken } from './verify-vercel-oidc-token';
