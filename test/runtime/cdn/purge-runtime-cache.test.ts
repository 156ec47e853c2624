import { getCache as realGetCache, invalidateByTag as realInvalidateByTag } from '@vercel/functions';
import { CloudFrontEndpoint } from '../../../lib/local/cloudfront-endpoint';
import { getCache } from '../../../runtime/cache';
import { PersistentRuntimeCache } from '../../../runtime/cache/persistent-cache';
import { TagTableStore } from '../../../runtime/cdn/tag-table';
import { CACHE_TABLE_ENV, TAG_TABLE_ENV } from '../../../runtime/constructs-contract';
import { createHandler } from '../../../runtime/handler';
import type { VercelModule } from '../../../runtime/handler/types';
import { dangerouslyDeleteByTag, invalidateByTag } from '../../../runtime/purge';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { functionUrlEvent, installFakeLambdaRuntime, invoke } from '../handler/fake-lambda';
import { useCdnEndpoints } from './cdn-env';

// On Vercel a cache tag names content in every cache layer: purging a tag purges the CDN cache and
// the Runtime Cache entries set with that tag. Here: the purge calls through the adapter, CloudFront
// as the loopback endpoint, the Runtime Cache and the tag table in DynamoDB Local.

const DISTRIBUTION = 'E1PURGERCTEST01';
const viaCloudFront = { headers: { 'x-vfa-distribution-id': DISTRIBUTION } };

let uninstall: () => void;
let endpoint: CloudFrontEndpoint;
let restore: () => Promise<void>;
let tables: { cacheTableName: string; tagTableName: string };
let errors: jest.SpyInstance;

beforeEach(async () => {
  uninstall = installFakeLambdaRuntime();
  endpoint = await CloudFrontEndpoint.start({ distributionIds: [DISTRIBUTION], completionDelayMs: 0 });
  restore = await useCdnEndpoints(endpoint.url, dynamoDBLocalEndpoint());
  tables = await createTestRuntimeTables();
  process.env[CACHE_TABLE_ENV] = tables.cacheTableName;
  process.env[TAG_TABLE_ENV] = tables.tagTableName;
  errors = jest.spyOn(console, 'error').mockImplementation(() => {});
  jest.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(async () => {
  uninstall();
  delete process.env[CACHE_TABLE_ENV];
  delete process.env[TAG_TABLE_ENV];
  jest.restoreAllMocks();
  await restore();
  await endpoint.close();
});

function run(userModule: VercelModule, event: Record<string, unknown> = viaCloudFront) {
  return invoke(createHandler(userModule), functionUrlEvent(event));
}

/** Runs `work` inside a request and returns what it resolved to, or the error it rejected with. */
async function inRequest<T>(work: () => Promise<T>, event?: Record<string, unknown>) {
  let outcome: { value?: T; error?: unknown } = {};
  await run(
    {
      GET: async () => {
        outcome = await work().then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        return new Response('ok');
      },
    },
    event,
  );
  return outcome;
}

const cloudFrontItems = () => endpoint.invalidations().flatMap((invalidation) => [...invalidation.items]);

describe('purge calls expire the Runtime Cache by tag', () => {
  test('invalidateByTag expires Runtime Cache entries carrying the tag and evicts it from CloudFront', async () => {
    const cache = getCache({ namespace: 'shop' });
    await cache.set('list', ['a'], { tags: ['products'] });
    await cache.set('home', 'home', { tags: ['pages'] });

    const { value, error } = await inRequest(async () => {
      await invalidateByTag('products');
      return [await cache.get('list'), await cache.get('home')];
    });

    expect(error).toBeUndefined();
    expect(value).toEqual([null, 'home']);
    expect(cloudFrontItems()).toEqual(['#products']);
  });

  test('expires the tags of concurrent calls in one expireTag, as CloudFront gets them in one invalidation', async () => {
    const cache = getCache({ namespace: 'many' });
    const tags = Array.from({ length: 200 }, (_, i) => `many-${i}`);
    for (const tag of tags.slice(0, 3)) await cache.set(tag, tag, { tags: [tag] });
    const expiries = jest.spyOn(PersistentRuntimeCache.prototype, 'expireTagReporting');

    const { value, error } = await inRequest(async () => {
      await Promise.all(tags.map((tag) => invalidateByTag(tag)));
      return Promise.all(tags.slice(0, 3).map((tag) => cache.get(tag)));
    });

    expect(error).toBeUndefined();
    expect(value).toEqual([null, null, null]);
    expect(expiries).toHaveBeenCalledTimes(1);
    expect(expiries.mock.calls[0][0]).toEqual(tags);
    expect(endpoint.invalidations()).toHaveLength(1);
  });

  test('expires the tags as given, case and all, while CloudFront gets their lower-case form', async () => {
    const cache = getCache();
    await cache.set('upper', 1, { tags: ['Featured'] });
    await cache.set('lower', 2, { tags: ['featured'] });

    const { value } = await inRequest(async () => {
      await invalidateByTag('Featured');
      return [await cache.get('upper'), await cache.get('lower')];
    });

    expect(value).toEqual([null, 2]);
    expect(cloudFrontItems()).toEqual(['#featured']);
  });

  test('expires every tag of a comma-separated list and of an array', async () => {
    const cache = getCache();
    await cache.set('a', 'a', { tags: ['tag-a'] });
    await cache.set('b', 'b', { tags: ['tag-b'] });
    await cache.set('c', 'c', { tags: ['tag-c'] });

    const { value } = await inRequest(async () => {
      await invalidateByTag(['tag-a, tag-b', 'tag-c']);
      return [await cache.get('a'), await cache.get('b'), await cache.get('c')];
    });

    expect(value).toEqual([null, null, null]);
  });

  test('dangerouslyDeleteByTag expires the Runtime Cache at once even when CloudFront eviction waits for the deadline', async () => {
    const cache = getCache();
    await cache.set('soon', 'x', { tags: ['catalog'] });

    const { value, error } = await inRequest(async () => {
      await dangerouslyDeleteByTag('catalog', { revalidationDeadlineSeconds: 300 });
      return cache.get('soon');
    });

    expect(error).toBeUndefined();
    expect(value).toBeNull();
    // CloudFront's eviction is still deferred to the deadline, in the tag table.
    expect(endpoint.createRequests()).toHaveLength(0);
    const rows = await new TagTableStore(tables.tagTableName).duePending(Date.now() + 301_000, 10);
    expect(rows.map((row) => row.items)).toEqual([['#catalog']]);
  });

  test('expires the Runtime Cache when the request did not come through CloudFront', async () => {
    const cache = getCache();
    await cache.set('direct', 'x', { tags: ['direct-tag'] });

    const { value } = await inRequest(async () => {
      await invalidateByTag('direct-tag');
      return cache.get('direct');
    }, {});

    expect(value).toBeNull();
    expect(endpoint.createRequests()).toHaveLength(0);
  });

  test('leaves the Runtime Cache alone for a tag over 256 bytes, which no entry can carry, and still evicts it from CloudFront', async () => {
    const long = 'x'.repeat(300);
    const { error } = await inRequest(() => invalidateByTag(['short', long]));
    expect(error).toBeUndefined();
    expect(cloudFrontItems()).toHaveLength(2);
    expect(errors).not.toHaveBeenCalled();
  });

  test('rejects, naming the tags, when the Runtime Cache cannot expire them, and still evicts them from CloudFront', async () => {
    // A cache table without a tag table: the Runtime Cache has nowhere to record a tag's expiry.
    delete process.env[TAG_TABLE_ENV];
    const cache = getCache();
    await cache.set('kept', 'x', { tags: ['orphan'] });

    const { error } = await inRequest(() => invalidateByTag('orphan'));

    expect(error).toMatchObject({ name: 'RuntimeCacheExpiryError', tags: ['orphan'] });
    expect(String(error)).toContain(
      'invalidateByTag(): the Runtime Cache did not expire 1 of 1 tag(s) ("orphan")',
    );
    expect(String(error)).toContain('no tag table is configured');
    expect(cloudFrontItems()).toEqual(['#orphan']);
  });

  test('finishes both halves before the invocation ends and logs the failure when the promise is not awaited', async () => {
    delete process.env[TAG_TABLE_ENV];
    const result = await run({
      GET: () => {
        void invalidateByTag('unawaited');
        return new Response('purging');
      },
    });
    expect(result.body.toString()).toBe('purging');
    expect(cloudFrontItems()).toEqual(['#unawaited']);
    const logged = errors.mock.calls.map((args) => args.map(String).join(' ')).join('\n');
    expect(logged).toContain('A waitUntil() promise rejected');
    expect(logged).toContain('RuntimeCacheExpiryError');
  });

  test('the real @vercel/functions package sees its Runtime Cache entries expired by its invalidateByTag', async () => {
    const { value, error } = await inRequest(async () => {
      const cache = realGetCache();
      await cache.set('real', 'x', { tags: ['real-tag'] });
      await realInvalidateByTag('real-tag');
      return cache.get('real');
    });
    expect(error).toBeUndefined();
    expect(value).toBeNull();
    expect(cloudFrontItems()).toEqual(['#real-tag']);
  });
});

describe('purge calls expire the in-memory fallback', () => {
  beforeEach(() => {
    delete process.env[CACHE_TABLE_ENV];
    delete process.env[TAG_TABLE_ENV];
  });

  test('on Lambda, neither creates the fallback nor logs its warning in a function that never used getCache()', async () => {
    const slot = Symbol.for('vercel-functions-aws/in-memory-cache');
    delete (globalThis as Record<symbol, unknown>)[slot];
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    // Set by Lambda in every execution environment: there the request context carries no fallback.
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'purge-only';

    const { error } = await inRequest(() => invalidateByTag('only-purged')).finally(() => {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    });

    expect(error).toBeUndefined();
    expect(cloudFrontItems()).toEqual(['#only-purged']);
    expect(warn.mock.calls.flat().join('\n')).not.toContain('Runtime Cache unavailable');
    expect((globalThis as Record<symbol, unknown>)[slot]).toBeUndefined();
  });

  test('invalidateByTag expires in-memory entries carrying the tag, as the deployed cache would', async () => {
    const cache = getCache({ namespace: 'fallback-test' });
    await cache.set('gone', 'x', { tags: ['fallback-tag'] });
    await cache.set('kept', 'y', { tags: ['fallback-other'] });

    const { value } = await inRequest(async () => {
      await invalidateByTag('fallback-tag');
      return [await cache.get('gone'), await cache.get('kept')];
    });

    expect(value).toEqual([null, 'y']);
  });

  test('does nothing outside a request, as upstream', async () => {
    const cache = getCache({ namespace: 'fallback-test' });
    await cache.set('outside', 'x', { tags: ['outside-tag'] });
    await invalidateByTag('outside-tag');
    await expect(cache.get('outside')).resolves.toBe('x');
  });
});
