import { measureThroughput, throughputMeasurements } from './throughput';
import type { Benchmark } from './types';

/**
 * P1 — adapter overhead: requests/s of a trivial `fetch` handler through our adapter vs the same
 * response from a bare `awslambda.streamifyResponse` handler, both under the real aws-lambda-ric.
 */
export const p1: Benchmark = {
  name: 'p1',
  description: 'adapter overhead: requests/s through the adapter vs a bare streamifyResponse handler',
  async run(context) {
    const samples = await measureThroughput(context, 'P1', ['adapter']);
    return throughputMeasurements(context, samples, 'adapter', { id: 'p1', name: 'P1', minRatio: 0.9 });
  },
};
