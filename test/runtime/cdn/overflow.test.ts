import { CloudFrontEndpoint } from '../../../lib/local/cloudfront-endpoint';
import { recordTagOverflow } from '../../../runtime/cdn/overflow';
import { TagTableStore } from '../../../runtime/cdn/tag-table';
import { TAG_TABLE_ENV } from '../../../runtime/constructs-contract';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { useCdnEndpoints } from './cdn-env';

// Tag → path rows name the object CloudFront cached, whose path holds the query as the viewer sent
// it. Given the event's raw URL, the row keeps that query: no re-encoding (`'` stays `'`), no
// reordering of repeated keys, no `=` dropped from an empty value.

const CACHEABLE = { 'cache-control': 's-maxage=60' };
const RAW_QUERIES = ['a=1&b=2&a=3', 'flag=', "q='x'", 'q=%7e'];

function overflow(url: string, waits: Promise<unknown>[] = []) {
  return {
    context: {
      requestId: 'req-1',
      deadline: Date.now() + 30_000,
      awaiter: { waitUntil: (promise: Promise<unknown>) => void waits.push(promise) },
      headers: {},
    },
    request: { method: 'GET', url },
    headers: CACHEABLE,
    tags: ['tag-51'],
  };
}

describe('recordTagOverflow', () => {
  let warnings: jest.SpyInstance;
  beforeEach(() => {
    warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  test.each(RAW_QUERIES)('names the path with the query as written when given ?%s', (query) => {
    recordTagOverflow(overflow(`https://shop.example/p?${query}`));
    expect(warnings.mock.calls.map(String)).toEqual([
      expect.stringContaining(`cache tag(s) of /p?${query} exceed CloudFront's 50 per object`),
    ]);
  });

  test('names the root path when the URL has no path', () => {
    recordTagOverflow(overflow('https://shop.example'));
    expect(String(warnings.mock.calls[0])).toContain('cache tag(s) of / exceed');
  });

  describe('with a tag table', () => {
    let endpoint: CloudFrontEndpoint;
    let restore: () => Promise<void>;
    let store: TagTableStore;
    beforeAll(async () => {
      endpoint = await CloudFrontEndpoint.start({
        distributionIds: ['E1OVERFLOWTEST1'],
        completionDelayMs: 0,
      });
      restore = await useCdnEndpoints(endpoint.url, dynamoDBLocalEndpoint());
      const { tagTableName } = await createTestRuntimeTables();
      process.env[TAG_TABLE_ENV] = tagTableName;
      store = new TagTableStore(tagTableName);
    });
    afterAll(async () => {
      delete process.env[TAG_TABLE_ENV];
      await restore?.();
      await endpoint?.close();
    });

    test('records each raw query as its own path when the URL is the raw one', async () => {
      const waits: Promise<unknown>[] = [];
      for (const query of RAW_QUERIES) recordTagOverflow(overflow(`https://shop.example/p?${query}`, waits));
      await Promise.all(waits);
      const paths = (await store.overflowPaths('tag-51')).map((row) => row.path).sort();
      expect(paths).toEqual(RAW_QUERIES.map((query) => `/p?${query}`).sort());
      expect(warnings).not.toHaveBeenCalled();
    });
  });
});
