import { measureThroughput, throughputMeasurements } from './throughput';
import type { Benchmark, Target } from './types';

const MIN_RATIO = 0.9;
const TARGET: Target = { on: 'ratio', op: '>=', value: MIN_RATIO, unit: 'x' };

/**
 * P1 — adapter overhead: requests/s of a trivial `fetch` handler through our adapter vs the same
 * response from a bare `awslambda.streamifyResponse` handler, both under the real aws-lambda-ric.
 * A third handler, the Fetch-API floor (fixtures/fetch-floor.mjs: Request in, Response out, nothing
 * else), runs in the same rounds and splits the gap into what the Fetch objects cost and what the
 * adapter adds on top.
 */
export const p1: Benchmark = {
  name: 'p1',
  description: 'adapter overhead: requests/s through the adapter vs a bare streamifyResponse handler',
  expected: {
    'p1.rps': TARGET,
    'p1.cpu': null,
    'p1.floor.rps': null,
    'p1.floor.cpu': null,
    'p1.over-floor.rps': null,
    'p1.over-floor.cpu': null,
  },
  async run(context) {
    const samples = await measureThroughput(context, 'P1', ['adapter', 'fetch-floor']);
    return [
      ...throughputMeasurements(context, samples, 'adapter', { id: 'p1', name: 'P1', minRatio: MIN_RATIO }),
      ...throughputMeasurements(context, samples, 'fetch-floor', {
        id: 'p1.floor',
        name: 'P1',
        minRatio: null,
      }),
      ...throughputMeasurements(context, samples, 'adapter', {
        id: 'p1.over-floor',
        name: 'P1',
        minRatio: null,
        baseline: 'fetch-floor',
      }),
    ];
  },
};
