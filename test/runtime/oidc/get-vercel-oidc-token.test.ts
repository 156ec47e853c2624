import { UnsupportedOptionError, VercelOidcTokenError } from '../../../runtime/errors';
import { Awaiter } from '../../../runtime/handler/awaiter';
import { RequestContext, runWithRequestContext } from '../../../runtime/handler/request-context';
import { getVercelOidcToken, getVercelOidcTokenSync } from '../../../runtime/oidc';

const MISSING = "The 'x-vercel-oidc-token' header is missing from the request.";

function inRequest<T>(headers: Record<string, string>, fn: () => T): T {
  const context = new RequestContext({
    requestId: 'req-1',
    headers,
    deadline: Date.now() + 10_000,
    awaiter: new Awaiter(() => {}),
  });
  return runWithRequestContext(context, fn);
}

describe('getVercelOidcTokenSync / getVercelOidcToken', () => {
  const before = process.env.VERCEL_OIDC_TOKEN;

  beforeEach(() => {
    delete process.env.VERCEL_OIDC_TOKEN;
  });

  afterEach(() => {
    if (before === undefined) delete process.env.VERCEL_OIDC_TOKEN;
    else process.env.VERCEL_OIDC_TOKEN = before;
  });

  test('returns the environment token when outside a request', async () => {
    process.env.VERCEL_OIDC_TOKEN = 'env-token';
    expect(getVercelOidcTokenSync()).toBe('env-token');
    await expect(getVercelOidcToken()).resolves.toBe('env-token');
  });

  test('returns the request header token when inside a request', async () => {
    const token = await inRequest({ 'x-vercel-oidc-token': 'header-token' }, () => getVercelOidcToken());
    expect(token).toBe('header-token');
  });

  test('prefers the header over the environment when both are set', () => {
    process.env.VERCEL_OIDC_TOKEN = 'env-token';
    expect(inRequest({ 'x-vercel-oidc-token': 'header-token' }, () => getVercelOidcTokenSync())).toBe(
      'header-token',
    );
  });

  test('throws upstream message when neither header nor environment has a token', async () => {
    expect(() => getVercelOidcTokenSync()).toThrow(MISSING);
    expect(() => getVercelOidcTokenSync()).toThrow(VercelOidcTokenError);
    await expect(getVercelOidcToken()).rejects.toThrow(MISSING);
  });

  test('throws when the header is empty, without falling back to the environment', () => {
    process.env.VERCEL_OIDC_TOKEN = 'env-token';
    expect(() => inRequest({ 'x-vercel-oidc-token': '' }, () => getVercelOidcTokenSync())).toThrow(MISSING);
  });

  test('rejects with a typed error naming the option when given an audience', async () => {
    process.env.VERCEL_OIDC_TOKEN = 'env-token';
    await expect(getVercelOidcToken({ audience: 'sts.amazonaws.com' })).rejects.toThrow(
      UnsupportedOptionError,
    );
    await expect(getVercelOidcToken({ audience: 'sts.amazonaws.com' })).rejects.toThrow(
      'getVercelOidcToken({ audience: "sts.amazonaws.com" })',
    );
  });
});
