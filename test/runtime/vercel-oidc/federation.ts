// Shared by the OIDC runtime tests: a Vercel-like issuer and the loopback STS, wired the way
// OidcRole and the function's execution role wire them on AWS, plus environment helpers.

import { LocalOidcIssuer } from '../../../lib/local/oidc-issuer';
import { type LocalCredentials, LocalStsEndpoint } from '../../../lib/local/sts-endpoint';
import { Awaiter } from '../../../runtime/handler/awaiter';
import { RequestContext, runWithRequestContext } from '../../../runtime/handler/request-context';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-central-1';
/** The role `awsCredentialsProvider({ roleArn })` asks for. */
export const DATA_ROLE = `arn:aws:iam::${ACCOUNT}:role/data-reader`;
/** The function's execution role. */
export const FUNCTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/function-role`;
export const VERCEL_AUDIENCE = 'https://vercel.com/acme';
export const VERCEL_SUBJECT = 'owner:acme:project:shop:environment:production';
export const API_AUDIENCE = 'api://reports';

export interface Federation {
  readonly issuer: LocalOidcIssuer;
  readonly sts: LocalStsEndpoint;
  /** A token of the Vercel-like issuer the data role trusts. */
  vercelToken(claims?: Record<string, unknown>): string;
  /** Environment of a function on AWS: region, STS endpoint, execution-role credentials. */
  functionEnv(): Record<string, string>;
  stop(): Promise<void>;
}

export async function startFederation(): Promise<Federation> {
  const issuer = await LocalOidcIssuer.start({ path: '/acme', jwksPath: '/.well-known/jwks' });
  const sts = await LocalStsEndpoint.start({ accountId: ACCOUNT, region: REGION });
  sts.addOidcProvider({ url: issuer.url, clientIds: [VERCEL_AUDIENCE] });
  sts.addRole({
    roleArn: DATA_ROLE,
    webIdentityTrusts: [
      {
        provider: issuer.url,
        audiences: [VERCEL_AUDIENCE],
        subjects: ['owner:acme:project:shop:environment:*'],
      },
    ],
    trustedRoles: [FUNCTION_ROLE],
  });
  sts.addRole({ roleArn: FUNCTION_ROLE, webIdentityTokenAudiences: [API_AUDIENCE, 'api://other'] });
  return {
    issuer,
    sts,
    vercelToken: (claims = {}) => issuer.sign({ sub: VERCEL_SUBJECT, aud: VERCEL_AUDIENCE, ...claims }),
    functionEnv: () => ({
      ...regionEnv(sts),
      ...credentialsEnv(sts.executionRoleCredentials(FUNCTION_ROLE)),
    }),
    stop: async () => {
      await sts.stop();
      await issuer.stop();
    },
  };
}

/** Region and STS endpoint, and nothing the SDK could find credentials in by itself. */
export function regionEnv(sts: LocalStsEndpoint): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
  };
}

export function credentialsEnv(credentials: LocalCredentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
  };
}

const TOUCHED = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ENDPOINT_URL_STS',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'VERCEL_OIDC_TOKEN',
  'VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE',
  'VERCEL_FUNCTIONS_AWS_OIDC_SIGNING_ALGORITHM',
  'VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION',
];

/**
 * Replaces the environment variables these tests touch with `vars` (the others of the list are
 * removed) and returns a function restoring them.
 */
export function setEnv(vars: Record<string, string>): () => void {
  const saved = Object.fromEntries(TOUCHED.map((name) => [name, process.env[name]]));
  for (const name of TOUCHED) delete process.env[name];
  Object.assign(process.env, vars);
  return () => {
    for (const name of new Set([...TOUCHED, ...Object.keys(vars)])) {
      const value = saved[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** Runs `fn` inside a request whose headers are `headers`, as the adapter would. */
export function inRequest<T>(
  headers: Record<string, string>,
  fn: () => T,
  awaiter = new Awaiter(() => {}),
): T {
  const context = new RequestContext({ requestId: 'req-1', headers, deadline: Date.now() + 10_000, awaiter });
  return runWithRequestContext(context, fn);
}

/**
 * Runs `fn` as one invocation without headers: its result first, then — as the adapter does after
 * the response — waits for what it handed to `waitUntil` (background token refreshes).
 */
export async function invocation<T>(fn: () => Promise<T>): Promise<T> {
  const awaiter = new Awaiter(() => {});
  try {
    return await inRequest({}, fn, awaiter);
  } finally {
    await awaiter.drain(10_000);
  }
}

/** The error `promise` rejects with; fails the test when it resolves or rejects with a non-Error. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected a rejection');
  return error;
}
