import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  GetWebIdentityTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { decodeJwt, verifyJwtSignature } from '../../../lib/local/jwt';
import { LocalOidcIssuer } from '../../../lib/local/oidc-issuer';
import { type LocalCredentials, LocalStsEndpoint, stringLike } from '../../../lib/local/sts-endpoint';

const ACCOUNT = '123456789012';
const DATA_ROLE = `arn:aws:iam::${ACCOUNT}:role/data-reader`;
const FUNCTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/function-role`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/other-role`;
const CI_ROLE = `arn:aws:iam::${ACCOUNT}:role/ci-role`;
const AUDIENCE = 'https://vercel.com/acme';
const SUBJECT = 'owner:acme:project:shop:environment:production';

let issuer: LocalOidcIssuer;
let sts: LocalStsEndpoint;

beforeAll(async () => {
  issuer = await LocalOidcIssuer.start({ path: '/acme', jwksPath: '/.well-known/jwks' });
  sts = await LocalStsEndpoint.start({ accountId: ACCOUNT, region: 'eu-west-1' });
  sts.addOidcProvider({ url: issuer.url, clientIds: [AUDIENCE, 'other-client'] });
  sts.addRole({
    roleArn: DATA_ROLE,
    webIdentityTrusts: [
      { provider: issuer.url, audiences: [AUDIENCE], subjects: ['owner:acme:project:shop:environment:*'] },
    ],
    trustedRoles: [FUNCTION_ROLE],
  });
  sts.addRole({ roleArn: FUNCTION_ROLE, webIdentityTokenAudiences: ['api://reports', 'api://other'] });
  sts.addRole({ roleArn: OTHER_ROLE });
});

afterAll(async () => {
  await sts?.stop();
  await issuer?.stop();
});

function anonymousClient(): STSClient {
  return new STSClient({
    region: 'eu-west-1',
    endpoint: sts.url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
}

function clientOf(
  credentials: Pick<LocalCredentials, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>,
): STSClient {
  return new STSClient({
    region: 'eu-west-1',
    endpoint: sts.url,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    },
  });
}

function assume(token: string, roleArn = DATA_ROLE) {
  return anonymousClient().send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn,
      RoleSessionName: 'test-session',
      WebIdentityToken: token,
    }),
  );
}

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { attempts?: number } }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to fail');
  return error;
}

describe('LocalStsEndpoint AssumeRoleWithWebIdentity', () => {
  test('returns credentials the SDK parses when the token is valid and trusted', async () => {
    const before = issuer.requests.length;
    const out = await assume(issuer.sign({ sub: SUBJECT, aud: AUDIENCE }));
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(3500_000);
    expect(out.SubjectFromWebIdentityToken).toBe(SUBJECT);
    expect(out.Audience).toBe(AUDIENCE);
    expect(out.Provider).toBe(issuer.url);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/data-reader/test-session`);
    // Discovery first, then the jwks_uri it names.
    expect(issuer.requests.slice(before)).toEqual([
      '/acme/.well-known/openid-configuration',
      '/acme/.well-known/jwks',
    ]);
    const issued = sts.issued.find((c) => c.accessKeyId === out.Credentials?.AccessKeyId);
    expect(issued).toMatchObject({ roleArn: DATA_ROLE, via: 'AssumeRoleWithWebIdentity', subject: SUBJECT });
  });

  test('accepts an ES384 token when the issuer signs with ES384', async () => {
    const ecIssuer = await LocalOidcIssuer.start({ algorithms: ['ES384'] });
    try {
      sts.addOidcProvider({ url: ecIssuer.url, clientIds: ['sts.amazonaws.com'] });
      sts.addRole({
        roleArn: CI_ROLE,
        webIdentityTrusts: [{ provider: ecIssuer.url, subjects: ['repo:acme/shop:*'] }],
      });
      const out = await assume(
        ecIssuer.sign({ sub: 'repo:acme/shop:ref:refs/heads/main', aud: 'sts.amazonaws.com' }),
        CI_ROLE,
      );
      expect(out.Credentials?.AccessKeyId).toBeDefined();
    } finally {
      await ecIssuer.stop();
    }
  });

  test('rejects with InvalidIdentityToken when no provider is registered for the issuer', async () => {
    const stranger = await LocalOidcIssuer.start();
    try {
      const error = await failure(assume(stranger.sign({ sub: SUBJECT, aud: AUDIENCE })));
      expect(error.name).toBe('InvalidIdentityTokenException');
      expect(error.message).toBe(`No OpenIDConnect provider found in your account for ${stranger.url}`);
    } finally {
      await stranger.stop();
    }
  });

  test('rejects with InvalidIdentityToken when the audience is not a client id of the provider', async () => {
    const error = await failure(assume(issuer.sign({ sub: SUBJECT, aud: 'https://vercel.com/evil' })));
    expect(error.name).toBe('InvalidIdentityTokenException');
    expect(error.message).toBe('Incorrect token audience');
  });

  test('rejects with ExpiredTokenException when exp has passed', async () => {
    const exp = Math.floor(Date.now() / 1000) - 10;
    const error = await failure(assume(issuer.sign({ sub: SUBJECT, aud: AUDIENCE, exp })));
    expect(error.name).toBe('ExpiredTokenException');
    expect(error.message).toMatch(
      new RegExp(`^Token expired: current date/time \\d+ must be before the expiration date/time ${exp}$`),
    );
  });

  test('denies with AccessDenied when the subject does not match the trust policy', async () => {
    const error = await failure(
      assume(issuer.sign({ sub: 'owner:acme:project:blog:environment:production', aud: AUDIENCE })),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toBe('Not authorized to perform sts:AssumeRoleWithWebIdentity');
  });

  test('denies with AccessDenied when the audience is a client id the trust policy does not allow', async () => {
    const error = await failure(assume(issuer.sign({ sub: SUBJECT, aud: 'other-client' })));
    expect(error.name).toBe('AccessDenied');
  });

  test('rejects with InvalidIdentityToken when the signing key is not in the JWKS', async () => {
    const error = await failure(
      assume(issuer.sign({ sub: SUBJECT, aud: AUDIENCE }, { unpublishedKey: true })),
    );
    expect(error.name).toBe('InvalidIdentityTokenException');
    expect(error.message).toBe("Couldn't retrieve verification key from your identity provider.");
  });

  test('rejects with InvalidIdentityToken when the payload was altered after signing', async () => {
    const [header, , signature] = issuer
      .sign({ sub: 'owner:acme:project:blog:environment:production', aud: AUDIENCE })
      .split('.');
    const forged = Buffer.from(
      JSON.stringify({ iss: issuer.url, sub: SUBJECT, aud: AUDIENCE, exp: 9999999999 }),
    ).toString('base64url');
    const error = await failure(assume(`${header}.${forged}.${signature}`));
    expect(error.name).toBe('InvalidIdentityTokenException');
    expect(error.message).toMatch(/could not be validated/);
  });

  test('rejects with InvalidIdentityToken when the token is not a JWT', async () => {
    const error = await failure(assume('not-a-jwt-at-all'));
    expect(error.name).toBe('InvalidIdentityTokenException');
  });

  test('rejects a GetWebIdentityToken token, which AWS does not accept for federation into AWS', async () => {
    const credentials = sts.executionRoleCredentials(FUNCTION_ROLE);
    const { WebIdentityToken } = await clientOf(credentials).send(
      new GetWebIdentityTokenCommand({ Audience: ['api://reports'], SigningAlgorithm: 'RS256' }),
    );
    const error = await failure(assume(WebIdentityToken!));
    expect(error.name).toBe('InvalidIdentityTokenException');
    expect(error.message).toMatch(/cannot be used for OIDC federation into AWS/);
  });

  test('answers ValidationError naming the member when the session name breaks its pattern', async () => {
    const error = await failure(
      anonymousClient().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: DATA_ROLE,
          RoleSessionName: 'has spaces',
          WebIdentityToken: issuer.sign({ sub: SUBJECT, aud: AUDIENCE }),
        }),
      ),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(/at 'roleSessionName' failed to satisfy constraint/);
  });

  test('answers ValidationError when DurationSeconds exceeds the role maximum', async () => {
    const error = await failure(
      anonymousClient().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: DATA_ROLE,
          RoleSessionName: 'long',
          WebIdentityToken: issuer.sign({ sub: SUBJECT, aud: AUDIENCE }),
          DurationSeconds: 7200,
        }),
      ),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  });

  test('is retried by the SDK and then succeeds when the IdP fails transiently', async () => {
    sts.injectFault({
      action: 'AssumeRoleWithWebIdentity',
      code: 'IDPCommunicationError',
      message: 'slow IdP',
    });
    const before = sts.calls.length;
    const out = await assume(issuer.sign({ sub: SUBJECT, aud: AUDIENCE }));
    expect(out.Credentials?.AccessKeyId).toBeDefined();
    expect(sts.calls.slice(before).map((call) => call.code ?? call.status)).toEqual([
      'IDPCommunicationError',
      200,
    ]);
  });

  test('answers IDPCommunicationError on every attempt when the JWKS host is unreachable', async () => {
    const gone = await LocalOidcIssuer.start();
    sts.addOidcProvider({ url: gone.url, clientIds: [AUDIENCE] });
    const token = gone.sign({ sub: SUBJECT, aud: AUDIENCE });
    await gone.stop();
    const before = sts.calls.length;
    const error = await failure(assume(token));
    expect(error.name).toBe('IDPCommunicationErrorException');
    expect(error.$metadata?.attempts).toBe(3);
    expect(sts.calls.slice(before).map((call) => call.code)).toEqual(Array(3).fill('IDPCommunicationError'));
  });
});

describe('LocalStsEndpoint GetWebIdentityToken', () => {
  test('issues a token signed by the outbound issuer with the role as sub when the caller may', async () => {
    const credentials = sts.executionRoleCredentials(FUNCTION_ROLE, 'my-function');
    const out = await clientOf(credentials).send(
      new GetWebIdentityTokenCommand({
        Audience: ['api://reports'],
        SigningAlgorithm: 'ES384',
        DurationSeconds: 120,
      }),
    );
    const jwt = decodeJwt(out.WebIdentityToken!)!;
    expect(jwt.header.alg).toBe('ES384');
    const key = sts.outboundIssuer.jwks().keys.find((k) => k.kid === jwt.header.kid)!;
    expect(verifyJwtSignature(jwt, key)).toBe(true);
    expect(jwt.payload).toMatchObject({
      iss: sts.outboundIssuer.url,
      aud: 'api://reports',
      sub: FUNCTION_ROLE,
      'https://sts.amazonaws.com/': {
        aws_account: ACCOUNT,
        source_region: 'eu-west-1',
        principal_id: `arn:aws:sts::${ACCOUNT}:assumed-role/function-role/my-function`,
      },
    });
    expect((jwt.payload.exp as number) - (jwt.payload.iat as number)).toBe(120);
    expect(Math.abs(out.Expiration!.getTime() - (jwt.payload.exp as number) * 1000)).toBeLessThan(1000);
  });

  test('denies with AccessDenied when the audience is not allowed for the role', async () => {
    const error = await failure(
      clientOf(sts.executionRoleCredentials(FUNCTION_ROLE)).send(
        new GetWebIdentityTokenCommand({ Audience: ['api://secret'], SigningAlgorithm: 'RS256' }),
      ),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toMatch(/is not authorized to perform: sts:GetWebIdentityToken/);
  });

  test('answers OutboundWebIdentityFederationDisabledException when the feature is off', async () => {
    sts.outboundFederationEnabled = false;
    try {
      const error = await failure(
        clientOf(sts.executionRoleCredentials(FUNCTION_ROLE)).send(
          new GetWebIdentityTokenCommand({ Audience: ['api://reports'], SigningAlgorithm: 'RS256' }),
        ),
      );
      expect(error.name).toBe('OutboundWebIdentityFederationDisabledException');
    } finally {
      sts.outboundFederationEnabled = true;
    }
  });

  test('answers SignatureDoesNotMatch when the request was signed with another secret', async () => {
    const credentials = sts.executionRoleCredentials(FUNCTION_ROLE);
    const error = await failure(
      clientOf({ ...credentials, secretAccessKey: 'wrong-secret' }).send(
        new GetWebIdentityTokenCommand({ Audience: ['api://reports'], SigningAlgorithm: 'RS256' }),
      ),
    );
    expect(error.name).toBe('SignatureDoesNotMatch');
  });

  test('answers InvalidClientTokenId for an access key it never issued', async () => {
    const error = await failure(
      clientOf({ accessKeyId: 'ASIAUNKNOWNUNKNOWN00', secretAccessKey: 's', sessionToken: 't' }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    expect(error.name).toBe('InvalidClientTokenId');
  });
});

describe('LocalStsEndpoint AssumeRole', () => {
  test('lets a trusted role session assume the role and the new credentials sign as that role', async () => {
    const functionCredentials = sts.executionRoleCredentials(FUNCTION_ROLE);
    const out = await clientOf(functionCredentials).send(
      new AssumeRoleCommand({ RoleArn: DATA_ROLE, RoleSessionName: 'chained' }),
    );
    const identity = await clientOf({
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/data-reader/chained`);
    expect(identity.Account).toBe(ACCOUNT);
  });

  test('denies with AccessDenied naming caller and role when the trust policy does not list the caller', async () => {
    const error = await failure(
      clientOf(sts.executionRoleCredentials(OTHER_ROLE, 'intruder')).send(
        new AssumeRoleCommand({ RoleArn: DATA_ROLE, RoleSessionName: 'nope' }),
      ),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/other-role/intruder is not authorized to perform: sts:AssumeRole on resource: ${DATA_ROLE}`,
    );
  });

  test('answers ValidationError when a chained session asks for more than one hour', async () => {
    const error = await failure(
      clientOf(sts.executionRoleCredentials(FUNCTION_ROLE)).send(
        new AssumeRoleCommand({ RoleArn: DATA_ROLE, RoleSessionName: 'long', DurationSeconds: 7200 }),
      ),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(/1 hour session limit for roles assumed by role chaining/);
  });
});

describe('LocalStsEndpoint configuration', () => {
  test('throws when a role trust would be open to any subject', () => {
    expect(() =>
      sts.addRole({ roleArn: CI_ROLE, webIdentityTrusts: [{ provider: issuer.url, subjects: ['*'] }] }),
    ).toThrow(/needs subjects that pin sub/);
  });

  test('throws when a provider URL is plain HTTP on a public host', () => {
    expect(() => sts.addOidcProvider({ url: 'http://example.com', clientIds: ['a'] })).toThrow(/https:\/\//);
  });

  test('throws when the same provider URL is registered twice', () => {
    expect(() => sts.addOidcProvider({ url: issuer.url, clientIds: ['a'] })).toThrow(/already exists/);
  });
});

describe('stringLike', () => {
  test.each([
    ['repo:acme/*', 'repo:acme/shop:ref:refs/heads/main', true],
    ['repo:acme/?hop', 'repo:acme/shop', true],
    ['repo:acme/shop', 'repo:acme/shop2', false],
    ['a.b', 'axb', false],
  ])('matches %s against %s as %s', (pattern, value, expected) => {
    expect(stringLike(pattern, value)).toBe(expected);
  });
});
