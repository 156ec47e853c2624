/**
 * The shapes every benchmark shares. A benchmark returns measurements; each measurement is a ratio
 * of two things measured side by side in the same run (never an absolute time), optionally with the
 * paired difference the issue states a target on (bytes, milliseconds).
 */

/** What a target constrains: the ratio, or the paired difference (A − B). */
export type TargetSubject = 'ratio' | 'difference';

export interface Target {
  readonly on: TargetSubject;
  readonly op: '<=' | '>=' | '==';
  readonly value: number;
  /** Unit of `value`: `'x'` for ratios, else the difference's unit. */
  readonly unit: string;
}

/** A paired difference A − B (median of the per-round differences), e.g. bytes or ms added. */
export interface Difference {
  readonly value: number;
  readonly unit: string;
  /** Interquartile range of the per-round differences. */
  readonly spread: readonly [number, number];
}

export interface Measurement {
  /** Stable id for scripts, e.g. `'p1.rps'`. */
  readonly id: string;
  /** What is compared, for the table: `'P1 requests/s, adapter ÷ bare'`. */
  readonly title: string;
  /**
   * `'pending'`: not measurable yet in this tree, `note` says what is missing. `'error'`: the
   * benchmark failed, `note` holds the error.
   */
  readonly status: 'measured' | 'pending' | 'error';
  /** A ÷ B, estimated as `estimator` says. `null` unless measured. */
  readonly ratio: number | null;
  /**
   * How `ratio` was estimated: the median of the per-round ratios (rounds of many requests each),
   * or the ratio of the two medians (rounds of a single noisy sample each, where a per-round ratio
   * would mostly measure noise).
   */
  readonly estimator?: 'median of per-round ratios' | 'ratio of medians';
  /** Interquartile range of the per-round ratios. */
  readonly spread: readonly [number, number] | null;
  readonly difference?: Difference;
  /** Paired samples (rounds) behind the ratio. */
  readonly samples: number;
  /** Median of each side, in `unit`, labelled by variant. */
  readonly medians?: Readonly<Record<string, number>>;
  readonly unit?: string;
  readonly target: Target | null;
  /** `null` without a target or unless measured. */
  readonly pass: boolean | null;
  readonly note?: string;
  /** Every raw sample per variant (only with `--samples`). */
  readonly raw?: Readonly<Record<string, readonly number[]>>;
}

export interface BenchContext {
  /** Keep raw samples in the measurements and print them. */
  readonly samples: boolean;
  /**
   * Rounds for every benchmark that runs rounds (`--rounds`), instead of each one's own count: a
   * quick check of the bench itself, not a measurement to quote.
   */
  readonly rounds?: number;
  /** Progress for the reader, on stderr (stdout carries the result). */
  log(message: string): void;
}

export interface Benchmark {
  /** Name on the command line, e.g. `'p1'`. */
  readonly name: string;
  readonly description: string;
  /**
   * Every measurement id the benchmark reports, with its target: when the benchmark fails, each
   * still gets a row (status `'error'`), so a script reading `--json` finds the ids it looks for.
   */
  readonly expected: Readonly<Record<string, Target | null>>;
  run(context: BenchContext): Promise<Measurement[]>;
}
