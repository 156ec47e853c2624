import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
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
 * A throwaway PostgreSQL server (Debian package `postgresql`, binaries in
 * /usr/lib/postgresql/<major>/bin): `initdb` in a temporary folder, then `postgres` on a free
 * loopback port with durability off. initdb refuses to run as root, so as root both run as the
 * `postgres` user (spawned with its uid, so the PID is the server's own).
 */

const POSTGRES_ROOT = '/usr/lib/postgresql';

function binDir(): string | undefined {
  let majors: string[];
  try {
    majors = readdirSync(POSTGRES_ROOT).sort((a, b) => Number(b) - Number(a));
  } catch {
    return undefined;
  }
  return majors
    .map((major) => path.join(POSTGRES_ROOT, major, 'bin'))
    .find(
      (dir) => findExecutable([path.join(dir, 'postgres')]) && findExecutable([path.join(dir, 'initdb')]),
    );
}

/** Whether the binaries are there; `missing` says what is not. */
export const postgresServer = {
  name: 'PostgreSQL',
  get missing(): string | undefined {
    return binDir() === undefined
      ? `no ${POSTGRES_ROOT}/<major>/bin/{initdb,postgres} (apt-get install postgresql)`
      : undefined;
  },
};

export interface PostgresServer {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  readonly url: string;
  readonly pid: number | undefined;
  /** A new connected client for the test's own queries. */
  client(): Promise<Client>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  if (!bin) throw new Error(`PostgreSQL is not installed: ${postgresServer.missing}`);
  const user = serviceUser('postgres');
  const dir = tempDir('vfa-postgres-', user);
  const data = path.join(dir, 'data');
  const port = await freePort();
  runToCompletion(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync'], {
    user,
    cwd: dir,
  });
  const server = new ServerProcess(
    'postgres',
    path.join(bin, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=50',
    ],
    { user, cwd: dir },
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    // SIGINT: PostgreSQL's fast shutdown (disconnects clients, no waiting for them).
    await server.stop('SIGINT');
    removeDir(dir);
  };
  try {
    await server.waitForPort(port);
    await waitUntilAcceptingQueries(url, server);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    url,
    pid: server.pid,
    client: async () => {
      const client = new Client({ connectionString: url, application_name: 'vfa-test-observer' });
      await client.connect();
      return client;
    },
    stop,
  };
}

async function waitUntilAcceptingQueries(url: string, server: ServerProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      // "the database system is starting up" until recovery is done.
      if (Date.now() > deadline)
        throw new Error(`PostgreSQL did not accept queries:\n${server.log}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await client.end().catch(() => {});
    }
  }
}
