import { isWildcard, splitIntoBatches } from '../../../runtime/cdn/batches';

describe('splitIntoBatches', () => {
  test('keeps 1,000 tags in one batch when they fit into 3,000 items', () => {
    const tags = Array.from({ length: 1000 }, (_, i) => `#t${i}`);
    expect(splitIntoBatches(tags)).toEqual([tags]);
  });

  test('puts wildcard paths into batches of their own when mixed with tags and exact paths', () => {
    const items = ['#a', '/x*', '/exact', '#b', '/y/*'];
    expect(splitIntoBatches(items)).toEqual([
      ['#a', '/exact', '#b'],
      ['/x*', '/y/*'],
    ]);
  });

  test('splits at 15 wildcards and at 3,000 items per batch', () => {
    const wildcards = Array.from({ length: 20 }, (_, i) => `/w${i}*`);
    const tags = Array.from({ length: 3500 }, (_, i) => `#t${i}`);
    const batches = splitIntoBatches([...wildcards, ...tags]);
    expect(batches.map((batch) => batch.length)).toEqual([3000, 500, 15, 5]);
    expect(batches.slice(2).flat().every(isWildcard)).toBe(true);
  });
});
