import { createWorkspace } from './bundles';
import { measureInit } from './init-time';
import { buildAll, coldStartMeasurements } from './p5-cold-start';
import { measureThroughput, throughputMeasurements } from './throughput';
import type { Benchmark } from './types';

/**
 * Peer comparison: the P1 and P5 measurements for the real `@vercel/functions` 3.9.9 — the package
 * users come from — installed in the project and so bundled as is, wrapped by our adapter (which it
 * finds through its request-context global). The same handler with the package aliased to our
 * runtime runs in the same rounds, so the README can say where each stands against the bare handler.
 * No targets: these rows inform.
 */
export const peer: Benchmark = {
  name: 'peer',
  description: 'the real @vercel/functions package vs our runtime, same handler: requests/s, bytes, init',
  expected: {
    'peer.api.rps': null,
    'peer.api.cpu': null,
    'peer.real.rps': null,
    'peer.real.cpu': null,
    'peer.real.bytes': null,
    'peer.real.init': null,
  },
  async run(context) {
    const throughput = await measureThroughput(context, 'peer', ['runtime-api', 'real-package']);
    const workspace = createWorkspace();
    try {
      const builds = await buildAll(workspace, ['bare', 'real-package']);
      const init = await measureInit(context, 'peer', Object.values(builds));
      return [
        ...throughputMeasurements(context, throughput, 'runtime-api', {
          id: 'peer.api',
          name: 'Peer',
          minRatio: null,
        }),
        ...throughputMeasurements(context, throughput, 'real-package', {
          id: 'peer.real',
          name: 'Peer',
          minRatio: null,
        }),
        ...coldStartMeasurements(context, builds, init, 'real-package', {
          id: 'peer.real',
          name: 'Peer',
          bytesTarget: null,
          initTarget: null,
        }),
      ];
    } finally {
      workspace.remove();
    }
  },
};
