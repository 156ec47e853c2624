import { getEnv as upstreamGetEnv } from '@vercel/functions';
import { getEnv } from '../../runtime/get-env';

describe('getEnv', () => {
  test('returns exactly upstream keys in upstream order when the environment is empty', () => {
    const env = getEnv({});
    expect(Object.keys(env)).toEqual(Object.keys(upstreamGetEnv({})));
    expect(Object.keys(env)).toHaveLength(21);
    expect(Object.values(env).every((value) => value === undefined)).toBe(true);
  });

  test('turns an empty string into undefined', () => {
    expect(getEnv({ VERCEL_GIT_PULL_REQUEST_ID: '' }).VERCEL_GIT_PULL_REQUEST_ID).toBeUndefined();
  });

  test('passes values through and ignores keys outside the list', () => {
    const env = getEnv({ VERCEL_REGION: 'iad1', VERCEL_ENV: 'production', VERCEL_OIDC_TOKEN: 'secret' });
    expect(env.VERCEL_REGION).toBe('iad1');
    expect(env.VERCEL_ENV).toBe('production');
    expect(env).not.toHaveProperty('VERCEL_OIDC_TOKEN');
  });

  test('reads process.env when called without an argument', () => {
    const before = process.env.VERCEL_DEPLOYMENT_ID;
    process.env.VERCEL_DEPLOYMENT_ID = 'dpl_123';
    try {
      expect(getEnv().VERCEL_DEPLOYMENT_ID).toBe('dpl_123');
    } finally {
      if (before === undefined) delete process.env.VERCEL_DEPLOYMENT_ID;
      else process.env.VERCEL_DEPLOYMENT_ID = before;
    }
  });

  test('matches the real package when every key is set', () => {
    const all = Object.fromEntries(
      Object.keys(upstreamGetEnv({})).map((key, i) => [key, i % 3 ? `v${i}` : '']),
    );
    expect(getEnv(all)).toEqual(upstreamGetEnv(all));
  });

  test('returns a fresh object on every call', () => {
    expect(getEnv({})).not.toBe(getEnv({}));
  });
});
