// The `@vercel/oidc` and `@vercel/oidc-aws-credentials-provider` surfaces must match upstream key for
// key, so aliasing those packages to runtime/ never breaks an import; and the real packages must
// read the request context this runtime publishes.
import * as errors from '../../../runtime/errors';
import * as deprecated from '../../../runtime/oidc';
import * as credentialsProvider from '../../../runtime/oidc-aws-credentials-provider';
import * as ours from '../../../runtime/vercel-oidc';
import { inRequest } from './federation';

const keys = (module: object) => Object.keys(module).sort();

describe('@vercel/oidc surface', () => {
  test('has exactly the runtime keys of the real @vercel/oidc', () => {
    const upstream = require('@vercel/oidc') as object;
    expect(keys(ours)).toEqual(keys(upstream));
  });

  test('has the one runtime key of upstream @vercel/oidc-aws-credentials-provider', () => {
    expect(keys(credentialsProvider)).toEqual(['awsCredentialsProvider']);
  });

  test('shares one implementation with the deprecated @vercel/functions/oidc', () => {
    expect(deprecated.getVercelOidcToken).toBe(ours.getVercelOidcToken);
    expect(deprecated.getVercelOidcTokenSync).toBe(ours.getVercelOidcTokenSync);
    expect(deprecated.awsCredentialsProvider).toBe(credentialsProvider.awsCredentialsProvider);
  });

  test("keeps upstream's names and messages on the error classes", () => {
    const upstream = require('@vercel/oidc') as typeof import('@vercel/oidc');
    for (const [Ours, Theirs] of [
      [ours.AccessTokenMissingError, upstream.AccessTokenMissingError],
      [ours.RefreshAccessTokenFailedError, upstream.RefreshAccessTokenFailedError],
    ] as const) {
      const mine = new Ours();
      const theirs = new Theirs();
      expect([mine.name, mine.message]).toEqual([theirs.name, theirs.message]);
      expect(mine).toBeInstanceOf(errors.VercelFunctionsAwsError);
    }
    const cause = new Error('oauth failed');
    expect(new ours.RefreshAccessTokenFailedError({ cause }).cause).toBe(cause);
  });

  test('rejects getVercelToken with a typed error saying why, when called on AWS', async () => {
    await expect(ours.getVercelToken()).rejects.toThrow(errors.UnsupportedOptionError);
    await expect(ours.getVercelToken()).rejects.toThrow(/^getVercelToken is not supported on AWS Lambda/);
  });

  test('returns the request headers from getContext inside a request, and {} outside', () => {
    expect(ours.getContext()).toEqual({});
    expect(inRequest({ 'x-vercel-oidc-token': 't' }, () => ours.getContext().headers)).toEqual({
      'x-vercel-oidc-token': 't',
    });
  });
});

describe('the real packages under this runtime', () => {
  const saved = process.env.VERCEL_OIDC_TOKEN;
  afterEach(() => {
    if (saved === undefined) delete process.env.VERCEL_OIDC_TOKEN;
    else process.env.VERCEL_OIDC_TOKEN = saved;
  });

  test('the real @vercel/functions/oidc reads the token from our request context header', () => {
    process.env.VERCEL_OIDC_TOKEN = 'env-token';
    const real = require('@vercel/functions/oidc') as typeof import('@vercel/functions/oidc');
    expect(inRequest({ 'x-vercel-oidc-token': 'context-token' }, () => real.getVercelOidcTokenSync())).toBe(
      'context-token',
    );
  });

  test('the real @vercel/oidc getContext sees our request context', () => {
    const real = require('@vercel/oidc') as typeof import('@vercel/oidc');
    expect(
      inRequest({ 'x-vercel-oidc-token': 'context-token' }, () => real.getContext().headers),
    ).toMatchObject({
      'x-vercel-oidc-token': 'context-token',
    });
  });
});
