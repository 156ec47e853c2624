/**
 * `@vercel/functions/oidc` — deprecated upstream in favour of `@vercel/oidc` and
 * `@vercel/oidc-aws-credentials-provider`, kept so existing imports keep working.
 */
export type { AwsCredentialsProviderInit } from './aws-credentials-provider';
export { awsCredentialsProvider } from './aws-credentials-provider';
export { getVercelOidcToken, getVercelOidcTokenSync } from './get-vercel-oidc-token';
