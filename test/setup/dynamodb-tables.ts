import { randomUUID } from 'node:crypto';
import { createRuntimeTables, type RuntimeTableNames } from '../../lib/local/dynamodb-local';
import { DYNAMODB_LOCAL_ENDPOINT_ENV } from './dynamodb-local-env';

/** The endpoint of the run's DynamoDB Local (started by jest's globalSetup). */
export function dynamoDBLocalEndpoint(): string {
  const endpoint = process.env[DYNAMODB_LOCAL_ENDPOINT_ENV];
  if (!endpoint) {
    throw new Error(
      `${DYNAMODB_LOCAL_ENDPOINT_ENV} is not set: run jest with its config (globalSetup starts DynamoDB Local)`,
    );
  }
  return endpoint;
}

/** Creates a cache table and a tag table with fresh names in the run's DynamoDB Local. */
export async function createTestRuntimeTables(
  endpoint = dynamoDBLocalEndpoint(),
): Promise<RuntimeTableNames> {
  const suffix = randomUUID();
  const names = { cacheTableName: `cache-${suffix}`, tagTableName: `tags-${suffix}` };
  await createRuntimeTables(endpoint, names);
  return names;
}
