import { interquartile, median, paired, quantile } from '../../bench/stats';

describe('quantile', () => {
  test('interpolates between the closest ranks when the position falls between two samples', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(quantile([1, 2], 0.75)).toBe(1.75);
  });

  test('returns the single sample for any q when there is one sample', () => {
    expect(quantile([7], 0)).toBe(7);
    expect(quantile([7], 1)).toBe(7);
  });

  test('does not reorder the caller’s array when it sorts', () => {
    const values = [3, 1, 2];
    quantile(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
  });

  test('throws a RangeError naming the problem when there are no values or q is outside [0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow(new RangeError('quantile: no values'));
    expect(() => quantile([1], 1.5)).toThrow('q must be within [0, 1], got 1.5');
    expect(() => quantile([1], Number.NaN)).toThrow('got NaN');
  });
});

describe('median and interquartile', () => {
  test('ignore one outlier that a mean would follow', () => {
    const values = [10, 11, 9, 10, 500];
    expect(median(values)).toBe(10);
    expect(interquartile(values)).toEqual([10, 11]);
  });
});

describe('paired', () => {
  test('combines the two series round by round', () => {
    expect(paired([2, 9], [1, 3], (a, b) => a / b)).toEqual([2, 3]);
  });

  test('throws when the series differ in length, because rounds would no longer pair up', () => {
    expect(() => paired([1, 2], [1], (a, b) => a - b)).toThrow('the series differ in length (2 and 1)');
  });
});
