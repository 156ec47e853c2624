import { isRecord, type PoolAdapter } from './adapter';
import { cassandraAdapter, isCassandraClient } from './adapters/cassandra';
import { ioredisAdapter, isIoredis } from './adapters/ioredis';
import { leftAloneAdapter } from './adapters/left-alone';
import { isMariadbPool, mariadbAdapter } from './adapters/mariadb';
import { isMongoClient, mongodbAdapter } from './adapters/mongodb';
import { isMysql2Pool, isMysql2PromisePool, mysql2Adapter } from './adapters/mysql2';
import { isNodeRedisClient, nodeRedisAdapter } from './adapters/node-redis';
import { isNodeRedisPool, nodeRedisPoolAdapter } from './adapters/node-redis-pool';
import { isPgPool, pgAdapter } from './adapters/pg';

/** The pool families upstream's duck typing recognises, in the order it tests them. */
export type PoolKind = 'pg' | 'mysql' | 'mysql2' | 'mongodb' | 'redis';

/**
 * Picks the adapter for a pool, or returns `undefined` for anything to reject with
 * "Unsupported database pool type".
 *
 * Accepts every real pool of the drivers Vercel documents — including the ones upstream's duck
 * typing rejects although its docs list them (mysql2/promise and mariadb pools, ioredis,
 * cassandra-driver; see upstream-behaviour §2.7) — and, for parity, every other object upstream
 * accepts, which is then left alone.
 *
 * @param warn Where adapters report a problem they notice later (e.g. an idle connection failing).
 */
export function detectPool(pool: unknown, warn: (message: string) => void): (() => PoolAdapter) | undefined {
  // The specific drivers first: each test relies on that driver's own members.
  if (isPgPool(pool)) return () => pgAdapter(pool, warn);
  if (isMysql2PromisePool(pool)) return () => mysql2Adapter(pool.pool);
  if (isMysql2Pool(pool)) return () => mysql2Adapter(pool);
  if (isMariadbPool(pool)) return () => mariadbAdapter(pool);
  if (isMongoClient(pool)) return () => mongodbAdapter(pool);
  if (isNodeRedisPool(pool)) return () => nodeRedisPoolAdapter(pool, warn);
  if (isIoredis(pool)) return () => ioredisAdapter(pool);
  if (isNodeRedisClient(pool)) return () => nodeRedisAdapter(pool, warn);
  if (isCassandraClient(pool)) return () => cassandraAdapter(pool);
  const kind = upstreamPoolKind(pool);
  return kind === undefined ? undefined : () => leftAloneAdapter(kind);
}

/**
 * Classifies a pool exactly as upstream `attachDatabasePool` does (first match wins), or returns
 * `undefined` for anything it rejects with "Unsupported database pool type".
 *
 * Unlike upstream it never throws itself: upstream evaluates `'idleTimeoutMillis' in pool.options`
 * without checking `options`, so `{ on, options: null }` (or a `null` pool) crashes with a
 * TypeError instead of the documented error.
 */
export function upstreamPoolKind(pool: unknown): PoolKind | undefined {
  if (!isRecord(pool) || !pool.on) return undefined;
  const { options, config } = pool;
  // pg.Pool: options.idleTimeoutMillis, emits 'release'.
  if (isRecord(options) && 'idleTimeoutMillis' in options) return 'pg';
  // mysql2 callback pool: config.connectionConfig, emits 'release'.
  if (isRecord(config) && 'connectionConfig' in config) return 'mysql';
  // mysql2 / mariadb pools with config.idleTimeout, emit 'release'.
  if (isRecord(config) && 'idleTimeout' in config) return 'mysql2';
  // MongoClient: options.maxIdleTimeMS, emits 'connectionCheckedOut'.
  if (isRecord(options) && 'maxIdleTimeMS' in options) return 'mongodb';
  // node-redis style client: options.socket, emits 'end'.
  if (isRecord(options) && 'socket' in options) return 'redis';
  return undefined;
}
