import { interleaved, rotation } from '../../bench/interleave';

describe('rotation', () => {
  test('alternates the order of two variants every round', () => {
    expect(rotation(['a', 'b'], 0)).toEqual(['a', 'b']);
    expect(rotation(['a', 'b'], 1)).toEqual(['b', 'a']);
    expect(rotation(['a', 'b'], 2)).toEqual(['a', 'b']);
  });

  test('gives every variant every position over as many rounds as there are variants, warm-up rounds included', () => {
    expect([-1, 0, 1, 2].map((round) => rotation(['a', 'b', 'c'], round).join(''))).toEqual([
      'cab',
      'abc',
      'bca',
      'cab',
    ]);
  });
});

describe('interleaved', () => {
  test('runs warm-up rounds first and keeps only the recorded rounds, one sample per variant each', async () => {
    const calls: string[] = [];
    const results = await interleaved(
      { rounds: 2, warmupRounds: 1, variants: ['a', 'b'] },
      async (variant, round) => {
        calls.push(`${variant}${round}`);
        return round * 10 + (variant === 'a' ? 1 : 2);
      },
    );
    expect(calls).toEqual(['b-1', 'a-1', 'a0', 'b0', 'b1', 'a1']);
    expect(results).toEqual({ a: [1, 11], b: [2, 12] });
  });

  test('reports each recorded round to onRound', async () => {
    const seen: unknown[] = [];
    await interleaved(
      { rounds: 2, variants: ['x'], onRound: (round, results) => seen.push([round, results.x]) },
      async (_variant, round) => round + 100,
    );
    expect(seen).toEqual([
      [0, 100],
      [1, 101],
    ]);
  });

  test('rejects a round count that is not a positive integer and an empty variant list', async () => {
    const measure = async () => 1;
    await expect(interleaved({ rounds: 0, variants: ['a'] }, measure)).rejects.toThrow(
      'rounds must be a positive integer, got 0',
    );
    await expect(interleaved({ rounds: 1, warmupRounds: -1, variants: ['a'] }, measure)).rejects.toThrow(
      'warmupRounds must be a non-negative integer, got -1',
    );
    await expect(interleaved({ rounds: 1, variants: [] }, measure)).rejects.toThrow('no variants');
  });
});
