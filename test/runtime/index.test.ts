// The export surface must match the real @vercel/functions 3.9.9 key for key, on the root and on
// every subpath, so that aliasing the package to runtime/ never breaks an import.
import * as ours from '../../runtime';
import * as oursDbConnections from '../../runtime/db-connections';
import * as oursHeaders from '../../runtime/headers';
import * as oursMiddleware from '../../runtime/middleware';
import * as oursOidc from '../../runtime/oidc';

const keys = (module: object) => Object.keys(module).sort();

describe('export surface', () => {
  test.each([
    ['@vercel/functions', ours],
    ['@vercel/functions/headers', oursHeaders],
    ['@vercel/functions/middleware', oursMiddleware],
    ['@vercel/functions/db-connections', oursDbConnections],
    ['@vercel/functions/oidc', oursOidc],
  ])('has exactly the runtime keys of %s', (specifier, module) => {
    const upstream = require(specifier) as object;
    expect(keys(module)).toEqual(keys(upstream));
  });

  test('has the 17 root functions of upstream 3.9.9', () => {
    expect(keys(ours)).toEqual([
      'addCacheTag',
      'attachDatabasePool',
      'dangerouslyDeleteBySrcImage',
      'dangerouslyDeleteByTag',
      'experimental_attachDatabasePool',
      'experimental_upgradeWebSocket',
      'geolocation',
      'getCache',
      'getDeadline',
      'getEnv',
      'invalidateBySrcImage',
      'invalidateByTag',
      'ipAddress',
      'metric',
      'next',
      'rewrite',
      'waitUntil',
    ]);
    for (const key of keys(ours))
      expect([key, typeof (ours as Record<string, unknown>)[key]]).toEqual([key, 'function']);
  });
});
