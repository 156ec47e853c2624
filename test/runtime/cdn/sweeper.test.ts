import { CloudFrontEndpoint } from '../../../lib/local/cloudfront-endpoint';
import { handler } from '../../../runtime/cdn/sweeper';
import { TagTableStore } from '../../../runtime/cdn/tag-table';
import { TAG_TABLE_ENV } from '../../../runtime/constructs-contract';
import { MissingTagTableError } from '../../../runtime/errors';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { itemCounts, useCdnEndpoints } from './cdn-env';

// The scheduled sweeper handler against the loopback CloudFront endpoint and DynamoDB Local.

const DISTRIBUTION = 'E1SWEEPERTEST1';
let endpoint: CloudFrontEndpoint;
let restore: () => Promise<void>;
let store: TagTableStore;

beforeEach(async () => {
  endpoint = await CloudFrontEndpoint.start({ distributionIds: [DISTRIBUTION], completionDelayMs: 0 });
  restore = await useCdnEndpoints(endpoint.url, dynamoDBLocalEndpoint());
  const { tagTableName } = await createTestRuntimeTables();
  process.env[TAG_TABLE_ENV] = tagTableName;
  store = new TagTableStore(tagTableName);
  jest.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(async () => {
  delete process.env[TAG_TABLE_ENV];
  jest.restoreAllMocks();
  await restore();
  await endpoint.close();
});

describe('sweeper handler', () => {
  test('sends every due pending row and leaves the ones not due yet', async () => {
    const now = Date.now();
    for (let i = 0; i < 60; i++) {
      await store.schedule({
        distributionId: DISTRIBUTION,
        items: [`#due-${i}`],
        callerReference: `ref-${i}`,
        expanded: true,
        notBefore: now - 1000,
      });
    }
    await store.schedule({
      distributionId: DISTRIBUTION,
      items: ['#future'],
      callerReference: 'ref-future',
      expanded: false,
      notBefore: now + 3_600_000,
    });

    const result = await handler({}, { getRemainingTimeInMillis: () => 60_000 });
    expect(result).toEqual({ due: 60, completed: 60, failed: 0, skipped: 0 });
    const counts = itemCounts(endpoint.invalidations().map((invalidation) => invalidation.items));
    expect(counts.size).toBe(60);
    expect(counts.has('#future')).toBe(false);
    expect(await store.duePending(now + 3_601_000, 100)).toMatchObject([{ items: ['#future'] }]);
  });

  test('throws MissingTagTableError when no tag table is configured', async () => {
    delete process.env[TAG_TABLE_ENV];
    await expect(handler()).rejects.toBeInstanceOf(MissingTagTableError);
    await expect(handler()).rejects.toThrow('set VERCEL_FUNCTIONS_AWS_TAG_TABLE');
  });
});
