import { isRecord, type PoolAdapter } from '../adapter';

/*
 * `mongodb` `MongoClient` (6.x / 7.x). Read from node_modules/mongodb/lib/cmap/connection_pool.js
 * and sdam/topology.js:
 * - Each server of the topology (`client.topology.s.servers`, a Map) owns a `ConnectionPool`
 *   (`server.pool`): idle connections in `pool.connections` (a List with `prune`), checked-out
 *   ones counted by `currentCheckedOutCount`, connecting ones by `pendingConnectionCount`.
 * - The pool's own idle reaper (`maxIdleTimeMS`) prunes `pool.connections` with
 *   `pool.destroyConnection(connection, 'idle')`, which emits the public `connectionClosed` CMAP
 *   event and closes the socket. The adapter does the same, now rather than after `maxIdleTimeMS`.
 * - The client re-emits the pools' CMAP events; `connectionCheckedIn` marks a connection idle.
 * - `minPoolSize` > 0 makes the pool reopen connections every 100 ms, so such a client is left alone.
 * - Each server also has monitoring connections (heartbeats, RTT) outside the pool. They are the
 *   driver's, not the application's: left alone, and reconnected by the driver after a thaw.
 */

interface MongoConnection {
  readonly closed?: boolean;
}

interface MongoConnectionPool {
  readonly currentCheckedOutCount: number;
  readonly pendingConnectionCount: number;
  readonly connections: { prune(filter: (connection: MongoConnection) => boolean): void };
  destroyConnection(connection: MongoConnection, reason: string): void;
}

export interface MongoClientLike {
  readonly options?: { readonly minPoolSize?: number };
  readonly topology?: { readonly s?: { readonly servers?: Map<string, { readonly pool?: unknown }> } };
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** A `MongoClient`: it emits CMAP events and keeps its pools under `topology`. */
export function isMongoClient(client: unknown): client is MongoClientLike {
  return (
    isRecord(client) &&
    typeof client.on === 'function' &&
    typeof client.connect === 'function' &&
    typeof client.db === 'function' &&
    isRecord(client.options) &&
    'maxIdleTimeMS' in client.options
  );
}

function isConnectionPool(pool: unknown): pool is MongoConnectionPool {
  return (
    isRecord(pool) &&
    typeof pool.destroyConnection === 'function' &&
    isRecord(pool.connections) &&
    typeof pool.connections.prune === 'function'
  );
}

export function mongodbAdapter(client: MongoClientLike): PoolAdapter {
  // Read from the client's resolved options: the driver applies its defaults there.
  const minPoolSize = client.options?.minPoolSize ?? 0;
  const pools = (): MongoConnectionPool[] =>
    [...(client.topology?.s?.servers?.values() ?? [])].map((server) => server.pool).filter(isConnectionPool);

  const releaseIdle = (): Promise<void> => {
    if (minPoolSize > 0) return Promise.resolve();
    for (const pool of pools()) {
      pool.connections.prune((connection) => {
        pool.destroyConnection(connection, 'idle');
        return true;
      });
    }
    return Promise.resolve();
  };

  return {
    driver: 'mongodb',
    busyCount: () =>
      pools().reduce((sum, pool) => sum + pool.currentCheckedOutCount + pool.pendingConnectionCount, 0),
    releaseIdle,
    // Pruned synchronously: the handler's first operation checks out a fresh connection.
    prepareForInvocation: () => void releaseIdle(),
    onIdle: (listener) => {
      client.on('connectionCheckedIn', () => process.nextTick(listener));
    },
    leftAloneReason: () =>
      minPoolSize > 0
        ? `attachDatabasePool: this MongoClient has minPoolSize ${minPoolSize}, so its pool reopens ` +
          'idle connections by itself and they cannot be released before Lambda freezes the environment. ' +
          'Leave minPoolSize at 0 to have them released.'
        : undefined,
  };
}
