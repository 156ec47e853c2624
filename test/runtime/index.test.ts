// The export surface must match the real @vercel/functions 3.9.9 key for key, on the root and on
// every subpath, so that aliasing the package to runtime/ never breaks an import.

import * as ours from '../../runtime';
import * as oursBundled from '../../runtime/bundle-index';
import * as oursDbConnections from '../../runtime/db-connections';
import * as oursHeaders from '../../runtime/headers';
import * as oursMiddleware from '../../runtime/middleware';
import * as oursOidc from '../../runtime/oidc';

const keys = (module: object) => Object.keys(module).sort();
// The root has exactly upstream's keys; what bundles resolve it to (bundle-index.ts) adds the
// `default` a default import needs, which Node gives upstream's CommonJS exports (tested below).
const oursNamed = ours;
const { default: oursDefault, ...oursBundledNamed } = oursBundled;

describe('export surface', () => {
  test.each([
    ['@vercel/functions', oursNamed],
    ['@vercel/functions/headers', oursHeaders],
    ['@vercel/functions/middleware', oursMiddleware],
    ['@vercel/functions/db-connections', oursDbConnections],
    ['@vercel/functions/oidc', oursOidc],
  ])('has exactly the runtime keys of %s', (specifier, module) => {
    const upstream = require(specifier) as object;
    expect(keys(module)).toEqual(keys(upstream));
  });

  test('has the 17 root functions of upstream 3.9.9', () => {
    expect(keys(oursNamed)).toEqual([
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
    for (const key of keys(oursNamed))
      expect([key, typeof (oursNamed as Record<string, unknown>)[key]]).toEqual([key, 'function']);
  });

  test('bundles the same named exports as the index, plus a default', () => {
    expect(keys(oursBundledNamed)).toEqual(keys(oursNamed));
  });

  test('has a default export holding every named export when imported as an ES module default', () => {
    // What `import vercel from '@vercel/functions'` gives on Node: the CommonJS module.exports.
    const upstream = require('@vercel/functions') as object;
    expect(keys(oursDefault)).toEqual(keys(upstream));
    for (const [key, value] of Object.entries(oursDefault)) {
      expect([key, value]).toEqual([key, (oursNamed as Record<string, unknown>)[key]]);
    }
  });
});
