// The loopback STS endpoint. Its parts live in ./sts/, one job a file: server.ts (HTTP and dispatch),
// protocol.ts (Query parameters and XML), one file per action, web-identity.ts (token validation),
// trust.ts (trust policies), account.ts (providers, roles, sessions), credentials.ts (minting).
export { LocalStsEndpoint } from './sts/server';
export { stringLike } from './sts/trust';
export type {
  LocalCredentials,
  LocalOidcProvider,
  LocalRole,
  LocalStsCall,
  LocalStsEndpointOptions,
  LocalStsFault,
  LocalWebIdentityTrust,
} from './sts/types';
