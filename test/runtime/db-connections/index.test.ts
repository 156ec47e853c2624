import * as upstream from '@vercel/functions/db-connections';
import {
  attachDatabasePool,
  type DbPool,
  experimental_attachDatabasePool,
} from '../../../runtime/db-connections';
import { UnsupportedDatabasePoolError } from '../../../runtime/errors';

// Shapes of real client objects, as constructed (without connecting) by each driver.
const accepted: [string, () => Record<string, unknown>][] = [
  ['a pg Pool', () => ({ on: jest.fn(), options: { idleTimeoutMillis: 10_000, max: 10 } })],
  ['a pg Pool with idleTimeoutMillis null', () => ({ on: jest.fn(), options: { idleTimeoutMillis: null } })],
  ['a mysql2 callback pool', () => ({ on: jest.fn(), config: { connectionConfig: { idleTimeout: null } } })],
  ['a pool whose config has idleTimeout', () => ({ on: jest.fn(), config: { idleTimeout: 60_000 } })],
  ['a MongoClient', () => ({ on: jest.fn(), options: { maxIdleTimeMS: 0 } })],
  ['a client whose options have socket', () => ({ on: jest.fn(), options: { socket: {} } })],
];

const rejected: [string, () => Record<string, unknown>][] = [
  ['an empty object', () => ({})],
  ['an object with only on', () => ({ on: jest.fn() })],
  ['an object with on and an unrelated prop', () => ({ on: jest.fn(), someOtherProp: true })],
  ['a pg-like pool without on', () => ({ options: { idleTimeoutMillis: 1 } })],
  [
    'an ioredis-like client',
    () => ({ on: jest.fn(), options: { host: 'localhost', port: 6379 }, status: 'wait' }),
  ],
  [
    'a cassandra-like client',
    () => ({ connect: jest.fn(), execute: jest.fn(), options: { socketOptions: {} } }),
  ],
];

describe('attachDatabasePool', () => {
  test.each(accepted)('accepts %s without touching it', (_label, make) => {
    const pool = make();
    expect(attachDatabasePool(pool as DbPool)).toBeUndefined();
    // Not active yet: no listener is registered.
    expect(pool.on).not.toHaveBeenCalled();
  });

  test.each(rejected)('throws Unsupported database pool type when given %s', (_label, make) => {
    const call = () => attachDatabasePool(make() as DbPool);
    expect(call).toThrow(UnsupportedDatabasePoolError);
    expect(call).toThrow('Unsupported database pool type');
  });

  test.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'postgres://'],
    ['a pg-like pool with options null', { on: jest.fn(), options: null }],
  ])('throws the typed error instead of a TypeError when given %s', (_label, value) => {
    expect(() => attachDatabasePool(value as unknown as DbPool)).toThrow(UnsupportedDatabasePoolError);
  });

  test('accepts and rejects the same shapes as the real package', () => {
    for (const [label, make] of [...accepted, ...rejected]) {
      const oursThrows = (() => {
        try {
          attachDatabasePool(make() as DbPool);
          return false;
        } catch {
          return true;
        }
      })();
      const theirsThrows = (() => {
        try {
          upstream.attachDatabasePool(make() as upstream.DbPool);
          return false;
        } catch {
          return true;
        }
      })();
      expect([label, oursThrows]).toEqual([label, theirsThrows]);
    }
  });

  test('is the same function under its deprecated name', () => {
    expect(experimental_attachDatabasePool).toBe(attachDatabasePool);
  });
});
