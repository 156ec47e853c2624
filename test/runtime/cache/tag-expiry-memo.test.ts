import { NEVER_EXPIRED, TagExpiryMemo } from '../../../runtime/cache/tag-expiry-memo';

describe('TagExpiryMemo', () => {
  test('trusts an expiry for less than maxAgeMs after it was learnt', () => {
    const memo = new TagExpiryMemo({ maxAgeMs: 300 });
    memo.record('t', 5, 1_000);
    expect(memo.trusted('t', 1_000)).toBe(5);
    expect(memo.trusted('t', 1_299)).toBe(5);
    expect(memo.trusted('t', 1_300)).toBeUndefined();
    expect(memo.trusted('other', 1_000)).toBeUndefined();
  });

  test('remembers a tag that was never expired', () => {
    const memo = new TagExpiryMemo({ maxAgeMs: 300 });
    expect(memo.record('t', NEVER_EXPIRED, 0)).toBe(NEVER_EXPIRED);
    expect(memo.trusted('t', 10)).toBe(NEVER_EXPIRED);
  });

  test('keeps the later expiry when an older read is recorded after a newer one', () => {
    const memo = new TagExpiryMemo({ maxAgeMs: 300 });
    memo.record('t', 2_000, 2_000);
    expect(memo.record('t', NEVER_EXPIRED, 1_990)).toBe(2_000);
    expect(memo.trusted('t', 2_100)).toBe(2_000);
    // The knowledge stays as recent as its most recent source.
    expect(memo.trusted('t', 2_299)).toBe(2_000);
    expect(memo.trusted('t', 2_300)).toBeUndefined();
  });

  test('extends the trust when a later read confirms an older expiry', () => {
    const memo = new TagExpiryMemo({ maxAgeMs: 300 });
    memo.record('t', 100, 1_000);
    memo.record('t', 100, 1_250);
    expect(memo.trusted('t', 1_500)).toBe(100);
  });

  test('reports the latest expiry however old when asked for it', () => {
    const memo = new TagExpiryMemo({ maxAgeMs: 300 });
    memo.record('t', 7, 0);
    expect(memo.trusted('t', 10_000)).toBeUndefined();
    expect(memo.latest('t')).toBe(7);
    expect(memo.latest('other')).toBeUndefined();
  });

  test('remembers nothing when given maxAgeMs 0', () => {
    const memo = new TagExpiryMemo({ maxAgeMs: 0 });
    expect(memo.record('t', 7, 0)).toBe(7);
    expect(memo.trusted('t', 0)).toBeUndefined();
    expect(memo.latest('t')).toBeUndefined();
    expect(memo.size).toBe(0);
  });

  test('drops the least recently used tag when given more tags than maxEntries', () => {
    const memo = new TagExpiryMemo({ maxAgeMs: 300, maxEntries: 2 });
    memo.record('a', 1, 0);
    memo.record('b', 1, 0);
    memo.trusted('a', 0);
    memo.record('c', 1, 0);
    expect(memo.size).toBe(2);
    expect(['a', 'b', 'c'].map((tag) => memo.latest(tag))).toEqual([1, undefined, 1]);
  });

  test('stays within maxWeight when given many long tags', () => {
    const memo = new TagExpiryMemo({ maxAgeMs: 300, maxWeight: 1_000 });
    for (let i = 0; i < 20; i++) memo.record(String(i).padEnd(256, 'x'), 1, 0);
    // Each tag weighs 256 + 64: three fit.
    expect(memo.size).toBe(3);
  });
});
