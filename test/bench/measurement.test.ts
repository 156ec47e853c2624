import {
  compare,
  describeTarget,
  failedRows,
  meets,
  pending,
  single,
  withMissingRows,
} from '../../bench/measurement';
import type { BenchContext } from '../../bench/types';

const quiet: BenchContext = { samples: false, log: () => {} };

describe('compare', () => {
  test('reports the median of the per-round ratios, their interquartile range and each side’s median', () => {
    const measurement = compare(
      quiet,
      {
        a: { label: 'ours', values: [90, 45, 100] },
        b: { label: 'bare', values: [100, 50, 200] },
        unit: 'req/s',
      },
      { id: 'x.rps', title: 'ours ÷ bare', target: { on: 'ratio', op: '>=', value: 0.9, unit: 'x' } },
    );
    expect(measurement).toMatchObject({
      id: 'x.rps',
      status: 'measured',
      ratio: 0.9,
      spread: [0.7, 0.9],
      samples: 3,
      medians: { ours: 90, bare: 100 },
      unit: 'req/s',
      pass: true,
    });
    expect(measurement.raw).toBeUndefined();
  });

  test('judges a difference target on the median paired difference', () => {
    const measurement = compare(
      quiet,
      { a: { label: 'ours', values: [12, 14, 30] }, b: { label: 'bare', values: [1, 2, 3] }, unit: 'ms' },
      {
        id: 'x.init',
        title: 'init',
        target: { on: 'difference', op: '<=', value: 10, unit: 'ms' },
        withDifference: true,
      },
    );
    expect(measurement.difference).toEqual({ value: 12, unit: 'ms', spread: [11.5, 19.5] });
    expect(measurement.pass).toBe(false);
  });

  test('keeps the raw samples only when asked to', () => {
    const measurement = compare(
      { ...quiet, samples: true },
      { a: { label: 'a', values: [1, 2] }, b: { label: 'b', values: [1, 1] }, unit: 'ms' },
      { id: 'x', title: 'x', target: null },
    );
    expect(measurement.raw).toEqual({ a: [1, 2], b: [1, 1] });
    expect(measurement.pass).toBeNull();
  });

  test('throws naming the measurement when there are no samples', () => {
    expect(() =>
      compare(
        quiet,
        { a: { label: 'a', values: [] }, b: { label: 'b', values: [] }, unit: 'ms' },
        { id: 'x.none', title: 'x', target: null },
      ),
    ).toThrow('x.none: no samples');
  });
});

describe('single', () => {
  test('turns one deterministic pair into a ratio and a difference', () => {
    const measurement = single(
      quiet,
      { a: { label: 'ours', value: 15_000 }, b: { label: 'bare', value: 700 }, unit: 'bytes' },
      { id: 'x.bytes', title: 'bytes', target: { on: 'difference', op: '<=', value: 25_000, unit: 'bytes' } },
    );
    expect(measurement.ratio).toBeCloseTo(21.43, 2);
    expect(measurement.difference?.value).toBe(14_300);
    expect(measurement.samples).toBe(1);
    expect(measurement.pass).toBe(true);
  });
});

describe('pending', () => {
  test('has no ratio and no verdict, and says what it waits for', () => {
    expect(
      pending('p3.hit', 'P3', { on: 'ratio', op: '<=', value: 1.25, unit: 'x' }, 'waits for F1'),
    ).toEqual({
      id: 'p3.hit',
      title: 'P3',
      status: 'pending',
      ratio: null,
      spread: null,
      samples: 0,
      target: { on: 'ratio', op: '<=', value: 1.25, unit: 'x' },
      pass: null,
      note: 'waits for F1',
    });
  });
});

describe('meets and describeTarget', () => {
  test('compare with each operator, and a missing or NaN value never meets a target', () => {
    expect(meets({ on: 'ratio', op: '==', value: 1, unit: 'x' }, 1)).toBe(true);
    expect(meets({ on: 'ratio', op: '==', value: 1, unit: 'x' }, 0.99)).toBe(false);
    expect(meets({ on: 'ratio', op: '<=', value: 1.05, unit: 'x' }, 1.06)).toBe(false);
    expect(meets({ on: 'ratio', op: '>=', value: 0.9, unit: 'x' }, undefined)).toBe(false);
    expect(meets({ on: 'ratio', op: '>=', value: 0.9, unit: 'x' }, Number.NaN)).toBe(false);
  });

  test('print ratios with × and differences with their unit', () => {
    expect(describeTarget({ on: 'ratio', op: '>=', value: 0.9, unit: 'x' })).toBe('≥ 0.90×');
    expect(describeTarget({ on: 'difference', op: '<=', value: 10, unit: 'ms' })).toBe('≤ 10 ms');
  });
});

describe('compare with the ratio-of-medians estimator', () => {
  test('divides the two medians instead of taking the median of the per-round ratios', () => {
    const samples = {
      a: { label: 'with', values: [1, 10, 3] },
      b: { label: 'without', values: [2, 1, 4] },
      unit: 'ms',
    };
    const options = { id: 'x.ttfb', title: 'ttfb', target: null };
    expect(compare(quiet, samples, options)).toMatchObject({
      ratio: 0.75,
      estimator: 'median of per-round ratios',
    });
    expect(compare(quiet, samples, { ...options, estimator: 'ratio of medians' })).toMatchObject({
      ratio: 1.5,
      estimator: 'ratio of medians',
      spread: [0.625, 5.375],
    });
  });
});

describe('failedRows and withMissingRows', () => {
  const benchmark = {
    name: 'p9',
    description: 'a benchmark',
    expected: {
      'p9.ratio': { on: 'ratio', op: '<=', value: 1.05, unit: 'x' },
      'p9.info': null,
    } as const,
  };

  test('a failed benchmark gets one error row per declared measurement, with its target and the error', () => {
    const rows = failedRows(benchmark, new Error('DynamoDB Local did not start'));
    expect(rows.map((m) => [m.id, m.status, m.target, m.pass, m.note])).toEqual([
      [
        'p9.ratio',
        'error',
        { on: 'ratio', op: '<=', value: 1.05, unit: 'x' },
        null,
        'DynamoDB Local did not start',
      ],
      ['p9.info', 'error', null, null, 'DynamoDB Local did not start'],
    ]);
    expect(rows[0].title).toBe('p9 failed: a benchmark');
  });

  test('adds an error row for a declared measurement with a target that the benchmark did not return', () => {
    const info = compare(
      quiet,
      { a: { label: 'a', values: [1] }, b: { label: 'b', values: [1] }, unit: 'ms' },
      { id: 'p9.info', title: 'info', target: null },
    );
    const rows = withMissingRows(benchmark, [info]);
    expect(rows.map((m) => [m.id, m.status])).toEqual([
      ['p9.info', 'measured'],
      ['p9.ratio', 'error'],
    ]);
    expect(rows[1].note).toBe('p9 returned no p9.ratio measurement');
    // A row without a target may be absent (CPU rows need /proc).
    expect(withMissingRows(benchmark, rows.slice(1))).toHaveLength(1);
  });
});
