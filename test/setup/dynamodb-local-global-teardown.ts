import type { DynamoDBLocal } from '../../lib/local/dynamodb-local-process';
import { INSTANCE_KEY } from './dynamodb-local-global-setup';

// Jest globalTeardown: stops the DynamoDB Local that globalSetup started (same process).
export default async function globalTeardown(): Promise<void> {
  const slot = globalThis as Record<symbol, DynamoDBLocal | undefined>;
  await slot[INSTANCE_KEY]?.stop();
  slot[INSTANCE_KEY] = undefined;
}
