import {
  type AttributeDefinition,
  CreateTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { RuntimeCacheTable } from '../runtime-cache-table';
import { TagTable } from '../tag-table';

// DynamoDB Local for tests, the dev server and the benchmarks: the process (./dynamodb-local-process.ts)
// and its tables — any key schema, and the runtime's cache and tag tables exactly as the constructs
// declare them.

export * from './dynamodb-local-process';

/**
 * Credentials and region for clients of DynamoDB Local. It accepts any non-empty credentials; it runs
 * with `-sharedDb`, so every client sees the same tables whatever keys or region it uses.
 */
export const DYNAMODB_LOCAL_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** A key attribute of a table to create. */
export interface LocalKeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/** A table to create in DynamoDB Local. */
export interface LocalTableDefinition {
  readonly tableName: string;
  readonly partitionKey: LocalKeyAttribute;
  /** @default - no sort key */
  readonly sortKey?: LocalKeyAttribute;
  /** Attribute DynamoDB's TTL deletes expired items by. @default - TTL off */
  readonly timeToLiveAttribute?: string;
}

/** A DynamoDB client for DynamoDB Local at `endpoint`. */
export function localDynamoDBClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ ...DYNAMODB_LOCAL_CLIENT_CONFIG, endpoint });
}

/** Creates an on-demand table (active at once in DynamoDB Local) and turns TTL on when asked. */
export async function createLocalTable(endpoint: string, table: LocalTableDefinition): Promise<void> {
  const client = localDynamoDBClient(endpoint);
  try {
    const keys = [
      [table.partitionKey, 'HASH'],
      ...(table.sortKey ? [[table.sortKey, 'RANGE'] as const] : []),
    ] as const;
    const attributeDefinitions: AttributeDefinition[] = keys.map(([key]) => ({
      AttributeName: key.name,
      AttributeType: key.type,
    }));
    const keySchema: KeySchemaElement[] = keys.map(([key, keyType]) => ({
      AttributeName: key.name,
      KeyType: keyType,
    }));
    await client.send(
      new CreateTableCommand({
        TableName: table.tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions,
        KeySchema: keySchema,
      }),
    );
    if (table.timeToLiveAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: table.tableName,
          TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

/** Names of the runtime's tables. */
export interface RuntimeTableNames {
  /** The table behind `getCache()`, set as `VERCEL_FUNCTIONS_AWS_CACHE_TABLE`. */
  readonly cacheTableName: string;
  /** The tag table, set as `VERCEL_FUNCTIONS_AWS_TAG_TABLE`. */
  readonly tagTableName: string;
}

/**
 * The cache and tag tables with the key schemas RuntimeCacheTable and TagTable declare (attribute
 * names from their statics; the key types are theirs too, checked by a test against the synthesized
 * template).
 */
export function runtimeTableDefinitions(
  names: RuntimeTableNames,
): [LocalTableDefinition, LocalTableDefinition] {
  return [
    {
      tableName: names.cacheTableName,
      partitionKey: { name: RuntimeCacheTable.PARTITION_KEY, type: 'S' },
      sortKey: { name: RuntimeCacheTable.SORT_KEY, type: 'N' },
      timeToLiveAttribute: RuntimeCacheTable.TTL_ATTRIBUTE,
    },
    {
      tableName: names.tagTableName,
      partitionKey: { name: TagTable.PARTITION_KEY, type: 'S' },
      sortKey: { name: TagTable.SORT_KEY, type: 'S' },
      timeToLiveAttribute: TagTable.TTL_ATTRIBUTE,
    },
  ];
}

/**
 * Creates the cache and tag tables in DynamoDB Local.
 *
 * @example
 * await createRuntimeTables(ddb.endpoint, { cacheTableName: 'cache', tagTableName: 'tags' });
 * process.env.VERCEL_FUNCTIONS_AWS_CACHE_TABLE = 'cache';
 * process.env.VERCEL_FUNCTIONS_AWS_TAG_TABLE = 'tags';
 */
export async function createRuntimeTables(endpoint: string, names: RuntimeTableNames): Promise<void> {
  await Promise.all(runtimeTableDefinitions(names).map((table) => createLocalTable(endpoint, table)));
}
