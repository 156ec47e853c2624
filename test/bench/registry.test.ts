import { BENCHMARKS } from '../../bench/registry';

describe('BENCHMARKS', () => {
  test('each declares its measurement ids under its own name, no id twice', () => {
    const ids = BENCHMARKS.flatMap((benchmark) => Object.keys(benchmark.expected));
    expect(new Set(ids).size).toBe(ids.length);
    for (const benchmark of BENCHMARKS) {
      expect(Object.keys(benchmark.expected).length).toBeGreaterThan(0);
      for (const id of Object.keys(benchmark.expected)) expect(id.split('.')[0]).toBe(benchmark.name);
    }
  });

  test('declares the issue’s targets on the rows that carry them', () => {
    const targets = Object.fromEntries(BENCHMARKS.flatMap((benchmark) => Object.entries(benchmark.expected)));
    expect(targets['p1.rps']).toEqual({ on: 'ratio', op: '>=', value: 0.9, unit: 'x' });
    expect(targets['p2.ttfb']).toEqual({ on: 'ratio', op: '<=', value: 1.05, unit: 'x' });
    expect(targets['p2.open']).toEqual({ on: 'ratio', op: '>=', value: 1, unit: 'x' });
    expect(targets['p3.hit']).toEqual({ on: 'ratio', op: '<=', value: 1.25, unit: 'x' });
    expect(targets['p4.rejected']).toEqual({ on: 'ratio', op: '==', value: 0, unit: 'x' });
    expect(targets['p5.bytes']).toEqual({ on: 'difference', op: '<=', value: 25_000, unit: 'bytes' });
    expect(targets['p5.init']).toEqual({ on: 'difference', op: '<=', value: 10, unit: 'ms' });
  });
});
