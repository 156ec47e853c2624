import type { PoolAdapter } from '../adapter';

/**
 * For objects that upstream `@vercel/functions` accepts by duck typing but that are none of the
 * pools this runtime knows how to release (e.g. a hand-made `{ on, options: { socket } }`): accepted
 * like upstream does, and left alone, with one warning saying so.
 */
export function leftAloneAdapter(family: string): PoolAdapter {
  const reason =
    `attachDatabasePool: this object has the shape @vercel/functions accepts for ${family} pools, but it ` +
    'is none of the pools this runtime can release (pg Pool, mysql2 and mariadb pools, MongoClient, ' +
    'ioredis, node-redis clients and pools, cassandra-driver Client); its connections are left alone.';
  return {
    driver: family,
    busyCount: () => 0,
    releaseIdle: () => Promise.resolve(),
    prepareForInvocation: () => {},
    onIdle: () => {},
    leftAloneReason: () => reason,
  };
}
