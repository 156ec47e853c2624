import {
  addCacheTag,
  dangerouslyDeleteBySrcImage,
  dangerouslyDeleteByTag,
  invalidateBySrcImage,
  invalidateByTag,
  waitUntil,
} from '@vercel/functions';
import { CloudFrontEndpoint } from '../../../lib/local/cloudfront-endpoint';
import { toSrcImageCloudFrontTag } from '../../../runtime/cdn/cloudfront-tag';
import { InvalidationManager } from '../../../runtime/cdn/invalidation-manager';
import { reportUnsentCacheTags } from '../../../runtime/cdn/response';
import { ResponseCacheTags } from '../../../runtime/cdn/response-tags';
import { useInvalidationManager } from '../../../runtime/cdn/shared-manager';
import { TagTableStore } from '../../../runtime/cdn/tag-table';
import { BROWSER_CACHE_CONTROL_HEADER, ROUTE_ENV, TAG_TABLE_ENV } from '../../../runtime/constructs-contract';
import { createHandler } from '../../../runtime/handler';
import type { VercelModule } from '../../../runtime/handler/types';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { functionUrlEvent, installFakeLambdaRuntime, invoke } from '../handler/fake-lambda';
import { GatedTagTableStore, useCdnEndpoints } from './cdn-env';

// Cache tags and purge calls through the adapter: the REAL @vercel/functions 3.9.9 (jest resolves
// the package itself) reaches our implementation through the request context; responses go
// through the adapter's streaming path; CloudFront is the loopback endpoint, the tag table lives
// in DynamoDB Local.

const DISTRIBUTION = 'E1ADAPTERTEST01';
const viaCloudFront = (headers: Record<string, string> = {}) => ({
  'x-vfa-distribution-id': DISTRIBUTION,
  ...headers,
});

let uninstall: () => void;
let endpoint: CloudFrontEndpoint;
let restore: () => Promise<void>;
let store: TagTableStore;
let errors: jest.SpyInstance;
let warnings: jest.SpyInstance;

beforeEach(async () => {
  uninstall = installFakeLambdaRuntime();
  endpoint = await CloudFrontEndpoint.start({ distributionIds: [DISTRIBUTION], completionDelayMs: 0 });
  restore = await useCdnEndpoints(endpoint.url, dynamoDBLocalEndpoint());
  const { tagTableName } = await createTestRuntimeTables();
  process.env[TAG_TABLE_ENV] = tagTableName;
  store = new TagTableStore(tagTableName);
  errors = jest.spyOn(console, 'error').mockImplementation(() => {});
  warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(async () => {
  uninstall();
  delete process.env[TAG_TABLE_ENV];
  jest.restoreAllMocks();
  await restore();
  await endpoint.close();
});

const logged = (spy: jest.SpyInstance) => spy.mock.calls.map((args) => args.map(String).join(' ')).join('\n');

/** A handler that runs `work` and then answers `body`. */
const respondAfter =
  (work: () => Promise<unknown>, body = 'ok') =>
  async () => {
    await work();
    return new Response(body);
  };

function run(userModule: VercelModule, event: Record<string, unknown> = {}) {
  return invoke(createHandler(userModule), functionUrlEvent(event));
}

describe('addCacheTag through the adapter', () => {
  test('merges addCacheTag() tags and a handler-set Vercel-Cache-Tag header into canonical tags', async () => {
    const result = await run({
      GET: async () => {
        await addCacheTag(['Product:42', 'products']);
        await addCacheTag('café');
        return new Response('ok', {
          headers: { 'Vercel-Cache-Tag': 'from-header, products', 'cache-control': 's-maxage=60' },
        });
      },
    });
    expect(result.prelude?.headers?.['vercel-cache-tag']).toBe('product:42,products,caf%c3%a9,from-header');
    expect(result.body.toString()).toBe('ok');
  });

  test("adds two tags when given Vercel's documented example product-<id>,products", async () => {
    const result = await run({
      GET: async () => {
        await addCacheTag('product-42,products');
        return new Response('ok', { headers: { 'Vercel-CDN-Cache-Control': 'public, max-age=86400' } });
      },
    });
    expect(result.prelude?.statusCode).toBe(200);
    expect(result.prelude?.headers?.['vercel-cache-tag']).toBe('product-42,products');
  });

  test('rejects with a clear error when given a tag over 256 bytes, and still answers', async () => {
    let failure: unknown;
    const result = await run({
      GET: async () => {
        failure = await addCacheTag(`ok,${'x'.repeat(300)}`).catch((error: unknown) => error);
        return new Response('ok');
      },
    });
    expect(failure).toMatchObject({ name: 'InvalidCacheTagError' });
    expect(String(failure)).toContain('is 300 bytes of UTF-8; the maximum is 256');
    expect(result.prelude?.statusCode).toBe(200);
  });

  test('rejects addCacheTag() called after the headers were sent, in waitUntil work', async () => {
    let late: unknown;
    await run({
      GET: () => {
        waitUntil(
          new Promise((resolve) => setTimeout(resolve, 10)).then(() =>
            addCacheTag('late').catch((error: unknown) => {
              late = error;
            }),
          ),
        );
        return new Response('ok');
      },
    });
    expect(late).toMatchObject({ name: 'CacheTagsAlreadySentError' });
  });

  test('applies tags to a Response whose headers are immutable', async () => {
    const result = await run({
      GET: async () => {
        await addCacheTag('immutable');
        return Response.redirect('https://example.com/elsewhere', 307);
      },
    });
    expect(result.prelude?.statusCode).toBe(307);
    expect(result.prelude?.headers?.['vercel-cache-tag']).toBe('immutable');
  });

  test('records tags beyond the 50th as tag → path rows after the response when the response is cacheable', async () => {
    const tags = Array.from({ length: 60 }, (_, i) => `tag-${i}`);
    const result = await run(
      {
        GET: async () => {
          await addCacheTag(tags);
          return new Response('many', { headers: { 'cache-control': 'public, s-maxage=600' } });
        },
      },
      { rawPath: '/api/products', rawQueryString: 'page=2' },
    );
    expect(result.prelude?.headers?.['vercel-cache-tag']?.split(',')).toEqual(tags.slice(0, 50));
    // Written before the invocation ended (in the waitUntil drain).
    expect(await store.overflowPaths('tag-55')).toMatchObject([{ path: '/api/products?page=2' }]);
    expect(await store.overflowPaths('tag-10')).toEqual([]);
    expect(await store.tagsWithPaths(tags)).toHaveLength(10);
  });

  test('records the path CloudFront cached, not the query the route guard adds', async () => {
    process.env[ROUTE_ENV] = '/api/users/[id]';
    try {
      let seen = '';
      await run(
        {
          GET: async (request) => {
            seen = request.url;
            await addCacheTag(Array.from({ length: 51 }, (_, i) => `user-${i}`));
            return new Response('user', { headers: { 'cache-control': 's-maxage=60' } });
          },
        },
        { rawPath: '/api/users/7' },
      );
      expect(new URL(seen).search).toBe('?id=7');
      expect(await store.overflowPaths('user-50')).toMatchObject([{ path: '/api/users/7' }]);
    } finally {
      delete process.env[ROUTE_ENV];
    }
  });

  test('records no rows when CloudFront would not cache the response', async () => {
    const tags = Array.from({ length: 55 }, (_, i) => `nocache-${i}`);
    await run({
      GET: async () => {
        await addCacheTag(tags);
        return new Response('private', { headers: { 'cache-control': 'private, max-age=60' } });
      },
    });
    await run(
      {
        POST: async () => {
          await addCacheTag(tags);
          return new Response('post', { headers: { 'cache-control': 's-maxage=60' } });
        },
      },
      { method: 'POST' },
    );
    expect(await store.tagsWithPaths(tags)).toEqual([]);
  });

  test('invalidating an overflow tag also evicts the path that carried it', async () => {
    const tags = Array.from({ length: 51 }, (_, i) => `t${i}`);
    await run(
      {
        GET: async () => {
          await addCacheTag(tags);
          return new Response('x', { headers: { 'cache-control': 's-maxage=600' } });
        },
      },
      { rawPath: '/api/list' },
    );
    await run({ GET: respondAfter(() => invalidateByTag('t50'), 'purged') }, { headers: viaCloudFront() });
    expect(endpoint.invalidations().map((invalidation) => [...invalidation.items].sort())).toEqual([
      ['#t50', '/api/list'],
    ]);
  });

  test('invalidating an overflow tag also evicts a path too long for a DynamoDB sort key', async () => {
    const tags = Array.from({ length: 60 }, (_, i) => `long-${i}`);
    const query = `q=${'a'.repeat(1100)}`;
    await run(
      {
        GET: async () => {
          await addCacheTag(tags);
          return new Response('page', { headers: { 'cache-control': 'public, s-maxage=600' } });
        },
      },
      { rawPath: '/page', rawQueryString: query },
    );
    expect(errors).not.toHaveBeenCalled();
    await run(
      { GET: respondAfter(() => invalidateByTag('long-55'), 'purged') },
      { headers: viaCloudFront() },
    );
    expect(endpoint.invalidations().map((invalidation) => [...invalidation.items].sort())).toEqual([
      ['#long-55', `/page?${query}`],
    ]);
    expect(await store.overflowPaths('long-55')).toEqual([]);
  });
});

describe('CDN-Cache-Control through the adapter', () => {
  test('puts the CDN directive into Cache-Control and the own one into the companion header', async () => {
    const result = await run({
      GET: () =>
        new Response('ok', {
          headers: { 'cache-control': 'max-age=10', 'vercel-cdn-cache-control': 's-maxage=3600' },
        }),
    });
    expect(result.prelude?.headers).toMatchObject({
      'cache-control': 's-maxage=3600',
      [BROWSER_CACHE_CONTROL_HEADER]: 'max-age=10',
    });
    expect(result.prelude?.headers).not.toHaveProperty('vercel-cdn-cache-control');
  });
});

describe('purge through the adapter', () => {
  test('sends #tag to CloudFront before the invocation ends even when the promise is not awaited', async () => {
    const result = await run(
      {
        GET: () => {
          void invalidateByTag(['Product:42', 'products']);
          return new Response('purging');
        },
      },
      { headers: viaCloudFront() },
    );
    expect(result.body.toString()).toBe('purging');
    expect(endpoint.invalidations().map((invalidation) => [...invalidation.items].sort())).toEqual([
      ['#product:42', '#products'],
    ]);
  });

  test('invalidates the source-image tag when given a source image', async () => {
    await run(
      { GET: respondAfter(() => invalidateBySrcImage('/images/hero.png')) },
      {
        headers: viaCloudFront(),
      },
    );
    expect(endpoint.invalidations()[0].items).toEqual([`#${toSrcImageCloudFrontTag('/images/hero.png')}`]);
  });

  test('schedules the eviction in the tag table when given a revalidation deadline', async () => {
    await run(
      {
        GET: respondAfter(() => dangerouslyDeleteByTag('later', { revalidationDeadlineSeconds: 300 })),
      },
      { headers: viaCloudFront() },
    );
    expect(endpoint.createRequests()).toHaveLength(0);
    const [row] = await store.duePending(Date.now() + 301_000, 10);
    expect(row).toMatchObject({ items: ['#later'], expanded: false, distributionId: DISTRIBUTION });
    expect(row.notBefore).toBeGreaterThanOrEqual(Date.now() + 290_000);
  });

  test('retries a batch persisted by one invocation in the next invocation', async () => {
    useInvalidationManager(
      new InvalidationManager({
        store,
        windowMs: 5,
        retryBudgetMs: 100,
        baseDelayMs: 10,
        persistedRetryDelayMs: 0,
      }),
    );
    endpoint.failNext('TooManyInvalidationsInProgress', { count: 1000 });
    await run({ GET: respondAfter(() => invalidateByTag('queued')) }, { headers: viaCloudFront() });
    expect(endpoint.invalidations()).toHaveLength(0);
    expect(logged(warnings)).toContain('queued in the tag table for a retry');

    endpoint.clearFaults();
    await run({ GET: () => new Response('any request') }, { headers: viaCloudFront() });
    expect(endpoint.invalidations().map((invalidation) => invalidation.items)).toEqual([['#queued']]);
    expect(await store.duePending(Date.now() + 1000, 10)).toEqual([]);
  });

  test("sweeps only its own distribution's rows when the tag table serves several", async () => {
    useInvalidationManager(new InvalidationManager({ store, windowMs: 5 }));
    const due = Date.now() - 1000;
    for (const distributionId of [DISTRIBUTION, 'E2SOMEONEELSE1']) {
      await store.schedule(
        {
          distributionId,
          items: ['#shared'],
          callerReference: `ref-${distributionId}`,
          expanded: true,
          notBefore: due,
        },
        due,
      );
    }
    await run({ GET: () => new Response('any request') }, { headers: viaCloudFront() });

    expect(endpoint.createRequests().map((request) => request.distributionId)).toEqual([DISTRIBUTION]);
    // The other distribution's row is untouched: no attempt counted, no later retry time.
    expect(await store.duePending(Date.now(), 10)).toMatchObject([
      { distributionId: 'E2SOMEONEELSE1', attempts: 0, refusals: 0, retryAfter: due },
    ]);
  });

  test('sweeps nothing when the request did not come through CloudFront', async () => {
    useInvalidationManager(new InvalidationManager({ store, windowMs: 5 }));
    const due = Date.now() - 1000;
    await store.schedule(
      {
        distributionId: DISTRIBUTION,
        items: ['#x'],
        callerReference: 'ref-direct',
        expanded: true,
        notBefore: due,
      },
      due,
    );
    await run({ GET: () => new Response('direct Function URL call') });
    expect(endpoint.createRequests()).toHaveLength(0);
    expect(await store.duePending(Date.now(), 10)).toHaveLength(1);
  });

  test('deletes invalidated overflow rows in the drain, after invalidateByTag resolved', async () => {
    const gated = new GatedTagTableStore(store.tableName);
    useInvalidationManager(new InvalidationManager({ store: gated, windowMs: 5 }));
    for (let i = 0; i < 40; i++) await store.recordOverflow(['listing'], `/list?page=${i}`, 3600);
    let rowsWhenResolved = -1;
    await run(
      {
        GET: respondAfter(async () => {
          await invalidateByTag('listing');
          rowsWhenResolved = (await store.overflowPaths('listing')).length;
          gated.open();
        }),
      },
      { headers: viaCloudFront() },
    );
    expect(rowsWhenResolved).toBe(40);
    expect(await store.overflowPaths('listing')).toEqual([]);
    // The wildcard goes in a batch of its own (runtime/cdn/batches.ts).
    expect(endpoint.invalidations().map((invalidation) => invalidation.items)).toEqual([
      ['#listing'],
      ['/list*'],
    ]);
  });

  test('resolves and warns once when the request did not come through CloudFront', async () => {
    await run({
      GET: respondAfter(async () => {
        await invalidateByTag('x');
        await invalidateByTag('y');
      }),
    });
    expect(endpoint.createRequests()).toHaveLength(0);
    expect(logged(warnings)).toContain('no CDN cache to invalidate');
  });

  test('rejects with typed errors when given bad input', async () => {
    const failures: unknown[] = [];
    await run(
      {
        GET: async () => {
          const record = (promise: Promise<void>) => promise.catch((error: unknown) => failures.push(error));
          await record(invalidateByTag(''));
          await record(dangerouslyDeleteByTag('a', { revalidationDeadlineSeconds: -1 }));
          await record(invalidateBySrcImage('relative.png'));
          return new Response('ok');
        },
      },
      { headers: viaCloudFront() },
    );
    expect(failures.map((error) => (error as Error).name)).toEqual([
      'InvalidCacheTagError',
      'InvalidPurgeOptionError',
      'InvalidSrcImageError',
    ]);
    expect(String(failures[1])).toContain(
      'revalidationDeadlineSeconds must be a finite number of seconds >= 0, got -1',
    );
    expect(endpoint.createRequests()).toHaveLength(0);
    expect(errors).not.toHaveBeenCalled();
  });

  test('resolves without scheduling anything and warns when the revalidation deadline is past 365 days', async () => {
    await run(
      {
        GET: async () => {
          // Past ~8.6e12 s no Date can hold the time: nothing may build one from it.
          await dangerouslyDeleteByTag('huge', { revalidationDeadlineSeconds: 1e13 });
          await dangerouslyDeleteBySrcImage('/late.png', { revalidationDeadlineSeconds: 31_536_001 });
          await dangerouslyDeleteByTag('year', { revalidationDeadlineSeconds: 31_536_000 });
          return new Response('ok');
        },
      },
      { headers: viaCloudFront() },
    );
    const lines = warnings.mock.calls.map((args) => args.map(String).join(' '));
    expect(lines.filter((line) => line.includes('no eviction was scheduled'))).toEqual([
      expect.stringContaining(
        'dangerouslyDeleteByTag(): revalidationDeadlineSeconds 10000000000000 is more than 31536000 (365 days, the longest CloudFront keeps an object',
      ),
      expect.stringContaining(
        'dangerouslyDeleteBySrcImage(): revalidationDeadlineSeconds 31536001 is more than',
      ),
    ]);
    // Nothing evicted at once; only the 365-day deadline waits in the table.
    expect(endpoint.createRequests()).toHaveLength(0);
    const rows = await store.duePending(Date.now() + 400 * 86_400_000, 10);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ items: ['#year'], expanded: false });
    expect(errors).not.toHaveBeenCalled();
  });

  test('still rejects a revalidation deadline that is not a finite number of seconds', async () => {
    const failures: unknown[] = [];
    await run(
      {
        GET: async () => {
          const record = (promise: Promise<void>) => promise.catch((error: unknown) => failures.push(error));
          await record(
            dangerouslyDeleteByTag('a', { revalidationDeadlineSeconds: Number.POSITIVE_INFINITY }),
          );
          await record(dangerouslyDeleteByTag('a', { revalidationDeadlineSeconds: Number.NaN }));
          await record(
            dangerouslyDeleteByTag('a', { revalidationDeadlineSeconds: '60' as unknown as number }),
          );
          return new Response('ok');
        },
      },
      { headers: viaCloudFront() },
    );
    expect(failures.map((error) => (error as Error).name)).toEqual([
      'InvalidPurgeOptionError',
      'InvalidPurgeOptionError',
      'InvalidPurgeOptionError',
    ]);
    expect(String(failures[0])).toContain('must be a finite number of seconds >= 0, got null');
    expect(String(failures[2])).toContain('got "60"');
    expect(endpoint.createRequests()).toHaveLength(0);
    expect(logged(warnings)).not.toContain('no eviction was scheduled');
  });
});

describe('reportUnsentCacheTags', () => {
  test('logs the tags a response writer could not apply and closes the collector', async () => {
    const cacheTags = new ResponseCacheTags();
    await cacheTags.add(['a', 'b']);
    reportUnsentCacheTags({ requestId: 'req-1', cacheTags });
    expect(logged(warnings)).toContain('not applied: a, b');
    await expect(cacheTags.add('c')).rejects.toMatchObject({ name: 'CacheTagsAlreadySentError' });
  });
});
