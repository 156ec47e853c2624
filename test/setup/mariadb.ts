import * as path from 'node:path';
import { type Connection, createConnection } from 'mysql2/promise';
import {
  findExecutable,
  freePort,
  removeDir,
  runToCompletion,
  ServerProcess,
  serviceUser,
  tempDir,
} from './servers';

/*
 * A throwaway MariaDB server (Debian package `mariadb-server`): `mariadb-install-db` into a
 * temporary folder, then `mariadbd` on a free loopback port with binary logging and durable flushes
 * off. As root, `--user=mysql` makes mariadbd drop privileges itself, so the PID is the server's.
 * `root` connects from 127.0.0.1 without a password.
 */

const INSTALL_DB = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'];
const SERVER = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'];

export const mariadbServer = {
  name: 'MariaDB',
  get missing(): string | undefined {
    if (!findExecutable(INSTALL_DB) || !findExecutable(SERVER)) {
      return `no ${INSTALL_DB[0]} or ${SERVER[0]} (apt-get install mariadb-server)`;
    }
    return undefined;
  },
};

export interface MariadbServer {
  readonly port: number;
  readonly pid: number | undefined;
  /** A new connection as root for the test's own queries. */
  connect(): Promise<Connection>;
  stop(): Promise<void>;
}

export async function startMariadb(): Promise<MariadbServer> {
  const installDb = findExecutable(INSTALL_DB);
  const mariadbd = findExecutable(SERVER);
  if (!installDb || !mariadbd) throw new Error(`MariaDB is not installed: ${mariadbServer.missing}`);
  const user = serviceUser('mysql');
  const dir = tempDir('vfa-mariadb-', user);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const userArgs = user ? ['--user=mysql'] : [];
  runToCompletion(installDb, [
    '--no-defaults',
    ...userArgs,
    `--datadir=${data}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
  ]);
  const server = new ServerProcess('mariadbd', mariadbd, [
    '--no-defaults',
    ...userArgs,
    `--datadir=${data}`,
    `--socket=${path.join(dir, 'mariadb.sock')}`,
    `--pid-file=${path.join(dir, 'mariadb.pid')}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    '--skip-log-bin',
    '--innodb-flush-log-at-trx-commit=0',
    '--max-connections=50',
  ]);
  const stop = async () => {
    await server.stop('SIGTERM');
    removeDir(dir);
  };
  try {
    await server.waitForPort(port);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    pid: server.pid,
    connect: () => createConnection({ host: '127.0.0.1', port, user: 'root' }),
    stop,
  };
}
