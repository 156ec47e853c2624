import * as path from 'node:path';
import { CloudFrontEndpoint } from '../../lib/local/cloudfront-endpoint';
import { DYNAMODB_LOCAL_CLIENT_CONFIG, localDynamoDBClient } from '../../lib/local/dynamodb-local';
import { TagTableStore } from '../../runtime/cdn/tag-table';
import { TAG_TABLE_ENV } from '../../runtime/constructs-contract';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../setup/dynamodb-tables';
import { type LocalFunction, startLocalFunction } from './local-function';

// Cache tags and invalidations end to end: a Vercel-style module bundled like the construct bundles
// it, run by the real aws-lambda-ric on Node 24, called through the Function URL front; the
// function's AWS SDK reaches the loopback CloudFront endpoint and DynamoDB Local through the
// standard AWS_ENDPOINT_URL_* variables.

const DISTRIBUTION = 'E1HARNESSCDN01';
// What CloudFront's viewer-request function adds to every request it forwards.
const FROM_CLOUDFRONT = { 'x-vfa-distribution-id': DISTRIBUTION };

let cloudFront: CloudFrontEndpoint;
let fn: LocalFunction;
let tagTable: TagTableStore;
const tableClient = localDynamoDBClient(dynamoDBLocalEndpoint());

beforeAll(async () => {
  cloudFront = await CloudFrontEndpoint.start({ distributionIds: [DISTRIBUTION], completionDelayMs: 0 });
  const { tagTableName } = await createTestRuntimeTables();
  tagTable = new TagTableStore(tagTableName, async () => tableClient);
  fn = await startLocalFunction({
    entry: path.join(__dirname, 'fixtures', 'cdn.ts'),
    env: {
      AWS_ENDPOINT_URL_CLOUDFRONT: cloudFront.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDBLocalEndpoint(),
      AWS_ACCESS_KEY_ID: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.secretAccessKey,
      [TAG_TABLE_ENV]: tagTableName,
    },
  });
});
afterAll(async () => {
  await fn?.stop();
  await cloudFront?.close();
  tableClient.destroy();
});

describe('CDN cache tags under the real Lambda runtime', () => {
  test('sends the canonical tags of addCacheTag() and the handler header in Vercel-Cache-Tag', async () => {
    const response = await fetch(`${fn.url}/product?id=42`, { headers: FROM_CLOUDFRONT });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: '42' });
    expect(response.headers.get('vercel-cache-tag')).toBe('product:42,products,catalog');
    // Vercel-CDN-Cache-Control becomes what CloudFront caches by; the browser's value travels aside.
    expect(response.headers.get('cache-control')).toBe('max-age=3600');
    expect(response.headers.get('x-vfa-browser-cache-control')).toBe('public, max-age=0, must-revalidate');
  });

  test("adds two tags when the function calls Vercel's documented addCacheTag(product-<id>,products)", async () => {
    const response = await fetch(`${fn.url}/docs-example?id=7`, { headers: FROM_CLOUDFRONT });
    expect(response.status).toBe(200);
    expect(response.headers.get('vercel-cache-tag')).toBe('product-7,products');
  });

  test('invalidates #tag on CloudFront, overflow paths included, when the function calls invalidateByTag', async () => {
    const tagged = await fetch(`${fn.url}/many-tags`, { headers: FROM_CLOUDFRONT });
    expect(tagged.headers.get('vercel-cache-tag')?.split(',')).toHaveLength(50);
    await fn.runtimeApi.invocation(tagged.headers.get('x-amzn-requestid')!)?.ended;

    const purged = await fetch(`${fn.url}/purge?tag=many-55`, { headers: FROM_CLOUDFRONT });
    expect(await purged.text()).toBe('purging');
    await fn.runtimeApi.invocation(purged.headers.get('x-amzn-requestid')!)?.ended;

    const sent = cloudFront.invalidations(DISTRIBUTION).map((invalidation) => [...invalidation.items].sort());
    expect(sent).toEqual([['#many-55', '/many-tags']]);
  });

  test('schedules the eviction in the tag table when the function deletes with a revalidation deadline', async () => {
    const before = cloudFront.createRequests().length;
    const response = await fetch(`${fn.url}/delete-later`, { headers: FROM_CLOUDFRONT });
    expect(await response.text()).toBe('scheduled');
    await fn.runtimeApi.invocation(response.headers.get('x-amzn-requestid')!)?.ended;
    expect(cloudFront.createRequests()).toHaveLength(before);
    const [row] = await tagTable.duePending(Date.now() + 121_000, 10);
    expect(row).toMatchObject({ distributionId: DISTRIBUTION, items: ['#products'], expanded: false });
  });
});
