import { Redis } from 'ioredis';
import { findExecutable, freePort, removeDir, ServerProcess, tempDir } from './servers';

/*
 * A throwaway Redis server (Debian package `redis-server`) on a free loopback port, without
 * persistence, working in a temporary folder.
 */

const SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

export const redisServer = {
  name: 'Redis',
  get missing(): string | undefined {
    return findExecutable(SERVER) ? undefined : `no ${SERVER[0]} (apt-get install redis-server)`;
  },
};

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number | undefined;
  /** A new client for the test's own commands. */
  client(): Redis;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const binary = findExecutable(SERVER);
  if (!binary) throw new Error(`Redis is not installed: ${redisServer.missing}`);
  const dir = tempDir('vfa-redis-');
  const port = await freePort();
  const server = new ServerProcess(
    'redis-server',
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { cwd: dir },
  );
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
    url: `redis://127.0.0.1:${port}`,
    pid: server.pid,
    client: () => new Redis({ host: '127.0.0.1', port, connectionName: 'vfa-test-observer' }),
    stop,
  };
}
