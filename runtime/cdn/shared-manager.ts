import { TAG_TABLE_ENV } from '../constructs-contract';
import { InvalidationManager } from './invalidation-manager';
import { TagTableStore } from './tag-table';

// One manager per process (per worker thread on Managed Instances), so calls from concurrent
// invocations coalesce. It holds no per-request state (see InvalidationManager).
let shared: InvalidationManager | undefined;
let override: InvalidationManager | undefined;

/**
 * The process's invalidation manager, backed by the tag table named in
 * `VERCEL_FUNCTIONS_AWS_TAG_TABLE` when it is set. Re-created if that variable changes.
 */
export function invalidationManager(): InvalidationManager {
  if (override) return override;
  const table = process.env[TAG_TABLE_ENV] || undefined;
  if (!shared || shared.store?.tableName !== table) {
    shared = new InvalidationManager({ store: table ? new TagTableStore(table) : undefined });
  }
  return shared;
}

/**
 * Replaces the process's manager (tests, the bench: shorter windows and backoff), or with
 * `undefined` goes back to the one configured from the environment.
 */
export function useInvalidationManager(manager: InvalidationManager | undefined): void {
  override = manager;
  shared = undefined;
}
