import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudFrontEndpoint } from '../../lib/local/cloudfront-endpoint';
import { DYNAMODB_LOCAL_CLIENT_CONFIG, localDynamoDBClient } from '../../lib/local/dynamodb-local';
import { TagTableStore } from '../../runtime/cdn/tag-table';
import { TAG_TABLE_ENV } from '../../runtime/constructs-contract';
import { linkInstalledPackages } from '../lib/bundling/project-links';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../setup/dynamodb-tables';
import { type LocalFunction, startLocalFunction } from './local-function';

// The CDN calls of the real, unmodified @vercel/functions (3.9.9) in a project that installs its own
// copy: the fixtures/cdn.ts module of cdn.test.ts, bundled as bundleFunction bundles it, run by the
// real aws-lambda-ric on Node 24. The real addCacheTag and purge calls reach this runtime only
// through the request context; the index generated for the copy registers those services because the
// function imports them (runtime/real-package-services.ts), and nothing else in the bundle does.

const DISTRIBUTION = 'E1REALPKGCDN01';
const FROM_CLOUDFRONT = { 'x-vfa-distribution-id': DISTRIBUTION };

let project: string;
let cloudFront: CloudFrontEndpoint;
let fn: LocalFunction;
let tagTable: TagTableStore;
const tableClient = localDynamoDBClient(dynamoDBLocalEndpoint());

beforeAll(async () => {
  project = mkdtempSync(path.join(tmpdir(), 'vfa-real-package-cdn-'));
  mkdirSync(path.join(project, 'api'));
  linkInstalledPackages(project, ['@vercel/functions']);
  const entry = path.join(project, 'api', 'cdn.ts');
  copyFileSync(path.join(__dirname, 'fixtures', 'cdn.ts'), entry);
  cloudFront = await CloudFrontEndpoint.start({ distributionIds: [DISTRIBUTION], completionDelayMs: 0 });
  const { tagTableName } = await createTestRuntimeTables();
  tagTable = new TagTableStore(tagTableName, async () => tableClient);
  fn = await startLocalFunction({
    entry,
    projectDir: project,
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
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the real @vercel/functions' CDN calls under the real Lambda runtime", () => {
  test('come from the real package when the project has its own copy', () => {
    const bundle = readFileSync(path.join(fn.taskRoot, 'index.js'), 'utf8');
    expect(bundle).toContain('node_modules/@vercel/functions/addcachetag/index.js');
    expect(bundle).toContain('node_modules/@vercel/functions/purge/index.js');
    expect(bundle).not.toContain('runtime/addcachetag/index.ts');
    expect(bundle).not.toContain('runtime/purge/index.ts');
  });

  test('send the canonical tags of addCacheTag() and the handler header in Vercel-Cache-Tag', async () => {
    const response = await fetch(`${fn.url}/product?id=42`, { headers: FROM_CLOUDFRONT });
    expect(response.status).toBe(200);
    expect(response.headers.get('vercel-cache-tag')).toBe('product:42,products,catalog');
  });

  test("add two tags when the function calls Vercel's documented addCacheTag(product-<id>,products)", async () => {
    const response = await fetch(`${fn.url}/docs-example?id=7`, { headers: FROM_CLOUDFRONT });
    expect(response.status).toBe(200);
    expect(response.headers.get('vercel-cache-tag')).toBe('product-7,products');
  });

  test('invalidate #tag on CloudFront, overflow paths included, when the function calls invalidateByTag', async () => {
    const tagged = await fetch(`${fn.url}/many-tags`, { headers: FROM_CLOUDFRONT });
    expect(tagged.headers.get('vercel-cache-tag')?.split(',')).toHaveLength(50);
    await fn.runtimeApi.invocation(tagged.headers.get('x-amzn-requestid')!)?.ended;

    const purged = await fetch(`${fn.url}/purge?tag=many-55`, { headers: FROM_CLOUDFRONT });
    expect(await purged.text()).toBe('purging');
    await fn.runtimeApi.invocation(purged.headers.get('x-amzn-requestid')!)?.ended;

    const sent = cloudFront.invalidations(DISTRIBUTION).map((invalidation) => [...invalidation.items].sort());
    expect(sent).toEqual([['#many-55', '/many-tags']]);
  });

  test('schedule the eviction in the tag table when the function deletes with a revalidation deadline', async () => {
    const before = cloudFront.createRequests().length;
    const response = await fetch(`${fn.url}/delete-later`, { headers: FROM_CLOUDFRONT });
    expect(await response.text()).toBe('scheduled');
    await fn.runtimeApi.invocation(response.headers.get('x-amzn-requestid')!)?.ended;
    expect(cloudFront.createRequests()).toHaveLength(before);
    const rows = await tagTable.duePending(Date.now() + 121_000, 10);
    expect(rows).toContainEqual(
      expect.objectContaining({ distributionId: DISTRIBUTION, items: ['#products'], expanded: false }),
    );
  });
});
