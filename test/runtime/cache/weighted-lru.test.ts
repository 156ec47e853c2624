import { WeightedLru } from '../../../runtime/cache/weighted-lru';

describe('WeightedLru', () => {
  test('evicts the least recently read value when given more values than maxEntries', () => {
    const lru = new WeightedLru<number>({ maxEntries: 2, maxWeight: 100 });
    lru.set('a', 1, 1);
    lru.set('b', 2, 1);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3, 1);
    expect([lru.peek('a'), lru.peek('b'), lru.peek('c')]).toEqual([1, undefined, 3]);
  });

  test('leaves recency alone when a value is peeked', () => {
    const lru = new WeightedLru<number>({ maxEntries: 2, maxWeight: 100 });
    lru.set('a', 1, 1);
    lru.set('b', 2, 1);
    expect(lru.peek('a')).toBe(1);
    lru.set('c', 3, 1);
    expect(lru.peek('a')).toBeUndefined();
  });

  test('evicts until the total weight fits when given a heavy value', () => {
    const lru = new WeightedLru<string>({ maxEntries: 100, maxWeight: 10 });
    lru.set('a', 'a', 4);
    lru.set('b', 'b', 4);
    lru.set('c', 'c', 6);
    expect([lru.peek('a'), lru.peek('b'), lru.peek('c')]).toEqual([undefined, 'b', 'c']);
  });

  test('keeps nothing for a key when its value alone exceeds maxWeight', () => {
    const lru = new WeightedLru<string>({ maxEntries: 100, maxWeight: 10 });
    lru.set('k', 'small', 1);
    lru.set('k', 'huge', 11);
    expect(lru.peek('k')).toBeUndefined();
    expect(lru.size).toBe(0);
  });

  test('frees the weight of a deleted value', () => {
    const lru = new WeightedLru<string>({ maxEntries: 100, maxWeight: 10 });
    lru.set('a', 'a', 8);
    lru.delete('a');
    lru.set('b', 'b', 8);
    expect(lru.peek('b')).toBe('b');
    expect(lru.size).toBe(1);
  });
});
