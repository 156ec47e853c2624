// Pool shapes as upstream declares them: every field optional, so real pools from pg, mysql2,
// mariadb, mongodb, ioredis, node-redis and cassandra-driver are all assignable at compile time
// (test/runtime/db-connections/index.test.ts checks it). Which objects are accepted at run time,
// and how each is handled, is decided by detectPool().

type Listener = (...args: unknown[]) => void;

interface PgPool {
  options?: { idleTimeoutMillis?: number | null };
  on?: (event: 'release', listener: Listener) => void;
}

interface MySQLPool {
  config?: { connectionConfig?: { idleTimeout?: number } };
  on?: (event: 'release', listener: Listener) => void;
}

interface MySQL2Pool {
  config?: { idleTimeout?: number };
  on?: (event: 'release', listener: Listener) => void;
}

interface MariaDBPool {
  config?: { idleTimeout?: number };
  on?: (event: 'release', listener: Listener) => void;
}

interface MongoDBPool {
  options?: { maxIdleTimeMS?: number };
  on?: (
    event:
      | 'connectionCheckedOut'
      | 'connectionCheckedIn'
      | 'connectionPoolCreated'
      | 'connectionPoolClosed'
      | 'connectionCreated'
      | 'connectionReady'
      | 'connectionClosed',
    listener: Listener,
  ) => void;
}

interface RedisPool {
  options?: unknown;
  on?: (event: 'ready' | 'end' | 'error' | 'connect', listener: Listener) => void;
  status?: string;
}

interface CassandraPool {
  connect?: (callback?: (err?: Error) => void) => Promise<void>;
  execute?: (query: string, params?: unknown[], options?: unknown) => Promise<unknown>;
}

/**
 * A database pool or client: PostgreSQL (`pg`), MySQL2, MariaDB, MongoDB, Redis (`ioredis`),
 * Cassandra (`cassandra-driver`), or any object with a compatible shape (duck typing).
 */
export type DbPool = PgPool | MySQLPool | MySQL2Pool | MariaDBPool | MongoDBPool | RedisPool | CassandraPool;
