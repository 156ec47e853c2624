import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { CloudFrontEndpoint } from '../../../lib/local/cloudfront-endpoint';
import { resetCloudFrontClient } from '../../../runtime/cdn/clients';
import {
  InvalidationManager,
  type InvalidationManagerOptions,
} from '../../../runtime/cdn/invalidation-manager';
import { PENDING_RETENTION_MS, TagTableStore } from '../../../runtime/cdn/tag-table';
import { InvalidationFailedError } from '../../../runtime/errors';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { GatedTagTableStore, itemCounts, startHungEndpoint, useCdnEndpoints } from './cdn-env';

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

/** Schedules a final pending row due now. */
function pendingRow(items: string[], distributionId = DISTRIBUTION, notBefore = Date.now() - 1000) {
  return store.schedule(
    {
      distributionId,
      items,
      callerReference: `ref-${items[0]}-${distributionId}`,
      expanded: true,
      notBefore,
    },
    notBefore,
  );
}

describe('InvalidationManager when CloudFront does not answer', () => {
  test('cuts off a hung CreateInvalidation and queues the batch before the deadline', async () => {
    const hung = await startHungEndpoint();
    process.env.AWS_ENDPOINT_URL_CLOUDFRONT = hung.url;
    await resetCloudFrontClient();
    try {
      const deadline = Date.now() + 3000;
      const call = manager().invalidate({ distributionId: DISTRIBUTION, tags: ['hung'], deadline });
      // Some slack past the deadline for a slow machine; before the fix the call never settled.
      const settled = await Promise.race([
        call.then(() => 'resolved'),
        new Promise((resolve) => setTimeout(() => resolve('still pending'), deadline + 2000 - Date.now())),
      ]);
      expect(settled).toBe('resolved');
      expect(await store.duePending(Date.now() + 60_000, 10)).toMatchObject([{ items: ['#hung'] }]);
      expect(warnings.mock.calls.flat().join('\n')).toContain('queued in the tag table for a retry');
    } finally {
      await resetCloudFrontClient();
      await hung.close();
    }
  }, 15_000);
});

describe('InvalidationManager with in-progress invalidations', () => {
  test('halves a refused batch until its pieces fit next to what is in progress, queuing the rest', async () => {
    endpoint.setCompletionDelay(60_000);
    const invalidations = manager({ retryBudgetMs: 300 });
    await invalidations.invalidate({ distributionId: DISTRIBUTION, tags: ['in-flight'], deadline: later() });
    const tags = Array.from({ length: 3000 }, (_, i) => `p-${i}`);
    await invalidations.invalidate({ distributionId: DISTRIBUTION, tags, deadline: later() });

    // 2,999 fit next to the one in progress; the last item waits in the tag table.
    const sent = itemCounts(createdItems());
    const pending = await store.duePending(Date.now() + 60_000, 100);
    expect(sent.size).toBe(3000);
    expect(pending.map((row) => row.items.length)).toEqual([1]);
    const all = itemCounts([...createdItems(), ...pending.map((row) => row.items)]);
    expect(all.size).toBe(3001);
    expect([...all.values()].every((count) => count === 1)).toBe(true);

    endpoint.completeAll();
    expect(await invalidations.sweep({ deadline: later() })).toMatchObject({ completed: 1 });
    expect(itemCounts(createdItems()).size).toBe(3001);
  });

  test('still sends one request for 1,000 tags when nothing else is in progress', async () => {
    endpoint.setCompletionDelay(60_000);
    const tags = Array.from({ length: 1000 }, (_, i) => `one-${i}`);
    await manager().invalidate({ distributionId: DISTRIBUTION, tags, deadline: later() });
    expect(endpoint.createRequests()).toHaveLength(1);
  });

  test('sends #tag items at once when the wildcard paths they bring must wait for a wildcard slot', async () => {
    endpoint.setCompletionDelay(60_000);
    for (let p = 0; p < 15; p++) {
      for (let q = 0; q < 11; q++) await store.recordOverflow(['menu'], `/p${p}?v=${q}`, 3600);
    }
    const invalidations = manager({ retryBudgetMs: 200 });
    await invalidations.invalidate({
      distributionId: DISTRIBUTION,
      tags: [],
      paths: ['/other*'],
      deadline: later(),
    });
    await invalidations.invalidate({
      distributionId: DISTRIBUTION,
      tags: ['menu', 'products'],
      deadline: later(),
    });

    const sent = createdItems().flat();
    expect(sent).toEqual(expect.arrayContaining(['#menu', '#products']));
    expect(sent.filter((item) => item.endsWith('*'))).toHaveLength(15);
    const pending = await store.duePending(Date.now() + 60_000, 10);
    // One of the 15 waits for the wildcard slot the other invalidation holds.
    expect(pending.flatMap((row) => row.items)).toEqual([expect.stringMatching(/^\/p\d+\*$/)]);
  });

  test('splits a pending row CloudFront refuses for capacity and keeps its history on the pieces', async () => {
    endpoint.setCompletionDelay(60_000);
    await manager().invalidate({ distributionId: DISTRIBUTION, tags: ['in-flight'], deadline: later() });
    const items = Array.from({ length: 3000 }, (_, i) => `#row-${i}`);
    await pendingRow(items);

    const result = await manager({ persistedRetryDelayMs: 60_000 }).sweep({ deadline: later() });
    expect(result).toMatchObject({ due: 1, failed: 1 });
    const pending = await store.duePending(Date.now() + 10 * 60_000, 100);
    expect(pending).toMatchObject([{ items: ['#row-2999'], attempts: 1, refusals: 0 }]);
    const all = itemCounts([...createdItems(), ...pending.map((row) => row.items)]);
    expect(all.size).toBe(3001);
    expect([...all.values()].every((count) => count === 1)).toBe(true);
  });
});

describe('InvalidationManager with a tag table shared by several distributions', () => {
  test('sweeps only the given distribution when told one', async () => {
    await pendingRow(['#mine']);
    await pendingRow(['#theirs'], OTHER_DISTRIBUTION);
    expect(await manager().sweep({ deadline: later(), distributionId: DISTRIBUTION })).toEqual({
      due: 1,
      completed: 1,
      failed: 0,
      skipped: 0,
    });
    expect(createdItems()).toEqual([['#mine']]);
    expect(await store.duePending(Date.now(), 10)).toMatchObject([
      { distributionId: OTHER_DISTRIBUTION, attempts: 0, refusals: 0 },
    ]);
  });

  test("counts a refusal apart from the attempts, so the owner's backoff does not grow", async () => {
    const row = await pendingRow(['#denied'], OTHER_DISTRIBUTION);
    await store.recordFailure(row, Date.now() - 1);
    endpoint.failNext('AccessDenied', { count: 1 });
    const before = Date.now();
    await manager({ persistedRetryDelayMs: 30_000 }).sweep({ deadline: later() });

    const [after] = await store.duePending(Date.now() + 10 * 60_000, 10);
    expect(after).toMatchObject({ attempts: 1, refusals: 1 });
    // Doubling by the one attempt would make it 60 s.
    expect(after.retryAfter).toBeLessThan(before + 60_000);
  });

  test('gives a row up after 5 refusals with an error naming its items', async () => {
    await pendingRow(['#gone-1', '/gone/2'], 'ENOSUCHDIST01');
    const invalidations = manager();
    for (let sweep = 1; sweep <= 4; sweep++) {
      expect(await invalidations.sweep({ deadline: later() })).toMatchObject({ failed: 1 });
      expect(await store.duePending(Date.now() + 1000, 10)).toMatchObject([{ refusals: sweep }]);
    }
    await invalidations.sweep({ deadline: later() });
    expect(await store.duePending(Date.now() + 1000, 10)).toEqual([]);
    const logged = errors.mock.calls.flat().map(String).join('\n');
    expect(logged).toContain('CloudFront refused it 5 times (NoSuchDistribution');
    expect(logged).toContain('were NOT invalidated: #gone-1, /gone/2');
  });

  test('gives a row up with an error naming its items when its TTL would come before the next retry', async () => {
    await pendingRow(['#old'], DISTRIBUTION, Date.now() - PENDING_RETENTION_MS + 10_000);
    endpoint.failNext('ServiceUnavailable', { count: 1 });
    await manager({ persistedRetryDelayMs: 60_000 }).sweep({ deadline: later() });

    expect(await store.duePending(Date.now() + 10 * 60_000, 10)).toEqual([]);
    const logged = errors.mock.calls.flat().map(String).join('\n');
    expect(logged).toContain('failing for 7 days');
    expect(logged).toContain('were NOT invalidated: #old');
  });
});

describe('InvalidationManager deleting invalidated overflow rows', () => {
  test('deletes them a bounded number at a time, after the call resolved, in its waitUntil', async () => {
    const counting = new GatedTagTableStore(store.tableName);
    counting.open();
    const now = Date.now();
    for (let i = 0; i < 300; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => store.recordOverflow(['busy'], `/list?i=${i + j}`, 3600, now)),
      );
    }
    const registered: Promise<unknown>[] = [];
    await manager({ store: counting, lookupConcurrency: 8 }).invalidate({
      distributionId: DISTRIBUTION,
      tags: ['busy'],
      deadline: later(),
      waitUntil: (promise) => registered.push(promise),
    });
    expect(createdItems().flat().sort()).toEqual(['#busy', '/list*']);
    expect(registered).toHaveLength(1);
    await Promise.all(registered);
    expect(counting.maxInFlight).toBe(8);
    expect(await store.overflowPaths('busy')).toEqual([]);
  });

  test('resolves the call before the rows are deleted when given a waitUntil', async () => {
    const gated = new GatedTagTableStore(store.tableName);
    await store.recordOverflow(['slow'], '/slow', 3600);
    const registered: Promise<unknown>[] = [];
    await manager({ store: gated }).invalidate({
      distributionId: DISTRIBUTION,
      tags: ['slow'],
      deadline: later(),
      waitUntil: (promise) => registered.push(promise),
    });
    // Resolved while the delete is still held at the gate.
    expect(await store.overflowPaths('slow')).toHaveLength(1);
    gated.open();
    await Promise.all(registered);
    expect(await store.overflowPaths('slow')).toEqual([]);
  });
});
