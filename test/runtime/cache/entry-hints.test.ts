import { EntryHints } from '../../../runtime/cache/entry-hints';

describe('EntryHints', () => {
  test('returns what was remembered and forgets on request', () => {
    const hints = new EntryHints();
    hints.remember('k', { chunks: 3, tags: ['a'] });
    expect(hints.get('k')).toMatchObject({ chunks: 3, tags: ['a'] });
    hints.forget('k');
    expect(hints.get('k')).toBeUndefined();
    expect(hints.size).toBe(0);
  });

  test('drops the least recently used key when given more keys than maxEntries', () => {
    const hints = new EntryHints({ maxEntries: 2 });
    hints.remember('a', { chunks: 1, tags: [] });
    hints.remember('b', { chunks: 1, tags: [] });
    hints.get('a');
    hints.remember('c', { chunks: 1, tags: [] });
    expect([hints.get('a'), hints.get('b'), hints.get('c')].map((hint) => hint !== undefined)).toEqual([
      true,
      false,
      true,
    ]);
  });

  test('stays within maxWeight when given keys with many long tags', () => {
    const tags = Array.from({ length: 128 }, (_, i) => String(i).padEnd(256, 'x'));
    const hints = new EntryHints({ maxWeight: 100_000 });
    for (let i = 0; i < 10; i++) hints.remember(`k${i}`, { chunks: 1, tags });
    // Each key weighs ~32,800: three fit.
    expect(hints.size).toBe(3);
    expect(hints.get('k9')).toBeDefined();
    expect(hints.get('k0')).toBeUndefined();
  });

  test('remembers nothing when one key alone exceeds maxWeight', () => {
    const hints = new EntryHints({ maxWeight: 100 });
    hints.remember('k', { chunks: 1, tags: ['x'.repeat(200)] });
    expect(hints.size).toBe(0);
  });

  test('replaces the old hint when a key is remembered again', () => {
    const hints = new EntryHints({ maxEntries: 1 });
    hints.remember('k', { chunks: 1, tags: ['a'] });
    hints.remember('k', { chunks: 2, tags: [] });
    expect(hints.size).toBe(1);
    expect(hints.get('k')).toMatchObject({ chunks: 2, tags: [] });
  });
});
