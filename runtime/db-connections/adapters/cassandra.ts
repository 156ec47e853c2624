import { isRecord, type PoolAdapter } from '../adapter';

/*
 * `cassandra-driver` `Client` (4.x). Read from node_modules/cassandra-driver/lib/client.js,
 * host.js and host-connection-pool.js:
 * - A Client multiplexes many requests over few long-lived connections: one control connection
 *   plus `pooling.coreConnectionsPerHost` per host. A connection is never "checked out".
 * - Closing pool connections does not make them reopen on demand: the host is marked DOWN when its
 *   pool is empty and requests fail with NoHostAvailableError until the reconnection policy's delay
 *   (1 s and growing) has passed. `shutdown()` is final ("Connecting after shutdown is not
 *   supported").
 * - The driver sends heartbeats on idle connections (`pooling.heartBeatInterval`, 30 s) and
 *   replaces a connection that fails one; Cassandra itself has no idle timeout by default.
 * So the adapter releases nothing: it only lets the end of an invocation wait, within the grace,
 * for requests still in flight (`client.getState()`), so a freeze does not interrupt them.
 */

interface CassandraState {
  getConnectedHosts(): unknown[];
  getInFlightQueries(host: unknown): number;
}

export interface CassandraClientLike {
  getState(): CassandraState;
}

export function isCassandraClient(client: unknown): client is CassandraClientLike {
  return (
    isRecord(client) &&
    typeof client.connect === 'function' &&
    typeof client.execute === 'function' &&
    typeof client.getState === 'function' &&
    typeof client.shutdown === 'function'
  );
}

export function cassandraAdapter(client: CassandraClientLike): PoolAdapter {
  return {
    driver: 'cassandra-driver',
    busyCount: () => {
      const state = client.getState();
      return state.getConnectedHosts().reduce<number>((sum, host) => sum + state.getInFlightQueries(host), 0);
    },
    releaseIdle: () => Promise.resolve(),
    prepareForInvocation: () => {},
    onIdle: () => {},
    leftAloneReason: () => undefined,
  };
}
