import * as upstream from '@vercel/functions/db-connections';
import { Client as CassandraClient } from 'cassandra-driver';
import { Redis } from 'ioredis';
import { createPool as createMariadbPool } from 'mariadb';
import { createPool as createMariadbCallbackPool } from 'mariadb/callback';
import { MongoClient } from 'mongodb';
import { createPool as createMysql2CallbackPool } from 'mysql2';
import { createPool as createMysql2Pool } from 'mysql2/promise';
import { Pool } from 'pg';
import { createClient, createClientPool } from 'redis';
import {
  attachDatabasePool,
  type DbPool,
  experimental_attachDatabasePool,
} from '../../../runtime/db-connections';
import { detectPool } from '../../../runtime/db-connections/detect';
import { resetPoolLifecycle } from '../../../runtime/db-connections/lifecycle';
import { InvalidPoolReleaseGraceError, UnsupportedDatabasePoolError } from '../../../runtime/errors';
import { runInvocationEndHooks, runInvocationStartHooks } from '../../../runtime/handler/invocation-hooks';

// Real driver objects, constructed without connecting (port 1: nothing listens there). Typed as
// DbPool without a cast, so the compiler checks each is accepted by the signature, as upstream's
// type-assertion.ts does.
interface RealPool {
  readonly label: string;
  readonly driver: string;
  /** Whether upstream @vercel/functions 3.9.9 accepts it (upstream-behaviour §2.7). */
  readonly upstreamAccepts: boolean;
  readonly create: () => { pool: DbPool; close: () => Promise<unknown> | unknown };
}

const realPools: RealPool[] = [
  {
    label: 'a pg Pool',
    driver: 'pg',
    upstreamAccepts: true,
    create: () => {
      const pool = new Pool({ port: 1 });
      return { pool, close: () => pool.end() };
    },
  },
  {
    label: 'a mysql2 callback pool',
    driver: 'mysql2',
    upstreamAccepts: true,
    create: () => {
      const pool = createMysql2CallbackPool({ port: 1 });
      return { pool, close: () => new Promise((resolve) => pool.end(resolve)) };
    },
  },
  {
    label: 'a mysql2/promise pool',
    driver: 'mysql2',
    upstreamAccepts: false,
    create: () => {
      const pool = createMysql2Pool({ port: 1 });
      return { pool, close: () => pool.end() };
    },
  },
  {
    label: 'a mariadb pool',
    driver: 'mariadb',
    upstreamAccepts: false,
    create: () => {
      const pool = createMariadbPool({ port: 1, minimumIdle: 0 });
      return { pool, close: () => pool.end() };
    },
  },
  {
    label: 'a mariadb callback pool',
    driver: 'mariadb',
    upstreamAccepts: false,
    create: () => {
      const pool = createMariadbCallbackPool({ port: 1, minimumIdle: 0 });
      return { pool, close: () => new Promise((resolve) => pool.end(resolve)) };
    },
  },
  {
    label: 'a MongoClient',
    driver: 'mongodb',
    upstreamAccepts: true,
    create: () => {
      const client = new MongoClient('mongodb://127.0.0.1:1');
      return { pool: client, close: () => client.close() };
    },
  },
  {
    label: 'an ioredis client',
    driver: 'ioredis',
    upstreamAccepts: false,
    create: () => {
      const client = new Redis({ port: 1, lazyConnect: true });
      return { pool: client, close: () => client.disconnect() };
    },
  },
  {
    label: 'a node-redis client',
    driver: 'node-redis',
    upstreamAccepts: true,
    create: () => ({ pool: createClient({ url: 'redis://127.0.0.1:1' }), close: () => {} }),
  },
  {
    label: 'a node-redis client pool',
    driver: 'node-redis pool',
    upstreamAccepts: false,
    create: () => ({ pool: createClientPool({ url: 'redis://127.0.0.1:1' }), close: () => {} }),
  },
  {
    label: 'a cassandra-driver Client',
    driver: 'cassandra-driver',
    upstreamAccepts: false,
    create: () => {
      const client = new CassandraClient({ contactPoints: ['127.0.0.1:1'], localDataCenter: 'dc1' });
      return { pool: client, close: () => client.shutdown() };
    },
  },
];

// Hand-made shapes: upstream's duck typing decides, and we follow it.
const upstreamShapes: [string, () => Record<string, unknown>][] = [
  ['a pg-like pool', () => ({ on: jest.fn(), options: { idleTimeoutMillis: 10_000, max: 10 } })],
  [
    'a mysql2-like callback pool',
    () => ({ on: jest.fn(), config: { connectionConfig: { idleTimeout: null } } }),
  ],
  ['a pool whose config has idleTimeout', () => ({ on: jest.fn(), config: { idleTimeout: 60_000 } })],
  ['a MongoClient-like object', () => ({ on: jest.fn(), options: { maxIdleTimeMS: 0 } })],
  ['a client whose options have socket', () => ({ on: jest.fn(), options: { socket: {} } })],
];

const rejected: [string, () => Record<string, unknown>][] = [
  ['an empty object', () => ({})],
  ['an object with only on', () => ({ on: jest.fn() })],
  ['an object with on and an unrelated prop', () => ({ on: jest.fn(), someOtherProp: true })],
  ['a pg-like pool without on', () => ({ options: { idleTimeoutMillis: 1 } })],
  [
    'an ioredis-like object without its queues',
    () => ({ on: jest.fn(), options: { port: 6379 }, status: 'wait' }),
  ],
  [
    'a cassandra-like object',
    () => ({ connect: jest.fn(), execute: jest.fn(), options: { socketOptions: {} } }),
  ],
];

function upstreamAccepts(pool: unknown): boolean {
  try {
    upstream.attachDatabasePool(pool as upstream.DbPool);
    return true;
  } catch {
    return false;
  }
}

describe('attachDatabasePool', () => {
  let warnings: jest.SpyInstance;
  beforeEach(() => {
    warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => {
    resetPoolLifecycle();
    warnings.mockRestore();
  });

  describe.each(realPools)('with $label', ({ driver, upstreamAccepts: upstreamDoes, create }) => {
    test('accepts it and picks its driver adapter', async () => {
      const { pool, close } = create();
      try {
        expect(() => attachDatabasePool(pool)).not.toThrow();
        expect(detectPool(pool, () => {})?.().driver).toBe(driver);
        // Upstream accepts only some of the pools its docs list; we accept all of them.
        expect(upstreamAccepts(pool)).toBe(upstreamDoes);
      } finally {
        await close();
      }
    });
  });

  test.each(upstreamShapes)('accepts %s like upstream does, and leaves it alone', (_label, make) => {
    const pool = make();
    expect(upstreamAccepts(make())).toBe(true);
    expect(() => attachDatabasePool(pool as DbPool)).not.toThrow();
    expect(detectPool(pool, () => {})?.().leftAloneReason()).toMatch(/connections are left alone/);
  });

  test.each(rejected)(
    'throws Unsupported database pool type when given %s, like upstream',
    (_label, make) => {
      const call = () => attachDatabasePool(make() as DbPool);
      expect(call).toThrow(UnsupportedDatabasePoolError);
      expect(call).toThrow('Unsupported database pool type');
      expect(upstreamAccepts(make())).toBe(false);
    },
  );

  test.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'postgres://'],
    ['a pg-like pool with options null', { on: jest.fn(), options: null }],
  ])('throws the typed error instead of a TypeError when given %s', (_label, value) => {
    expect(() => attachDatabasePool(value as unknown as DbPool)).toThrow(UnsupportedDatabasePoolError);
  });

  test('adds no listener and logs nothing outside Lambda', async () => {
    const pool = new Pool({ port: 1 });
    attachDatabasePool(pool);
    expect(pool.listenerCount('release')).toBe(0);
    expect(pool.listenerCount('error')).toBe(0);
    expect(warnings).not.toHaveBeenCalled();
    await pool.end();
  });

  describe('on classic Lambda', () => {
    beforeEach(() => {
      process.env.AWS_LAMBDA_FUNCTION_NAME = 'test-function';
    });
    afterEach(() => {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    });

    test('listens to the pool once even when attached twice', async () => {
      const pool = new Pool({ port: 1 });
      attachDatabasePool(pool);
      attachDatabasePool(pool);
      expect(pool.listenerCount('release')).toBe(1);
      expect(pool.listenerCount('error')).toBe(1);
      await pool.end();
    });

    test('never shuts a cassandra-driver Client down nor touches its connections', async () => {
      const client = new CassandraClient({ contactPoints: ['127.0.0.1:1'], localDataCenter: 'dc1' });
      const shutdown = jest.spyOn(client, 'shutdown');
      attachDatabasePool(client);
      runInvocationStartHooks('req-cassandra');
      await runInvocationEndHooks('req-cassandra', 1_000);
      expect(shutdown).not.toHaveBeenCalled();
      expect(client.getState().getConnectedHosts()).toEqual([]);
      expect(warnings).not.toHaveBeenCalled();
    });

    test('throws InvalidPoolReleaseGraceError naming the variable and the value when the grace is not a whole number', () => {
      process.env.VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS = '1.5s';
      try {
        const call = () => attachDatabasePool(new Pool({ port: 1 }));
        expect(call).toThrow(InvalidPoolReleaseGraceError);
        expect(call).toThrow(
          'VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS must be a whole number of milliseconds ≥ 0, got "1.5s"',
        );
      } finally {
        delete process.env.VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS;
      }
    });
  });

  test('is the same function under its deprecated name', () => {
    expect(experimental_attachDatabasePool).toBe(attachDatabasePool);
  });
});
