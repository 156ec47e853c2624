import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { CloudFrontEndpoint } from '../../../lib/local/cloudfront-endpoint';
import {
  InvalidationManager,
  type InvalidationManagerOptions,
} from '../../../runtime/cdn/invalidation-manager';
import { TagTableStore } from '../../../runtime/cdn/tag-table';
import { InvalidationFailedError } from '../../../runtime/errors';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { itemCounts, useCdnEndpoints } from './cdn-env';

// The invalidation manager with the real @aws-sdk/client-cloudfront against the loopback CloudFront
// endpoint, and its tag table rows in DynamoDB Local. No SDK mocks.

const DISTRIBUTION = 'E1MANAGERTEST01';
const OTHER_DISTRIBUTION = 'E1MANAGERTEST02';

let endpoint: CloudFrontEndpoint;
let restore: () => Promise<void>;
let store: TagTableStore;
let errors: jest.SpyInstance;
let warnings: jest.SpyInstance;

beforeEach(async () => {
  endpoint = await CloudFrontEndpoint.start({
    distributionIds: [DISTRIBUTION, OTHER_DISTRIBUTION],
    completionDelayMs: 0,
  });
  restore = await useCdnEndpoints(endpoint.url, dynamoDBLocalEndpoint());
  store = new TagTableStore((await createTestRuntimeTables()).tagTableName);
  errors = jest.spyOn(console, 'error').mockImplementation(() => {});
  warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(async () => {
  jest.restoreAllMocks();
  await restore();
  await endpoint.close();
});

/** A manager with test-sized delays (a window, backoff and retry budget of milliseconds). */
function manager(options: InvalidationManagerOptions = {}): InvalidationManager {
  return new InvalidationManager({
    store,
    windowMs: 10,
    baseDelayMs: 20,
    maxDelayMs: 100,
    retryBudgetMs: 2_000,
    persistedRetryDelayMs: 0,
    ...options,
  });
}

const later = () => Date.now() + 60_000;
const createdItems = () => endpoint.invalidations().map((invalidation) => invalidation.items);

describe('InvalidationManager', () => {
  test('coalesces 1,000 concurrent distinct-tag calls into one request without losing any', async () => {
    const invalidations = manager();
    const tags = Array.from({ length: 1000 }, (_, i) => `product-${i}`);
    await Promise.all(
      tags.map((tag) =>
        invalidations.invalidate({ distributionId: DISTRIBUTION, tags: [tag], deadline: later() }),
      ),
    );

    expect(endpoint.createRequests()).toHaveLength(1);
    const counts = itemCounts(createdItems());
    expect(counts.size).toBe(1000);
    for (const tag of tags) expect(counts.get(`#${tag}`)).toBe(1);
  });

  test('deduplicates items and keeps distributions apart when calls repeat tags', async () => {
    const invalidations = manager();
    await Promise.all([
      invalidations.invalidate({ distributionId: DISTRIBUTION, tags: ['a', 'b'], deadline: later() }),
      invalidations.invalidate({
        distributionId: DISTRIBUTION,
        tags: ['b'],
        paths: ['/x'],
        deadline: later(),
      }),
      invalidations.invalidate({ distributionId: OTHER_DISTRIBUTION, tags: ['a'], deadline: later() }),
    ]);
    expect(endpoint.invalidations(DISTRIBUTION).map((i) => [...i.items].sort())).toEqual([
      ['#a', '#b', '/x'],
    ]);
    expect(endpoint.invalidations(OTHER_DISTRIBUTION).map((i) => i.items)).toEqual([['#a']]);
  });

  test('splits a window at 3,000 items and at 15 wildcards per request', async () => {
    const invalidations = manager();
    const tags = Array.from({ length: 3500 }, (_, i) => `t${i}`);
    const wildcards = Array.from({ length: 20 }, (_, i) => `/w${i}/*`);
    await invalidations.invalidate({
      distributionId: DISTRIBUTION,
      tags,
      paths: wildcards,
      deadline: later(),
    });

    const batches = createdItems();
    expect(batches.length).toBeGreaterThanOrEqual(2);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(3000);
      expect(batch.filter((item) => item.endsWith('*')).length).toBeLessThanOrEqual(15);
    }
    const counts = itemCounts(batches);
    expect(counts.size).toBe(3520);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });

  test('sends every invalidation exactly once when CloudFront throttles for a while', async () => {
    endpoint.failNext('Throttling', { count: 6 });
    const invalidations = manager();
    const calls = Array.from({ length: 200 }, (_, i) =>
      invalidations.invalidate({ distributionId: DISTRIBUTION, tags: [`tag-${i}`], deadline: later() }),
    );
    // A second wave opens another window while the first one is still being retried.
    await new Promise((resolve) => setTimeout(resolve, 15));
    calls.push(
      ...Array.from({ length: 200 }, (_, i) =>
        invalidations.invalidate({ distributionId: DISTRIBUTION, tags: [`wave2-${i}`], deadline: later() }),
      ),
    );
    await Promise.all(calls);

    const throttled = endpoint.createRequests().filter((request) => request.errorCode === 'Throttling');
    expect(throttled).toHaveLength(6);
    const counts = itemCounts(createdItems());
    expect(counts.size).toBe(400);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });

  test('sends every invalidation exactly once, persisted or not, when CloudFront throttles for 300 ms', async () => {
    endpoint.failNext('Throttling', { forMs: 300 });
    const invalidations = manager({ retryBudgetMs: 150 });
    const waves: Promise<void>[] = [];
    for (let wave = 0; wave < 5; wave++) {
      waves.push(
        ...Array.from({ length: 50 }, (_, i) =>
          invalidations.invalidate({
            distributionId: DISTRIBUTION,
            tags: [`w${wave}-${i}`],
            deadline: later(),
          }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await Promise.all(waves);
    // Whatever ran out of retry budget was queued; the next sweep, after the throttling, sends it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await invalidations.sweep({ deadline: later() });

    expect(endpoint.createRequests().some((request) => request.errorCode === 'Throttling')).toBe(true);
    const counts = itemCounts(createdItems());
    expect(counts.size).toBe(250);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(await store.duePending(Date.now() + 60_000, 100)).toEqual([]);
  });

  test('persists a batch CloudFront keeps refusing and sends it on the next sweep with the same CallerReference', async () => {
    endpoint.failNext('TooManyInvalidationsInProgress', { count: 1000 });
    const first = manager({ retryBudgetMs: 100 });
    await first.invalidate({ distributionId: DISTRIBUTION, tags: ['keep-me'], deadline: later() });
    expect(endpoint.invalidations()).toHaveLength(0);
    const [row] = await store.duePending(Date.now() + 1000, 10);
    expect(row).toMatchObject({
      distributionId: DISTRIBUTION,
      items: ['#keep-me'],
      expanded: true,
      attempts: 0,
    });
    const refusedReference = endpoint.createRequests()[0].callerReference;
    expect(row.callerReference).toBe(refusedReference);

    // The next invocation (here: another process's manager) finds it due and sends it.
    endpoint.clearFaults();
    const next = manager();
    expect(next.sweepDue()).toBe(true);
    expect(await next.sweep({ deadline: later() })).toEqual({ due: 1, completed: 1, failed: 0, skipped: 0 });
    expect(endpoint.invalidations()).toMatchObject([
      { items: ['#keep-me'], callerReference: refusedReference },
    ]);
    expect(await store.duePending(Date.now() + 1000, 10)).toEqual([]);
  });

  test('does not invalidate twice when a persisted batch had in fact been accepted', async () => {
    const row = await store.schedule({
      distributionId: DISTRIBUTION,
      items: ['#already-sent'],
      callerReference: 'ref-accepted-before',
      expanded: true,
      notBefore: Date.now(),
    });
    // CloudFront accepted it, but the reply was lost before the manager saw it.
    const client = new CloudFrontClient({ region: 'us-east-1', endpoint: endpoint.url });
    await client.send(
      new CreateInvalidationCommand({
        DistributionId: DISTRIBUTION,
        InvalidationBatch: {
          CallerReference: row.callerReference,
          Paths: { Quantity: 1, Items: ['#already-sent'] },
        },
      }),
    );
    client.destroy();

    expect(await manager().sweep({ deadline: later() })).toMatchObject({ completed: 1 });
    expect(endpoint.createRequests()).toHaveLength(2);
    expect(endpoint.invalidations()).toHaveLength(1);
  });

  test('keeps a failing row with a later retry time and counts the attempt when the sweep fails again', async () => {
    await store.schedule({
      distributionId: DISTRIBUTION,
      items: ['#stubborn'],
      callerReference: 'ref-stubborn',
      expanded: true,
      notBefore: Date.now(),
    });
    endpoint.failNext('ServiceUnavailable', { count: 1 });
    const before = Date.now();
    expect(await manager({ persistedRetryDelayMs: 60_000 }).sweep({ deadline: later() })).toMatchObject({
      failed: 1,
    });
    expect(await store.duePending(before + 30_000, 10)).toEqual([]);
    const [row] = await store.duePending(before + 10 * 60_000, 10);
    expect(row).toMatchObject({ attempts: 1 });
    expect(row.retryAfter).toBeGreaterThanOrEqual(before + 60_000);
  });

  test('lets only one of two concurrent sweepers send a due row', async () => {
    await store.schedule({
      distributionId: DISTRIBUTION,
      items: ['#once'],
      callerReference: 'ref-once',
      expanded: true,
      notBefore: Date.now(),
    });
    const results = await Promise.all([
      manager().sweep({ deadline: later() }),
      manager().sweep({ deadline: later() }),
    ]);
    expect(results.map((result) => result.completed).sort()).toEqual([0, 1]);
    expect(endpoint.createRequests()).toHaveLength(1);
  });

  test('adds the paths recorded under a tag and deletes their rows after invalidating it', async () => {
    await store.recordOverflow(['t-overflow'], '/api/products?page=2', 3600);
    await store.recordOverflow(['t-overflow', 'other'], '/api/other', 3600);
    await manager().invalidate({ distributionId: DISTRIBUTION, tags: ['t-overflow'], deadline: later() });

    expect(createdItems().map((items) => [...items].sort())).toEqual([
      ['#t-overflow', '/api/other', '/api/products?page=2'],
    ]);
    expect(await store.overflowPaths('t-overflow')).toEqual([]);
    expect(await store.overflowPaths('other')).toMatchObject([{ path: '/api/other' }]);
  });

  test('covers many query variants of one pathname with one wildcard path when they exceed 10', async () => {
    const flood = Array.from({ length: 200 }, (_, i) => `/api/products?x=${i}`);
    const few = ['/api/few?a=1', '/api/few?a=2'];
    for (const path of [...flood, '/api/products', ...few]) await store.recordOverflow(['t'], path, 3600);
    await manager().invalidate({ distributionId: DISTRIBUTION, tags: ['t'], deadline: later() });

    const sent = createdItems().flat();
    expect([...sent].sort()).toEqual(['#t', '/api/few?a=1', '/api/few?a=2', '/api/products*']);
    // CloudFront's rule: a path evicts itself, a trailing `*` every path it is a prefix of.
    const covered = (path: string) =>
      sent.some((item) => item === path || (item.endsWith('*') && path.startsWith(item.slice(0, -1))));
    expect([...flood, '/api/products', ...few].filter((path) => !covered(path))).toEqual([]);
    expect(await store.overflowPaths('t')).toEqual([]);
  });

  test('keeps exact paths for a pathname with 10 query variants', async () => {
    const variants = Array.from({ length: 10 }, (_, i) => `/p?v=${i}`);
    for (const path of variants) await store.recordOverflow(['t'], path, 3600);
    await manager().invalidate({ distributionId: DISTRIBUTION, tags: ['t'], deadline: later() });

    expect(createdItems().map((items) => [...items].sort())).toEqual([['#t', ...variants].sort()]);
  });

  test('keeps an overflow row that a newer response rewrote after it was read', async () => {
    const now = Date.now();
    await store.recordOverflow(['t'], '/p', 3600, now);
    const [read] = await store.overflowPaths('t');
    await store.recordOverflow(['t'], '/p', 3600, now + 5);
    await store.forgetOverflow(read);
    expect(await store.overflowPaths('t')).toMatchObject([{ path: '/p', writtenAt: now + 5 }]);
  });

  test('schedules an eviction for its deadline and sends it, with overflow paths, on the first sweep after', async () => {
    const invalidations = manager();
    const notBefore = Date.now() + 400;
    await invalidations.invalidate({
      distributionId: DISTRIBUTION,
      tags: ['soon'],
      notBefore,
      deadline: later(),
    });
    expect(endpoint.createRequests()).toHaveLength(0);
    await store.recordOverflow(['soon'], '/late-overflow', 3600);

    // The sweep checks at once (first invocation) but finds nothing due yet.
    expect(await invalidations.sweep({ deadline: later() })).toMatchObject({ due: 0 });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, notBefore - Date.now()) + 20));
    expect(invalidations.sweepDue()).toBe(true);
    expect(await invalidations.sweep({ deadline: later() })).toMatchObject({ due: 1, completed: 1 });

    const [request] = endpoint.createRequests();
    expect(request.receivedAt).toBeGreaterThanOrEqual(notBefore);
    expect([...(request.items ?? [])].sort()).toEqual(['#soon', '/late-overflow']);
    expect(await store.duePending(Date.now() + 1000, 10)).toEqual([]);
  });

  test('waits inside the invocation for a deadline when there is no tag table and the deadline fits', async () => {
    const invalidations = manager({ store: undefined });
    const notBefore = Date.now() + 300;
    await invalidations.invalidate({
      distributionId: DISTRIBUTION,
      tags: ['wait'],
      notBefore,
      deadline: later(),
    });
    expect(endpoint.createRequests()).toHaveLength(1);
    expect(endpoint.createRequests()[0].receivedAt).toBeGreaterThanOrEqual(notBefore);
  });

  test('evicts at once with a warning when there is no tag table and the deadline is past the invocation', async () => {
    const invalidations = manager({ store: undefined });
    await invalidations.invalidate({
      distributionId: DISTRIBUTION,
      tags: ['now'],
      notBefore: Date.now() + 3_600_000,
      deadline: Date.now() + 30_000,
    });
    expect(createdItems()).toEqual([['#now']]);
    expect(warnings.mock.calls.flat().join('\n')).toContain('evicting now');
  });

  test('rejects with InvalidationFailedError naming the code when CloudFront refuses for good', async () => {
    const failure = manager().invalidate({ distributionId: 'EUNKNOWN', tags: ['x'], deadline: later() });
    await expect(failure).rejects.toBeInstanceOf(InvalidationFailedError);
    await expect(failure).rejects.toThrow('NoSuchDistribution');
    await expect(failure).rejects.toMatchObject({ items: ['#x'] });
    expect(await store.duePending(Date.now() + 1000, 10)).toEqual([]);
  });

  test('rejects with InvalidationFailedError when retries run out and there is no tag table', async () => {
    endpoint.failNext('Throttling', { count: 1000 });
    const failure = manager({ store: undefined, retryBudgetMs: 100 }).invalidate({
      distributionId: DISTRIBUTION,
      tags: ['lost'],
      deadline: later(),
    });
    await expect(failure).rejects.toThrow('no tag table to queue them for a retry');
    expect(errors).toHaveBeenCalled();
  });

  test('rejects when CloudFront refuses and the tag table cannot be written either', async () => {
    endpoint.failNext('Throttling', { count: 1000 });
    const broken = manager({ store: new TagTableStore('no-such-table'), retryBudgetMs: 100 });
    await expect(
      broken.invalidate({ distributionId: DISTRIBUTION, tags: ['t'], deadline: later() }),
    ).rejects.toThrow('could not be sent nor queued in the tag table: Throttling: Rate exceeded');
  });

  test('stops retrying before the invocation deadline when the deadline comes first', async () => {
    endpoint.failNext('Throttling', { count: 1000 });
    const startedAt = Date.now();
    await manager({ retryBudgetMs: 60_000 }).invalidate({
      distributionId: DISTRIBUTION,
      tags: ['bounded'],
      deadline: startedAt + 1_500,
    });
    // Persisted instead of retried until the end of the budget.
    expect(await store.duePending(Date.now() + 1000, 10)).toMatchObject([{ items: ['#bounded'] }]);
  });
});
