import { MissingPackageError, VercelOidcTokenError } from '../../../runtime/errors';
import { awsCredentialsProvider } from '../../../runtime/oidc';

const PACKAGE = '@aws-sdk/credential-provider-web-identity';

describe('awsCredentialsProvider', () => {
  const before = process.env.VERCEL_OIDC_TOKEN;

  afterEach(() => {
    if (before === undefined) delete process.env.VERCEL_OIDC_TOKEN;
    else process.env.VERCEL_OIDC_TOKEN = before;
    jest.resetModules();
  });

  test('returns a function without loading anything when created', () => {
    expect(typeof awsCredentialsProvider({ roleArn: 'arn:aws:iam::123456789012:role/r' })).toBe('function');
  });

  test('rejects with upstream message and the load error as cause when the SDK package is missing', async () => {
    const provider = awsCredentialsProvider({ roleArn: 'arn:aws:iam::123456789012:role/r' });
    const error = await provider().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPackageError);
    expect((error as Error).message).toBe(`package '${PACKAGE}' not found`);
    // Jest's module-not-found error comes from another realm, so match on its message.
    expect(String((error as Error).cause)).toContain(PACKAGE);
  });

  test('calls fromWebToken with the init and the current token when the SDK package is present', async () => {
    process.env.VERCEL_OIDC_TOKEN = 'env-token';
    const credentials = { accessKeyId: 'AKIA', secretAccessKey: 'secret', sessionToken: 'session' };
    const fromWebToken = jest.fn(() => async () => credentials);
    jest.doMock(PACKAGE, () => ({ fromWebToken }), { virtual: true });
    const isolated: typeof import('../../../runtime/oidc') = require('../../../runtime/oidc');
    const init = { roleArn: 'arn:aws:iam::123456789012:role/r', roleSessionName: 's', durationSeconds: 900 };
    await expect(isolated.awsCredentialsProvider(init)()).resolves.toBe(credentials);
    expect(fromWebToken).toHaveBeenCalledWith({ ...init, webIdentityToken: 'env-token' });
  });

  test('rejects with the missing-token error when the SDK package is present but no token is', async () => {
    delete process.env.VERCEL_OIDC_TOKEN;
    jest.doMock(PACKAGE, () => ({ fromWebToken: jest.fn() }), { virtual: true });
    const isolated: typeof import('../../../runtime/oidc') = require('../../../runtime/oidc');
    const errors: typeof import('../../../runtime/errors') = require('../../../runtime/errors');
    const provider = isolated.awsCredentialsProvider({ roleArn: 'arn:aws:iam::123456789012:role/r' });
    await expect(provider()).rejects.toThrow(errors.VercelOidcTokenError);
    await expect(provider()).rejects.toThrow("The 'x-vercel-oidc-token' header is missing from the request.");
    expect(VercelOidcTokenError.name).toBe('VercelOidcTokenError');
  });
});
