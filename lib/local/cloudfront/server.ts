import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../endpoint-server';
import { EmulatedDistribution, type EmulatedDistributionOptions } from './distribution';

/** Options of {@link startCloudFrontEmulation}. */
export interface CloudFrontEmulationOptions extends EmulatedDistributionOptions {
  /** @default 0 - any free port */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

/** A running emulated distribution. */
export interface CloudFrontEmulation {
  /** Base URL viewers use, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly distribution: EmulatedDistribution;
  /** Stops listening, drops open connections and closes origin connections. */
  close(): Promise<void>;
}

/**
 * Serves an {@link EmulatedDistribution} over HTTP on a local port.
 *
 * @example
 * const cdn = await startCloudFrontEmulation({ model, transport });
 * await fetch(`${cdn.url}/api/hello`, { headers: { 'CloudFront-Viewer-Country': 'DE' } });
 * await cdn.close();
 */
export async function startCloudFrontEmulation(
  options: CloudFrontEmulationOptions,
): Promise<CloudFrontEmulation> {
  const distribution = new EmulatedDistribution(options);
  const server: Server = createServer((req, res) => void distribution.handle(req, res));
  // Streamed responses may stay open as long as a function runs.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    distribution,
    close: async () => {
      await closeServer(server);
      options.transport.close();
    },
  };
}
