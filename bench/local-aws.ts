import { randomUUID } from 'node:crypto';
import { createRuntimeTables, type DynamoDBLocal, startDynamoDBLocal } from '../lib/local/dynamodb-local';
import { resetDynamoDBClient } from '../runtime/cache/dynamodb-client';
import { CACHE_TABLE_ENV, TAG_TABLE_ENV } from '../runtime/constructs-contract';
import { registerCleanup } from './cleanup';

/**
 * Official DynamoDB Local with fresh cache and tag tables, and this process's environment pointed at
 * it the way the constructs and the SDK expect (`AWS_ENDPOINT_URL_DYNAMODB`, the table variables,
 * any credentials), for the duration of `body` only. Everything is stopped and restored afterwards,
 * also when `body` throws.
 */

export interface LocalTables {
  readonly endpoint: string;
  readonly cacheTableName: string;
  readonly tagTableName: string;
  /** The environment a function needs to use these tables (also set in this process during `body`). */
  readonly env: Readonly<Record<string, string>>;
}

const CREDENTIALS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

export async function withDynamoDBLocal<T>(body: (tables: LocalTables) => Promise<T>): Promise<T> {
  let ddb: DynamoDBLocal | undefined;
  let unregister = () => {};
  const saved = new Map<string, string | undefined>();
  try {
    ddb = await startDynamoDBLocal();
    const started = ddb;
    unregister = registerCleanup(() => started.stop());
    const suffix = randomUUID().slice(0, 8);
    const names = { cacheTableName: `bench-cache-${suffix}`, tagTableName: `bench-tags-${suffix}` };
    await createRuntimeTables(ddb.endpoint, names);
    const env = {
      ...CREDENTIALS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      [CACHE_TABLE_ENV]: names.cacheTableName,
      [TAG_TABLE_ENV]: names.tagTableName,
    };
    for (const [name, value] of Object.entries(env)) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
    return await body({ endpoint: ddb.endpoint, ...names, env });
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    // The runtime's process-wide client still points at this DynamoDB Local and holds its sockets.
    await resetDynamoDBClient();
    unregister();
    await ddb?.stop();
  }
}
