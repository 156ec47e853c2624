/**
 * Runs variants in alternating order, round after round (A B, B A, A B, …), so drift on a shared
 * machine — another process waking up, thermal or frequency changes — lands on both sides of a
 * round's comparison instead of on one variant.
 */

export interface InterleaveOptions<K extends string> {
  readonly rounds: number;
  /** Rounds run first and thrown away (JIT warm-up, connection set-up). @default 0 */
  readonly warmupRounds?: number;
  readonly variants: readonly K[];
  /** Called after every recorded round, for progress output. */
  readonly onRound?: (round: number, results: Readonly<Record<K, number>>) => void;
}

/** One sample per variant per round; `result[variant][round]`. */
export async function interleaved<K extends string>(
  options: InterleaveOptions<K>,
  measure: (variant: K, round: number) => Promise<number>,
): Promise<Record<K, number[]>> {
  const { rounds, variants } = options;
  const warmupRounds = options.warmupRounds ?? 0;
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new RangeError(`interleaved: rounds must be a positive integer, got ${rounds}`);
  }
  if (!Number.isInteger(warmupRounds) || warmupRounds < 0) {
    throw new RangeError(`interleaved: warmupRounds must be a non-negative integer, got ${warmupRounds}`);
  }
  if (variants.length === 0) throw new RangeError('interleaved: no variants');
  const results = Object.fromEntries(variants.map((variant) => [variant, [] as number[]])) as Record<
    K,
    number[]
  >;
  // `0 - n`, not `-n`: with no warm-up the first round is +0, never -0.
  for (let round = 0 - warmupRounds; round < rounds; round++) {
    const roundResults = {} as Record<K, number>;
    for (const variant of rotation(variants, round)) {
      roundResults[variant] = await measure(variant, round);
    }
    if (round < 0) continue;
    for (const variant of variants) results[variant].push(roundResults[variant]);
    options.onRound?.(round, roundResults);
  }
  return results;
}

/** The variants in round `round`'s order: rotated by one each round (reversed for two variants). */
export function rotation<K>(variants: readonly K[], round: number): K[] {
  const shift = ((round % variants.length) + variants.length) % variants.length;
  return [...variants.slice(shift), ...variants.slice(0, shift)];
}
