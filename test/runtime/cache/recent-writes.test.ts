import { READ_YOUR_WRITES_WINDOW_MS, RecentWrites } from '../../../runtime/cache/recent-writes';

describe('RecentWrites', () => {
  test('reports a key as recent until the window has passed', () => {
    const writes = new RecentWrites();
    writes.record('k', 1_000);
    expect(writes.isRecent('k', 1_000)).toBe(true);
    expect(writes.isRecent('k', 1_000 + READ_YOUR_WRITES_WINDOW_MS - 1)).toBe(true);
    expect(writes.isRecent('k', 1_000 + READ_YOUR_WRITES_WINDOW_MS)).toBe(false);
    expect(writes.isRecent('other', 1_000)).toBe(false);
  });

  test('forgets a key once it was looked up past its window', () => {
    const writes = new RecentWrites({ windowMs: 10 });
    writes.record('k', 0);
    expect(writes.size).toBe(1);
    expect(writes.isRecent('k', 10)).toBe(false);
    expect(writes.size).toBe(0);
  });

  test('restarts the window when a key is written again', () => {
    const writes = new RecentWrites({ windowMs: 10 });
    writes.record('k', 0);
    writes.record('k', 8);
    expect(writes.isRecent('k', 15)).toBe(true);
  });

  test('drops the oldest writes when given more keys than maxEntries', () => {
    const writes = new RecentWrites({ maxEntries: 2 });
    writes.record('a', 0);
    writes.record('b', 1);
    // A read does not make an old write newer.
    expect(writes.isRecent('a', 2)).toBe(true);
    writes.record('c', 3);
    expect(writes.size).toBe(2);
    expect(['a', 'b', 'c'].map((key) => writes.isRecent(key, 4))).toEqual([false, true, true]);
  });

  test('stays within maxWeight when given long keys', () => {
    const writes = new RecentWrites({ maxWeight: 10_000 });
    for (let i = 0; i < 10; i++) writes.record(`${i}`.padEnd(2048, 'k'), i);
    // Each key weighs 2,112: four fit.
    expect(writes.size).toBe(4);
    expect(writes.isRecent('9'.padEnd(2048, 'k'), 10)).toBe(true);
    expect(writes.isRecent('0'.padEnd(2048, 'k'), 10)).toBe(false);
  });
});
