/**
 * `@vercel/functions/oidc` — deprecated upstream in favour of `@vercel/oidc` and
 * `@vercel/oidc-aws-credentials-provider`, kept so existing imports keep working. The same
 * implementation as those two entry points (one copy). Export-only file.
 */
export {
  type AwsCredentialsProviderInit,
  awsCredentialsProvider,
} from '../oidc-aws-credentials-provider/aws-credentials-provider';
export { getVercelOidcToken, getVercelOidcTokenSync } from '../vercel-oidc/get-vercel-oidc-token';
