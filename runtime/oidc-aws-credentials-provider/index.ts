/**
 * `@vercel/oidc-aws-credentials-provider` on AWS: the same export as upstream 3.3.x. User code keeps
 * `import { awsCredentialsProvider } from '@vercel/oidc-aws-credentials-provider'`; the bundler
 * aliases it here. Export-only file.
 */
export {
  type AwsCredentialIdentityProvider,
  type AwsCredentialsProviderInit,
  awsCredentialsProvider,
} from './aws-credentials-provider';
