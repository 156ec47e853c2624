import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { LocalOidcIssuer } from '../../../lib/local/oidc-issuer';
import { InvalidOidcOptionError, StsOperationError, VercelOidcTokenError } from '../../../runtime/errors';
import { awsCredentialsProvider } from '../../../runtime/oidc-aws-credentials-provider';
import { resetExchangedTokens } from '../../../runtime/vercel-oidc/exchange-vercel-oidc-token';
import { resetWebIdentityTokens } from '../../../runtime/vercel-oidc/web-identity-token';
import {
  ACCOUNT,
  API_AUDIENCE,
  DATA_ROLE,
  type Federation,
  inRequest,
  REGION,
  regionEnv,
  rejection,
  setEnv,
  startFederation,
} from '../vercel-oidc/federation';

let federation: Federation;
let restoreEnv: () => void = () => {};

beforeAll(async () => {
  federation = await startFederation();
});
afterAll(async () => {
  await federation?.stop();
});
beforeEach(() => {
  restoreEnv = setEnv({});
});
afterEach(() => {
  restoreEnv();
  resetWebIdentityTokens();
  resetExchangedTokens();
  jest.restoreAllMocks();
});

function useEnv(vars: Record<string, string>): void {
  restoreEnv();
  restoreEnv = setEnv(vars);
}

/** An SDK client plugin that records the body of every request the client sends. */
function bodyCapture(bodies: string[]) {
  return {
    applyToStack: (stack: { add: (mw: unknown, options: unknown) => void }) =>
      stack.add(
        (next: (args: unknown) => Promise<unknown>) => async (args: { request: { body?: unknown } }) => {
          bodies.push(String(args.request.body));
          return next(args);
        },
        { step: 'finalizeRequest', name: 'captureBody' },
      ),
  };
}

/** Who the credentials are, asked of STS with them. */
async function callerOf(credentials: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}) {
  const client = new STSClient({ region: REGION, credentials });
  return (await client.send(new GetCallerIdentityCommand({}))).Arn;
}

describe('awsCredentialsProvider with a Vercel OIDC token', () => {
  test('assumes the role with AssumeRoleWithWebIdentity when VERCEL_OIDC_TOKEN holds a trusted token', async () => {
    useEnv({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: federation.vercelToken() });
    const credentials = await awsCredentialsProvider({ roleArn: DATA_ROLE, roleSessionName: 'web' })();
    expect(credentials.accountId).toBe(ACCOUNT);
    expect(credentials.expiration).toBeInstanceOf(Date);
    expect(await callerOf(credentials)).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/data-reader/web`);
    const issued = federation.sts.issued.find((c) => c.accessKeyId === credentials.accessKeyId);
    expect(issued).toMatchObject({
      via: 'AssumeRoleWithWebIdentity',
      subject: 'owner:acme:project:shop:environment:production',
    });
  });

  test('uses the request header token over the environment token', async () => {
    useEnv({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: federation.vercelToken() });
    const header = federation.vercelToken({ sub: 'owner:acme:project:shop:environment:preview' });
    const credentials = await inRequest({ 'x-vercel-oidc-token': header }, () =>
      awsCredentialsProvider({ roleArn: DATA_ROLE })(),
    );
    const issued = federation.sts.issued.find((c) => c.accessKeyId === credentials.accessKeyId);
    expect(issued?.subject).toBe('owner:acme:project:shop:environment:preview');
  });

  test('sends every fromWebToken option to STS and applies clientPlugins to the STS client', async () => {
    useEnv({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: federation.vercelToken() });
    const bodies: string[] = [];
    const capture = bodyCapture(bodies);
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' }],
    });
    const credentials = await awsCredentialsProvider({
      roleArn: DATA_ROLE,
      roleSessionName: 'all-options',
      durationSeconds: 900,
      policy,
      policyArns: [{ arn: `arn:aws:iam::${ACCOUNT}:policy/ReadOnly` }],
      providerId: 'accounts.example.com',
      clientConfig: { region: REGION },
      clientPlugins: [capture as never],
    })();
    const sent = new URLSearchParams(bodies[0]);
    expect(Object.fromEntries(sent)).toMatchObject({
      Action: 'AssumeRoleWithWebIdentity',
      RoleArn: DATA_ROLE,
      RoleSessionName: 'all-options',
      DurationSeconds: '900',
      Policy: policy,
      'PolicyArns.member.1.arn': `arn:aws:iam::${ACCOUNT}:policy/ReadOnly`,
      ProviderId: 'accounts.example.com',
    });
    expect(credentials.expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
  });

  test('asks AssumeRoleWithWebIdentity for a durationSeconds above one hour unchanged, up to the role maximum', async () => {
    const longRole = `arn:aws:iam::${ACCOUNT}:role/long-sessions`;
    federation.sts.addRole({
      roleArn: longRole,
      maxSessionDurationSeconds: 7200,
      webIdentityTrusts: [{ provider: federation.issuer.url, subjects: ['owner:acme:*'] }],
    });
    useEnv({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: federation.vercelToken() });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const credentials = await awsCredentialsProvider({ roleArn: longRole, durationSeconds: 7200 })();
    expect(credentials.expiration!.getTime() - Date.now()).toBeGreaterThan(3_600_000);
    expect(warn).not.toHaveBeenCalled();
  });

  test('applies clientConfig to the STS client, e.g. maxAttempts', async () => {
    useEnv({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: federation.vercelToken() });
    federation.sts.injectFault({
      action: 'AssumeRoleWithWebIdentity',
      code: 'IDPCommunicationError',
      message: 'slow',
    });
    const error = await rejection(
      awsCredentialsProvider({ roleArn: DATA_ROLE, clientConfig: { maxAttempts: 1 } })(),
    );
    expect((error as StsOperationError).code).toBe('IDPCommunicationErrorException');
    expect((error.cause as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(1);
  });

  test('calls roleAssumerWithWebIdentity with the token and the role parameters when given', async () => {
    const token = federation.vercelToken();
    useEnv({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: token });
    const fake = { accessKeyId: 'AKIAFAKE', secretAccessKey: 'secret' };
    const roleAssumerWithWebIdentity = jest.fn(async () => fake);
    const credentials = await awsCredentialsProvider({
      roleArn: DATA_ROLE,
      roleSessionName: 's',
      roleAssumerWithWebIdentity,
    })();
    expect(credentials).toBe(fake);
    expect(roleAssumerWithWebIdentity).toHaveBeenCalledWith(
      expect.objectContaining({ RoleArn: DATA_ROLE, RoleSessionName: 's', WebIdentityToken: token }),
    );
  });

  test('exchanges the Vercel token at Vercel first when an audience is given', async () => {
    useEnv({
      ...regionEnv(federation.sts),
      VERCEL_OIDC_TOKEN: federation.vercelToken({ aud: 'https://vercel.com/other' }),
    });
    const exchanged = federation.vercelToken();
    // Only Vercel's exchange endpoint is faked; the loopback STS still fetches the issuer's JWKS.
    const realFetch = globalThis.fetch;
    const fetchSpy = jest
      .spyOn(globalThis, 'fetch')
      .mockImplementation(async (input, init) =>
        String(input) === 'https://oidc.vercel.com/~token'
          ? Response.json({ token: exchanged, expiry: Math.floor(Date.now() / 1000) + 600 })
          : realFetch(input, init),
      );
    const credentials = await awsCredentialsProvider({
      roleArn: DATA_ROLE,
      audience: 'https://vercel.com/acme',
    })();
    const exchange = fetchSpy.mock.calls.find(
      ([input]) => String(input) === 'https://oidc.vercel.com/~token',
    );
    expect(exchange?.[1]?.method).toBe('POST');
    expect(JSON.parse(String(exchange?.[1]?.body))).toMatchObject({ aud: 'https://vercel.com/acme' });
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
  });
});

describe('awsCredentialsProvider on AWS without a Vercel token', () => {
  test("assumes the role with the function's execution role (AssumeRole) honouring session name and duration", async () => {
    useEnv(federation.functionEnv());
    const credentials = await awsCredentialsProvider({
      roleArn: DATA_ROLE,
      roleSessionName: 'chained',
      durationSeconds: 900,
    })();
    expect(await callerOf(credentials)).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/data-reader/chained`);
    expect(federation.sts.issued.find((c) => c.accessKeyId === credentials.accessKeyId)?.via).toBe(
      'AssumeRole',
    );
    expect(credentials.expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
  });

  test('caps durationSeconds above one hour at 3600 for the chained session and warns once per process', async () => {
    useEnv(federation.functionEnv());
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const bodies: string[] = [];
    const capture = bodyCapture(bodies);
    // Written for Vercel, where AssumeRoleWithWebIdentity allows up to the role's maximum.
    const init = { roleArn: DATA_ROLE, durationSeconds: 7200, clientPlugins: [capture as never] };
    const credentials = await awsCredentialsProvider(init)();
    await awsCredentialsProvider(init)();
    expect(bodies.map((body) => new URLSearchParams(body).get('DurationSeconds'))).toEqual(['3600', '3600']);
    expect(credentials.expiration!.getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/durationSeconds 7200 .*role chaining.*at most one hour.*3600/);
  });

  test('gives roleAssumerWithWebIdentity a GetWebIdentityToken token when one is passed', async () => {
    useEnv({ ...federation.functionEnv(), VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE });
    const roleAssumerWithWebIdentity = jest.fn(async () => ({
      accessKeyId: 'AKIAFAKE',
      secretAccessKey: 's',
    }));
    await awsCredentialsProvider({ roleArn: DATA_ROLE, roleAssumerWithWebIdentity })();
    const params = (roleAssumerWithWebIdentity.mock.calls[0] as unknown as [{ WebIdentityToken: string }])[0];
    const payload = JSON.parse(Buffer.from(params.WebIdentityToken.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({ iss: federation.sts.outboundIssuer.url, aud: API_AUDIENCE });
  });

  test('rejects with StsOperationError AccessDenied when the execution role is not trusted', async () => {
    const other = `arn:aws:iam::${ACCOUNT}:role/untrusting`;
    federation.sts.addRole({ roleArn: other });
    useEnv(federation.functionEnv());
    const error = await rejection(awsCredentialsProvider({ roleArn: other })());
    expect(error).toBeInstanceOf(StsOperationError);
    expect((error as StsOperationError).operation).toBe('AssumeRole');
    expect(error.message).toMatch(
      /^STS AssumeRole of role arn:aws:iam::123456789012:role\/untrusting failed with AccessDenied: User: .* is not authorized to perform: sts:AssumeRole/,
    );
  });

  test('rejects listing every source tried when there is neither a token nor AWS credentials', async () => {
    useEnv(regionEnv(federation.sts));
    const error = await rejection(awsCredentialsProvider({ roleArn: DATA_ROLE })());
    expect(error).toBeInstanceOf(VercelOidcTokenError);
    const lines = error.message.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      "The 'x-vercel-oidc-token' header is missing from the request.",
      'No OIDC token could be obtained. Tried, in order:',
      "  - the request's x-vercel-oidc-token header: not set (outside a request)",
      '  - the VERCEL_OIDC_TOKEN environment variable: not set',
    ]);
    expect(lines[4]).toMatch(
      /^ {2}- the function's own AWS credentials \(to call sts:AssumeRole on arn:aws:iam::123456789012:role\/data-reader\): /,
    );
  });
});

describe('awsCredentialsProvider errors', () => {
  test('surfaces AccessDenied with the role and a hint when the token subject is not trusted', async () => {
    useEnv({
      ...regionEnv(federation.sts),
      VERCEL_OIDC_TOKEN: federation.vercelToken({ sub: 'owner:acme:project:blog:environment:production' }),
    });
    const error = await rejection(awsCredentialsProvider({ roleArn: DATA_ROLE })());
    expect(error).toBeInstanceOf(StsOperationError);
    expect(error.message).toBe(
      `STS AssumeRoleWithWebIdentity of role ${DATA_ROLE} failed with AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity (the role's trust policy does not allow this caller (for web identities: its sub and aud conditions))`,
    );
    expect((error.cause as Error).name).toBe('AccessDenied');
  });

  test("surfaces InvalidIdentityToken with STS's message when the audience is wrong", async () => {
    useEnv({
      ...regionEnv(federation.sts),
      VERCEL_OIDC_TOKEN: federation.vercelToken({ aud: 'https://vercel.com/evil' }),
    });
    const error = (await rejection(awsCredentialsProvider({ roleArn: DATA_ROLE })())) as StsOperationError;
    expect(error.code).toBe('InvalidIdentityTokenException');
    expect(error.message).toContain('failed with InvalidIdentityTokenException: Incorrect token audience');
  });

  test.each([
    [
      'ExpiredTokenException',
      'ExpiredTokenException',
      'Token expired: current date/time 1 must be before the expiration date/time 0',
    ],
    ['IDPRejectedClaim', 'IDPRejectedClaimException', 'The claim was rejected by the identity provider'],
  ])("surfaces STS's %s with its message", async (wire, name, message) => {
    useEnv({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: federation.vercelToken() });
    federation.sts.injectFault({
      action: 'AssumeRoleWithWebIdentity',
      code: wire,
      message,
      status: wire === 'IDPRejectedClaim' ? 403 : 400,
    });
    const error = (await rejection(awsCredentialsProvider({ roleArn: DATA_ROLE })())) as StsOperationError;
    expect(error.code).toBe(name);
    expect(error.message).toContain(`failed with ${name}: ${message}`);
  });

  test('retries IDPCommunicationError and succeeds when the identity provider recovers', async () => {
    useEnv({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: federation.vercelToken() });
    federation.sts.injectFault({
      action: 'AssumeRoleWithWebIdentity',
      code: 'IDPCommunicationError',
      message: 'slow',
      times: 2,
    });
    const credentials = await awsCredentialsProvider({ roleArn: DATA_ROLE })();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
  });

  test('surfaces IDPCommunicationError after the retries when the JWKS stays unreachable', async () => {
    const gone = await LocalOidcIssuer.start();
    federation.sts.addOidcProvider({ url: gone.url, clientIds: ['sts.amazonaws.com'] });
    federation.sts.addRole({
      roleArn: `arn:aws:iam::${ACCOUNT}:role/gone`,
      webIdentityTrusts: [{ provider: gone.url, subjects: ['x'] }],
    });
    const token = gone.sign({ sub: 'x', aud: 'sts.amazonaws.com' });
    await gone.stop();
    useEnv({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: token });
    const error = (await rejection(
      awsCredentialsProvider({ roleArn: `arn:aws:iam::${ACCOUNT}:role/gone` })(),
    )) as StsOperationError;
    expect(error.code).toBe('IDPCommunicationErrorException');
    expect(error.message).toContain('they must be publicly reachable over HTTPS');
    expect((error.cause as { $metadata: { attempts: number } }).$metadata.attempts).toBe(3);
  });

  test('rejects naming the value when roleArn is not a role ARN, only once called', async () => {
    useEnv({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: federation.vercelToken() });
    const provider = awsCredentialsProvider({ roleArn: undefined as unknown as string });
    await expect(provider()).rejects.toThrow(InvalidOidcOptionError);
    await expect(provider()).rejects.toThrow(
      'awsCredentialsProvider: roleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got undefined',
    );
  });
});
