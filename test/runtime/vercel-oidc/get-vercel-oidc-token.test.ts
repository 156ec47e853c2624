import { decodeJwt, verifyJwtSignature } from '../../../lib/local/jwt';
import { InvalidOidcOptionError, StsOperationError, VercelOidcTokenError } from '../../../runtime/errors';
import { getVercelOidcToken, getVercelOidcTokenSync } from '../../../runtime/vercel-oidc';
import { resetWebIdentityTokens } from '../../../runtime/vercel-oidc/web-identity-token';
import {
  API_AUDIENCE,
  type Federation,
  FUNCTION_ROLE,
  inRequest,
  invocation,
  REGION,
  regionEnv,
  setEnv,
  startFederation,
} from './federation';

const notExpected = (value: unknown): Error => {
  throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
};

// Every timer API jest can fake except Date.
const REAL_TIMERS = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

const MISSING = "The 'x-vercel-oidc-token' header is missing from the request.";

let federation: Federation;
let restoreEnv: () => void = () => {};

beforeAll(async () => {
  federation = await startFederation();
});
afterAll(async () => {
  await federation?.stop();
});
beforeEach(() => {
  resetWebIdentityTokens();
  restoreEnv = setEnv({});
});
afterEach(() => {
  restoreEnv();
  resetWebIdentityTokens();
});

function useEnv(vars: Record<string, string>): void {
  restoreEnv();
  restoreEnv = setEnv(vars);
}

function stsCalls(action = 'GetWebIdentityToken'): number {
  return federation.sts.calls.filter((call) => call.action === action).length;
}

describe('getVercelOidcTokenSync', () => {
  test('returns the header token inside a request even when the environment has one', () => {
    useEnv({ VERCEL_OIDC_TOKEN: 'env-token' });
    expect(inRequest({ 'x-vercel-oidc-token': 'header-token' }, () => getVercelOidcTokenSync())).toBe(
      'header-token',
    );
  });

  test('returns the environment token outside a request', () => {
    useEnv({ VERCEL_OIDC_TOKEN: 'env-token' });
    expect(getVercelOidcTokenSync()).toBe('env-token');
  });

  test('throws upstream message and does not fall back to the environment when the header is empty', () => {
    useEnv({ VERCEL_OIDC_TOKEN: 'env-token' });
    expect(() => inRequest({ 'x-vercel-oidc-token': '' }, () => getVercelOidcTokenSync())).toThrow(MISSING);
  });

  test('throws VercelOidcTokenError with upstream message when neither is set', () => {
    expect(() => getVercelOidcTokenSync()).toThrow(VercelOidcTokenError);
    expect(() => getVercelOidcTokenSync()).toThrow(MISSING);
  });
});

describe('getVercelOidcToken', () => {
  test('prefers the header over the environment and STS when all three are available', async () => {
    const headerToken = federation.vercelToken({ jti: 'header' });
    useEnv({
      ...federation.functionEnv(),
      VERCEL_OIDC_TOKEN: federation.vercelToken({ jti: 'env' }),
      VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE,
    });
    const before = stsCalls();
    await expect(inRequest({ 'x-vercel-oidc-token': headerToken }, () => getVercelOidcToken())).resolves.toBe(
      headerToken,
    );
    expect(stsCalls()).toBe(before);
  });

  test('prefers the environment over STS when there is no header', async () => {
    const envToken = federation.vercelToken();
    useEnv({
      ...federation.functionEnv(),
      VERCEL_OIDC_TOKEN: envToken,
      VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE,
    });
    await expect(inRequest({}, () => getVercelOidcToken())).resolves.toBe(envToken);
  });

  test('passes over an expired environment token and gets one from STS', async () => {
    const expired = federation.vercelToken({ exp: Math.floor(Date.now() / 1000) - 60 });
    useEnv({
      ...federation.functionEnv(),
      VERCEL_OIDC_TOKEN: expired,
      VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE,
    });
    const token = await getVercelOidcToken();
    expect(decodeJwt(token)?.payload.iss).toBe(federation.sts.outboundIssuer.url);
  });

  test('returns a GetWebIdentityToken token for the configured audience when neither header nor env has one', async () => {
    useEnv({ ...federation.functionEnv(), VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE });
    const token = await getVercelOidcToken();
    const jwt = decodeJwt(token)!;
    expect(jwt.header.alg).toBe('RS256');
    expect(jwt.payload).toMatchObject({
      iss: federation.sts.outboundIssuer.url,
      aud: API_AUDIENCE,
      sub: FUNCTION_ROLE,
      'https://sts.amazonaws.com/': { source_region: REGION },
    });
    const key = federation.sts.outboundIssuer.jwks().keys.find((k) => k.kid === jwt.header.kid)!;
    expect(verifyJwtSignature(jwt, key)).toBe(true);
  });

  test('uses the audience option over the environment and honours the configured algorithm and duration', async () => {
    useEnv({
      ...federation.functionEnv(),
      VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE,
      VERCEL_FUNCTIONS_AWS_OIDC_SIGNING_ALGORITHM: 'ES384',
      VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION: '900',
    });
    const jwt = decodeJwt(await getVercelOidcToken({ audience: 'api://other' }))!;
    expect(jwt.header.alg).toBe('ES384');
    expect(jwt.payload.aud).toBe('api://other');
    expect((jwt.payload.exp as number) - (jwt.payload.iat as number)).toBe(900);
  });

  test('calls STS once and reuses the token when asked again before it nears expiry', async () => {
    useEnv({ ...federation.functionEnv(), VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE });
    const before = stsCalls();
    const first = await getVercelOidcToken();
    const second = await getVercelOidcToken();
    expect(second).toBe(first);
    expect(stsCalls() - before).toBe(1);
  });

  test('shares one STS call among concurrent callers', async () => {
    useEnv({ ...federation.functionEnv(), VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE });
    const before = stsCalls();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => getVercelOidcToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(stsCalls() - before).toBe(1);
  });

  test('keeps serving the cached token without calling STS per request when the early refresh is throttled', async () => {
    // Only Date is faked, so the SDK and the loopback STS keep their real timers and sockets.
    jest.useFakeTimers({ doNotFake: [...REAL_TIMERS] });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      // No SDK retries, so one throttled call is one failed refresh.
      useEnv({
        ...federation.functionEnv(),
        VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE,
        AWS_MAX_ATTEMPTS: '1',
      });
      const before = stsCalls();
      const first = await getVercelOidcToken(); // 300 s token
      jest.setSystemTime(Date.now() + 250_000); // 50 s left: inside the 60 s refresh margin
      federation.sts.injectFault({
        action: 'GetWebIdentityToken',
        code: 'Throttling',
        message: 'Rate exceeded',
      });
      // Served at once; the refresh they share runs in the background, awaited after the response.
      const during = await invocation(() =>
        Promise.all(Array.from({ length: 5 }, () => getVercelOidcToken())),
      );
      expect(new Set(during)).toEqual(new Set([first]));
      expect(await invocation(() => getVercelOidcToken())).toBe(first); // within the back-off: STS is left alone
      expect(federation.sts.calls.slice(-2).map((call) => call.code)).toEqual([undefined, 'Throttling']);
      expect(stsCalls() - before).toBe(2);
      expect(warn).toHaveBeenCalledTimes(1);
      jest.setSystemTime(Date.now() + 6_000); // back-off over, STS recovered
      expect(await invocation(() => getVercelOidcToken())).toBe(first); // refreshed in the background
      expect(stsCalls() - before).toBe(3);
      const refreshed = await getVercelOidcToken();
      expect(refreshed).not.toBe(first);
      expect(stsCalls() - before).toBe(3);
    } finally {
      warn.mockRestore();
      jest.useRealTimers();
    }
  });

  test('caches per audience', async () => {
    useEnv({ ...federation.functionEnv() });
    const before = stsCalls();
    const a = await getVercelOidcToken({ audience: API_AUDIENCE });
    const b = await getVercelOidcToken({ audience: 'api://other' });
    expect(decodeJwt(a)?.payload.aud).toBe(API_AUDIENCE);
    expect(decodeJwt(b)?.payload.aud).toBe('api://other');
    await getVercelOidcToken({ audience: API_AUDIENCE });
    expect(stsCalls() - before).toBe(2);
  });

  test('fetches a new token before expiry when the cached one has less than expirationBufferMs left', async () => {
    useEnv({ ...federation.functionEnv(), VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE });
    const before = stsCalls();
    await getVercelOidcToken(); // 300 s token
    await getVercelOidcToken({ expirationBufferMs: 200_000 }); // > 200 s left: reused
    expect(stsCalls() - before).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await getVercelOidcToken({ expirationBufferMs: 299_000 }); // less than 299 s left by now: replaced
    expect(stsCalls() - before).toBe(2);
  });

  test('reuses the token while it has more than expirationBufferMs left when the buffer is under the configured lifetime', async () => {
    useEnv({
      ...federation.functionEnv(),
      VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE,
      VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION: '900',
    });
    const before = stsCalls();
    const tokens = [];
    for (let i = 0; i < 5; i++) tokens.push(await getVercelOidcToken({ expirationBufferMs: 600_000 }));
    expect(new Set(tokens).size).toBe(1);
    expect(stsCalls() - before).toBe(1);
    const claims = decodeJwt(tokens[0])?.payload as { exp: number };
    expect(claims.exp * 1000 - Date.now()).toBeGreaterThan(600_000);
  });

  test.each([
    [{}, 300_000, "300000 ms (300 s, STS' default)"],
    [{}, 600_000, "300000 ms (300 s, STS' default)"],
    [
      { VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION: '120' },
      120_000,
      '120000 ms (120 s, VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION=120)',
    ],
  ])(
    'rejects without calling STS when expirationBufferMs is not shorter than the token lifetime (%j, %d ms)',
    async (env, bufferMs, lifetime) => {
      useEnv({ ...federation.functionEnv(), VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE, ...env });
      const before = stsCalls();
      const error = await getVercelOidcToken({ expirationBufferMs: bufferMs }).then(
        notExpected,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(InvalidOidcOptionError);
      expect(error.name).toBe('InvalidOidcOptionError');
      expect(error.message).toContain(
        `getVercelOidcToken: expirationBufferMs (${bufferMs} ms) must be shorter than the lifetime of the tokens STS issues for audience '${API_AUDIENCE}', ${lifetime}`,
      );
      expect(stsCalls() - before).toBe(0);
    },
  );

  test.each([
    [-1, '-1'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    ['1000', '"1000"'],
  ])('rejects when expirationBufferMs is %p', async (bufferMs, shown) => {
    useEnv({ VERCEL_OIDC_TOKEN: federation.vercelToken() });
    const error = await getVercelOidcToken({ expirationBufferMs: bufferMs as number }).then(
      notExpected,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(InvalidOidcOptionError);
    expect(error.message).toBe(
      `getVercelOidcToken: expirationBufferMs must be a number of milliseconds from 0, got ${shown}`,
    );
  });

  test('returns a Vercel token without checking the buffer against the STS lifetime when one is present', async () => {
    const token = federation.vercelToken({ exp: Math.floor(Date.now() / 1000) + 3600 });
    useEnv({
      ...federation.functionEnv(),
      VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE,
      VERCEL_OIDC_TOKEN: token,
    });
    expect(await getVercelOidcToken({ expirationBufferMs: 600_000 })).toBe(token);
  });

  test('fetches anew when skipCache is set', async () => {
    useEnv({ ...federation.functionEnv() });
    const before = stsCalls();
    await getVercelOidcToken({ audience: API_AUDIENCE });
    await getVercelOidcToken({ audience: API_AUDIENCE, skipCache: true });
    expect(stsCalls() - before).toBe(2);
  });

  test('rejects listing every source and why when no source has a token', async () => {
    useEnv({ VERCEL_OIDC_TOKEN: 'not-a-jwt' });
    const error = await inRequest({}, () => getVercelOidcToken()).then(
      notExpected,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(VercelOidcTokenError);
    expect(error.message.split('\n')).toEqual([
      MISSING,
      'No OIDC token could be obtained. Tried, in order:',
      "  - the request's x-vercel-oidc-token header: not set",
      '  - the VERCEL_OIDC_TOKEN environment variable: not a JWT',
      '  - STS GetWebIdentityToken: no audience; pass { audience } or set VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE (VercelProject and OidcIssuer.awsOutboundFederation() set it)',
    ]);
  });

  test("reports STS's refusal with its message and keeps the STS error as cause when the role may not have the audience", async () => {
    useEnv({ ...federation.functionEnv() });
    const error = await getVercelOidcToken({ audience: 'api://forbidden' }).then(
      notExpected,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(VercelOidcTokenError);
    expect(error.message).toMatch(/^The 'x-vercel-oidc-token' header is missing from the request\.\n/);
    expect(error.message).toContain(
      "  - the request's x-vercel-oidc-token header: not set (outside a request)",
    );
    expect(error.message).toContain(
      "STS GetWebIdentityToken for audience 'api://forbidden' failed with AccessDenied: User: arn:aws:sts::123456789012:assumed-role/function-role/local-function is not authorized to perform: sts:GetWebIdentityToken",
    );
    expect(error.cause).toBeInstanceOf(StsOperationError);
    expect((error.cause as StsOperationError).code).toBe('AccessDenied');
  });

  test('says how to enable outbound federation when the account has it off', async () => {
    useEnv({ ...federation.functionEnv(), VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE });
    federation.sts.outboundFederationEnabled = false;
    try {
      const error = await getVercelOidcToken().then(notExpected, (e: unknown) => e as Error);
      expect(error.message).toContain('failed with OutboundWebIdentityFederationDisabledException');
      expect(error.message).toContain('OidcIssuer.awsOutboundFederation() enables it');
    } finally {
      federation.sts.outboundFederationEnabled = true;
    }
  });

  test('reports missing AWS credentials as the reason when the function has none', async () => {
    useEnv({ ...regionEnv(federation.sts), VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE });
    const error = await getVercelOidcToken().then(notExpected, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(VercelOidcTokenError);
    expect(error.message).toMatch(
      /STS GetWebIdentityToken: STS GetWebIdentityToken for audience 'api:\/\/reports' failed with CredentialsProviderError/,
    );
  });

  test('rejects a jti with a typed error when the token would come from STS', async () => {
    useEnv({ ...federation.functionEnv() });
    await expect(getVercelOidcToken({ audience: API_AUDIENCE, jti: 'abc' })).rejects.toThrow(
      InvalidOidcOptionError,
    );
    await expect(getVercelOidcToken({ audience: API_AUDIENCE, jti: 'abc' })).rejects.toThrow(
      /sets its own jti/,
    );
  });

  test('rejects an unsupported signing algorithm naming the variable and the value', async () => {
    useEnv({
      ...federation.functionEnv(),
      VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE,
      VERCEL_FUNCTIONS_AWS_OIDC_SIGNING_ALGORITHM: 'HS256',
    });
    await expect(getVercelOidcToken()).rejects.toThrow(
      'VERCEL_FUNCTIONS_AWS_OIDC_SIGNING_ALGORITHM must be RS256 or ES384, got "HS256"',
    );
  });

  test('rejects a token lifetime outside STS bounds naming the variable and the value', async () => {
    useEnv({
      ...federation.functionEnv(),
      VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE,
      VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION: '30',
    });
    await expect(getVercelOidcToken()).rejects.toThrow(
      'VERCEL_FUNCTIONS_AWS_OIDC_TOKEN_DURATION must be a whole number of seconds from 60 to 3600, got "30"',
    );
  });
});
