// This repository does not install @vercel/oidc-aws-credentials-provider (a Vercel project would);
// the bundler aliases the import to runtime/oidc-aws-credentials-provider, so its types are these.
declare module '@vercel/oidc-aws-credentials-provider' {
  type Provider = typeof import('../../runtime/oidc-aws-credentials-provider');
  export const awsCredentialsProvider: Provider['awsCredentialsProvider'];
  export type AwsCredentialsProviderInit =
    import('../../runtime/oidc-aws-credentials-provider').AwsCredentialsProviderInit;
}
