import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DevServer, startDevServer } from '../../../lib/local/dev-server';
import { resetDynamoDBClient } from '../../../runtime/cache/dynamodb-client';
import { defaultKeyHashFunction } from '../../../runtime/cache/hash';
import { CACHE_TABLE_ENV, TAG_TABLE_ENV } from '../../../runtime/constructs-contract';

// `npm start` with AWS_ENDPOINT_URL_DYNAMODB and the table variables in the shell: functions run in
// the dev server's process, so getCache() uses DynamoDB Local exactly as a deployed function uses
// its table.
//
// The AWS SDK is loaded only after the server started: its @aws/lambda-invoke-store sets
// `globalThis.awslambda = {}` on import, and installLambdaGlobals() keeps an existing global, so a
// process that loads the SDK before startDevServer gets no streaming polyfill.

const FUNCTION = `
import { getCache } from '@vercel/functions';
export default {
  async fetch(request: Request) {
    const url = new URL(request.url);
    if (url.searchParams.has('value')) await getCache().set('visits', url.searchParams.get('value'));
    return Response.json({ cached: await getCache().get('visits') });
  },
};
`;

let dir: string;
let server: DevServer;
let restoreEnv: (() => void) | undefined;
let raw: DynamoDBClient | undefined;
let rawItems: typeof import('../../runtime/cache/dynamodb-env').rawItems;
let tables: { cacheTableName: string; tagTableName: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dev-server-cache-'));
  mkdirSync(join(dir, 'api'));
  writeFileSync(join(dir, 'api', 'cache.ts'), FUNCTION);
  server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: () => {} });

  const env: typeof import('../../runtime/cache/dynamodb-env') = require('../../runtime/cache/dynamodb-env');
  const tablesHelper: typeof import('../../setup/dynamodb-tables') = require('../../setup/dynamodb-tables');
  const { createTestRuntimeTables, dynamoDBLocalEndpoint } = tablesHelper;
  const { DynamoDBClient }: typeof import('@aws-sdk/client-dynamodb') = require('@aws-sdk/client-dynamodb');
  rawItems = env.rawItems;
  const endpoint = dynamoDBLocalEndpoint();
  tables = await createTestRuntimeTables(endpoint);
  restoreEnv = env.useDynamoDBEndpoint(endpoint);
  process.env[CACHE_TABLE_ENV] = tables.cacheTableName;
  process.env[TAG_TABLE_ENV] = tables.tagTableName;
  raw = new DynamoDBClient({});
});
afterAll(async () => {
  // Restored before the server closes: the server then removes the variables it set itself.
  restoreEnv?.();
  await server?.close();
  raw?.destroy();
  delete process.env[CACHE_TABLE_ENV];
  delete process.env[TAG_TABLE_ENV];
  await resetDynamoDBClient();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('startDevServer with a cache table in the environment', () => {
  test('stores getCache() entries in DynamoDB Local', async () => {
    const set = await fetch(`${server.url}/api/cache?value=42`);
    expect(await set.json()).toEqual({ cached: '42' });
    expect(await rawItems(raw!, tables.cacheTableName, defaultKeyHashFunction('visits'))).toHaveLength(1);
    expect(await (await fetch(`${server.url}/api/cache`)).json()).toEqual({ cached: '42' });
  });
});
