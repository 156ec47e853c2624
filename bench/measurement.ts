import { interquartile, median, paired } from './stats';
import type { BenchContext, Benchmark, Measurement, Target } from './types';

/** Two variants measured in the same rounds: `a` is ours, `b` the baseline; `a[i]` pairs with `b[i]`. */
export interface PairedSamples {
  readonly a: { readonly label: string; readonly values: readonly number[] };
  readonly b: { readonly label: string; readonly values: readonly number[] };
  /** Unit of the values, e.g. `'req/s'`, `'ms'`, `'bytes'`. */
  readonly unit: string;
}

export interface CompareOptions {
  readonly id: string;
  readonly title: string;
  readonly target: Target | null;
  /** Report the paired difference a − b too (needed when the target is on it). */
  readonly withDifference?: boolean;
  /**
   * `'ratio of medians'` for rounds of one sample per side, where single-sample ratios are mostly
   * noise.
   *
   * @default 'median of per-round ratios'
   */
  readonly estimator?: 'median of per-round ratios' | 'ratio of medians';
  readonly note?: string;
}

/**
 * Summarises paired samples: the ratio is the median of the per-round ratios a[i]/b[i] (so a
 * drifting machine moves both sides of each ratio together) unless `estimator` says otherwise, the
 * spread is the interquartile range of the per-round ratios either way.
 */
export function compare(context: BenchContext, samples: PairedSamples, options: CompareOptions): Measurement {
  const { a, b } = samples;
  if (a.values.length === 0) throw new RangeError(`${options.id}: no samples`);
  const ratios = paired(a.values, b.values, (x, y) => x / y);
  const estimator = options.estimator ?? 'median of per-round ratios';
  const ratio = estimator === 'ratio of medians' ? median(a.values) / median(b.values) : median(ratios);
  const difference = options.withDifference
    ? (() => {
        const differences = paired(a.values, b.values, (x, y) => x - y);
        return { value: median(differences), unit: samples.unit, spread: interquartile(differences) };
      })()
    : undefined;
  return {
    id: options.id,
    title: options.title,
    status: 'measured',
    ratio,
    estimator,
    spread: interquartile(ratios),
    ...(difference ? { difference } : {}),
    samples: ratios.length,
    medians: { [a.label]: median(a.values), [b.label]: median(b.values) },
    unit: samples.unit,
    target: options.target,
    pass: options.target
      ? meets(options.target, options.target.on === 'ratio' ? ratio : difference?.value)
      : null,
    ...(options.note ? { note: options.note } : {}),
    ...(context.samples ? { raw: { [a.label]: a.values, [b.label]: b.values } } : {}),
  };
}

/** A measurement that cannot be taken in this tree yet; `note` says what it waits for. */
export function pending(id: string, title: string, target: Target | null, note: string): Measurement {
  return { id, title, status: 'pending', ratio: null, spread: null, samples: 0, target, pass: null, note };
}

/** Whether `value` meets `target`; a missing value never does. */
export function meets(target: Target, value: number | undefined): boolean {
  if (value === undefined || Number.isNaN(value)) return false;
  switch (target.op) {
    case '<=':
      return value <= target.value;
    case '>=':
      return value >= target.value;
    case '==':
      return value === target.value;
  }
}

/** `'≥ 0.90×'`, `'≤ 25000 bytes'` — the target as the table prints it. */
export function describeTarget(target: Target): string {
  const op = { '<=': '≤', '>=': '≥', '==': '=' }[target.op];
  return target.unit === 'x' ? `${op} ${target.value.toFixed(2)}×` : `${op} ${target.value} ${target.unit}`;
}

/** One deterministic pair (e.g. bundle sizes): the ratio and difference of a single sample each. */
export function single(
  context: BenchContext,
  pair: {
    readonly a: { readonly label: string; readonly value: number };
    readonly b: { readonly label: string; readonly value: number };
    readonly unit: string;
  },
  options: CompareOptions,
): Measurement {
  return compare(
    context,
    {
      a: { label: pair.a.label, values: [pair.a.value] },
      b: { label: pair.b.label, values: [pair.b.value] },
      unit: pair.unit,
    },
    { ...options, withDifference: true },
  );
}

/**
 * The rows of a benchmark that failed: one per measurement it declares, each with its target and
 * the error in `note`.
 */
export function failedRows(
  benchmark: Pick<Benchmark, 'name' | 'description' | 'expected'>,
  error: unknown,
): Measurement[] {
  const message = error instanceof Error ? error.message : String(error);
  return Object.entries(benchmark.expected).map(([id, target]) =>
    errorRow(id, `${benchmark.name} failed: ${benchmark.description}`, target, message),
  );
}

/**
 * A benchmark's rows as reported: what it measured, plus an error row for each declared measurement
 * with a target it did not return (a target nobody measured must not pass by being absent). Rows
 * without a target may be missing: the CPU rows need `/proc`.
 */
export function withMissingRows(
  benchmark: Pick<Benchmark, 'name' | 'expected'>,
  measurements: readonly Measurement[],
): Measurement[] {
  const returned = new Set(measurements.map((m) => m.id));
  const missing = Object.entries(benchmark.expected)
    .filter(([id, target]) => target !== null && !returned.has(id))
    .map(([id, target]) =>
      errorRow(id, `${benchmark.name}: ${id}`, target, `${benchmark.name} returned no ${id} measurement`),
    );
  return [...measurements, ...missing];
}

function errorRow(id: string, title: string, target: Target | null, note: string): Measurement {
  return { id, title, status: 'error', ratio: null, spread: null, samples: 0, target, pass: null, note };
}
