import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_LOCAL_CLIENT_CONFIG } from '../../../lib/local/dynamodb-local';
import { defaultKeyHashFunction } from '../../../runtime/cache/hash';
import { type LocalFunction, startLocalFunction } from '../../harness/local-function';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { rawItems } from './dynamodb-env';

// End to end: a function bundled with the real @vercel/functions, run by the real aws-lambda-ric on
// Node 24 behind the Function URL front, configured as the constructs configure it, storing its
// Runtime Cache entries in DynamoDB Local.

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

let project: string;
let fn: LocalFunction;
let tables: { cacheTableName: string; tagTableName: string };
let raw: DynamoDBClient;

beforeAll(async () => {
  const endpoint = dynamoDBLocalEndpoint();
  tables = await createTestRuntimeTables(endpoint);
  raw = new DynamoDBClient({ ...DYNAMODB_LOCAL_CLIENT_CONFIG, endpoint });
  project = mkdtempSync(path.join(tmpdir(), 'vfa-cache-e2e-'));
  mkdirSync(path.join(project, 'api'));
  mkdirSync(path.join(project, 'node_modules', '@vercel'), { recursive: true });
  symlinkSync(
    path.join(REPO_ROOT, 'node_modules', '@vercel', 'functions'),
    path.join(project, 'node_modules', '@vercel', 'functions'),
  );
  const entry = path.join(project, 'api', 'cache.ts');
  copyFileSync(path.join(__dirname, 'fixtures', 'real-package-cache.ts'), entry);
  fn = await startLocalFunction({
    entry,
    projectDir: project,
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ACCESS_KEY_ID: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.secretAccessKey,
      VERCEL_FUNCTIONS_AWS_CACHE_TABLE: tables.cacheTableName,
      VERCEL_FUNCTIONS_AWS_TAG_TABLE: tables.tagTableName,
    },
  });
});
afterAll(async () => {
  await fn?.stop();
  raw?.destroy();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the real @vercel/functions getCache() in a Lambda function', () => {
  test('stores entries in DynamoDB and serves them to later invocations until their tag expires', async () => {
    expect(await (await fetch(`${fn.url}/set?key=greeting&value=hello`)).text()).toBe('stored');
    const [head] = await rawItems(raw, tables.cacheTableName, `e2e$${defaultKeyHashFunction('greeting')}`);
    expect(head).toMatchObject({ name: { S: 'greeting' }, tags: { SS: ['e2e'] } });

    expect(await (await fetch(`${fn.url}/get?key=greeting`)).json()).toEqual({ cached: { value: 'hello' } });
    expect(await (await fetch(`${fn.url}/expire`)).text()).toBe('expired');
    expect(await (await fetch(`${fn.url}/get?key=greeting`)).json()).toEqual({ cached: null });
    expect(fn.logs.map((line) => line.text).join('\n')).not.toMatch(/Runtime Cache/);
  });
});
