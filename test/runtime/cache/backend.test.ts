import { provideRuntimeCache, resolveCacheBackend } from '../../../runtime/cache/backend';
import { DynamoDBRuntimeCache } from '../../../runtime/cache/dynamodb-cache';
import { InMemoryCache } from '../../../runtime/cache/in-memory-cache';
import { CACHE_TABLE_ENV, TAG_TABLE_ENV } from '../../../runtime/constructs-contract';
import { contextServices } from '../../../runtime/handler/service-registry';

// The cache the request context carries for the real @vercel/functions package, which finds the
// Runtime Cache only there (its own fallback is one in-memory cache per copy of the package, and the
// dev server loads one copy per function bundle into its process).

const FALLBACK_KEY = Symbol.for('vercel-functions-aws/in-memory-cache');
const slot = globalThis as Record<symbol, unknown>;
const VARIABLES = ['AWS_LAMBDA_FUNCTION_NAME', CACHE_TABLE_ENV, TAG_TABLE_ENV];

// Another copy of the runtime's cache backend and service registry, as a second function bundle in
// the same process carries.
function otherBundleContextCache(): unknown {
  let cache: unknown;
  jest.isolateModules(() => {
    require('../../../runtime/cache/backend').provideRuntimeCache();
    cache = require('../../../runtime/handler/service-registry').contextServices().cache?.();
  });
  return cache;
}

describe('provideRuntimeCache', () => {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  beforeEach(() => {
    jest.spyOn(console, 'warn').mockImplementation(() => {});
    jest.spyOn(console, 'error').mockImplementation(() => {});
    for (const name of VARIABLES) delete process.env[name];
    delete slot[FALLBACK_KEY];
    provideRuntimeCache();
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    jest.restoreAllMocks();
  });

  test('gives the context the in-memory fallback every bundle of the process shares when there is no table outside Lambda', async () => {
    const cache = contextServices().cache?.();
    expect(cache).toBeInstanceOf(InMemoryCache);
    expect(cache).toBe(resolveCacheBackend());
    await cache!.set('k', 'v');
    const other = otherBundleContextCache() as InMemoryCache;
    expect(other).toBe(cache);
    expect(await other.get('k')).toBe('v');
  });

  test('leaves the context cache unset when there is no table in a Lambda execution environment', () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'hello';
    expect(contextServices().cache?.()).toBeUndefined();
  });

  test('gives the context the table-backed cache when the function has a cache table', () => {
    process.env[CACHE_TABLE_ENV] = 'cache-table';
    process.env[TAG_TABLE_ENV] = 'tag-table';
    expect(contextServices().cache?.()).toBeInstanceOf(DynamoDBRuntimeCache);
  });
});
