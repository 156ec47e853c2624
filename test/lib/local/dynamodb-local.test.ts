process.env.CDK_VALIDATION = 'false';

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  createRuntimeTables,
  type DynamoDBLocal,
  DynamoDBLocalError,
  localDynamoDBClient,
  runtimeTableDefinitions,
  startDynamoDBLocal,
} from '../../../lib/local/dynamodb-local';
import { RuntimeCacheTable } from '../../../lib/runtime-cache-table';
import { TagTable } from '../../../lib/tag-table';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startDynamoDBLocal', () => {
  let ddb: DynamoDBLocal | undefined;

  afterEach(async () => {
    await ddb?.stop();
    ddb = undefined;
  });

  test('serves the DynamoDB API on a loopback endpoint and is gone after stop', async () => {
    ddb = await startDynamoDBLocal();
    expect(ddb.endpoint).toBe(`http://127.0.0.1:${ddb.port}`);
    const client = localDynamoDBClient(ddb.endpoint);
    try {
      await createRuntimeTables(ddb.endpoint, { cacheTableName: 'cache', tagTableName: 'tags' });
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['cache', 'tags']);
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'cache' }));
      expect(ttl.TimeToLiveDescription).toEqual({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
    } finally {
      client.destroy();
    }
    const { pid } = ddb;
    expect(isRunning(pid)).toBe(true);
    await ddb.stop();
    expect(isRunning(pid)).toBe(false);
    await expect(ddb.stop()).resolves.toBeUndefined();
  });

  test('throws naming the folder when given a jarDir without the jar', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'vfa-no-jar-'));
    try {
      await expect(startDynamoDBLocal({ jarDir: empty })).rejects.toThrow(DynamoDBLocalError);
      await expect(startDynamoDBLocal({ jarDir: empty })).rejects.toThrow(`got '${empty}'`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('throws with the cause when given a java executable that does not exist', async () => {
    await expect(startDynamoDBLocal({ java: '/nonexistent/java' })).rejects.toThrow(
      "cannot run '/nonexistent/java'",
    );
  });
});

describe('dynamodb-local-process', () => {
  test('loads no AWS SDK, so starting DynamoDB Local from jest globalSetup sets no awslambda global', () => {
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "require('./lib/local/dynamodb-local-process'); console.log(typeof globalThis.awslambda, Object.keys(require.cache).filter((f) => f.includes('@aws-sdk')).length)",
      ],
      { cwd: resolve(__dirname, '..', '..', '..'), encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('undefined 0');
  });
});

describe('runtimeTableDefinitions', () => {
  test('creates the key schemas and TTL the constructs synthesize', async () => {
    const stack = new Stack(new App(), 'Stack');
    new RuntimeCacheTable(stack, 'Cache');
    new TagTable(stack, 'Tags');
    const synthesized = Object.values(
      Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable'),
    ).map(({ Properties }) => ({
      KeySchema: Properties.KeySchema,
      AttributeDefinitions: Properties.AttributeDefinitions,
      TimeToLive: Properties.TimeToLiveSpecification.AttributeName,
    }));

    const endpoint = dynamoDBLocalEndpoint();
    const client = localDynamoDBClient(endpoint);
    try {
      const names = await createTestRuntimeTables(endpoint);
      const created = await Promise.all(
        runtimeTableDefinitions(names).map(async ({ tableName }) => {
          const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
          const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
          return {
            KeySchema: Table?.KeySchema,
            AttributeDefinitions: Table?.AttributeDefinitions,
            TimeToLive: ttl.TimeToLiveDescription?.AttributeName,
          };
        }),
      );
      expect(created).toEqual(synthesized);
    } finally {
      client.destroy();
    }
  });
});
