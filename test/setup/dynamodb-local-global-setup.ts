import { type DynamoDBLocal, startDynamoDBLocal } from '../../lib/local/dynamodb-local-process';
import { DYNAMODB_LOCAL_ENDPOINT_ENV } from './dynamodb-local-env';

// Jest globalSetup: ONE DynamoDB Local for the whole run. Workers start after this and inherit
// process.env, so tests find the endpoint in DYNAMODB_LOCAL_ENDPOINT; each test creates its own
// uniquely named tables (test/setup/dynamodb-tables.ts). globalTeardown stops it by PID.

export const INSTANCE_KEY = Symbol.for('vercel-functions-aws/test-dynamodb-local');

export default async function globalSetup(): Promise<void> {
  const ddb: DynamoDBLocal = await startDynamoDBLocal();
  (globalThis as Record<symbol, unknown>)[INSTANCE_KEY] = ddb;
  process.env[DYNAMODB_LOCAL_ENDPOINT_ENV] = ddb.endpoint;
}
