/** Order statistics for benchmark samples: medians and quartiles resist the outliers a shared machine produces. */

/** The q-quantile (0 ≤ q ≤ 1) with linear interpolation between closest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile: no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be within [0, 1], got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The 25th and 75th percentiles. */
export function interquartile(values: readonly number[]): [number, number] {
  return [quantile(values, 0.25), quantile(values, 0.75)];
}

/** Element-wise `combine(a[i], b[i])` of two equally long sample series (one value per round). */
export function paired(
  a: readonly number[],
  b: readonly number[],
  combine: (a: number, b: number) => number,
): number[] {
  if (a.length !== b.length) {
    throw new RangeError(`paired: the series differ in length (${a.length} and ${b.length})`);
  }
  return a.map((value, i) => combine(value, b[i]));
}
