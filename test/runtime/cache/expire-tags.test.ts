import { expireTagBudgetMs, writeTagsWithin } from '../../../runtime/cache/expire-tags';
import { DEFAULT_CACHE_TIMEOUTS } from '../../../runtime/cache/persistent-cache';

// The store-independent part of expireTag: its budget and the bounded, accounted fan-out of writes.
// The writes here are plain functions; the DynamoDB writes are tested against DynamoDB Local in
// dynamodb-cache.test.ts.

const budget = { base: 2000, perTag: 5, max: 60_000 };
const tags = (count: number) => Array.from({ length: count }, (_, i) => `tag-${i}`);

describe('expireTagBudgetMs', () => {
  test('grants the base budget when given one tag', () => {
    expect(expireTagBudgetMs(1, budget, undefined)).toBe(2000);
  });

  test('adds the per-tag allowance for each tag after the first when given many tags', () => {
    expect(expireTagBudgetMs(1000, budget, undefined)).toBe(2000 + 5 * 999);
  });

  test('stops at the maximum when given more tags than it covers', () => {
    expect(expireTagBudgetMs(100_000, budget, undefined)).toBe(60_000);
  });

  test('keeps the allowance 500 ms short of the invocation deadline when one is near', () => {
    expect(expireTagBudgetMs(5000, budget, 10_000)).toBe(9500);
  });

  test('still grants the base budget when the deadline is closer than it', () => {
    expect(expireTagBudgetMs(5000, budget, 1000)).toBe(2000);
    expect(expireTagBudgetMs(1, budget, 100)).toBe(2000);
  });

  test('matches the documented defaults', () => {
    const defaults = {
      base: DEFAULT_CACHE_TIMEOUTS.expireTag,
      perTag: DEFAULT_CACHE_TIMEOUTS.expireTagPerTag,
      max: DEFAULT_CACHE_TIMEOUTS.expireTagMax,
    };
    expect(expireTagBudgetMs(2000, defaults, undefined)).toBe(2000 + 10 * 1999);
  });
});

describe('writeTagsWithin', () => {
  test('writes every tag, at most `concurrency` at a time, when every write succeeds', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const seen: string[] = [];
    const outcome = await writeTagsWithin(tags(100), 7, new AbortController().signal, async (tag) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(tag);
      inFlight--;
    });
    expect(mostInFlight).toBe(7);
    expect(seen.sort()).toEqual(tags(100).sort());
    expect([...outcome.written].sort()).toEqual(tags(100).sort());
    expect(outcome.unwritten).toEqual([]);
    expect(outcome.reason).toBeUndefined();
  });

  test('stops dispatching and reports the rest with the error when a write fails', async () => {
    const denied = new Error('AccessDeniedException');
    const started: string[] = [];
    const outcome = await writeTagsWithin(tags(50), 1, new AbortController().signal, async (tag) => {
      started.push(tag);
      if (tag === 'tag-3') throw denied;
    });
    expect(started).toEqual(['tag-0', 'tag-1', 'tag-2', 'tag-3']);
    expect(outcome.written).toEqual(['tag-0', 'tag-1', 'tag-2']);
    expect(outcome.unwritten).toEqual(tags(50).slice(3));
    expect(outcome.reason).toBe(denied);
  });

  test('resolves at the abort, counting writes still in flight as unwritten, when a write ignores it', async () => {
    const controller = new AbortController();
    const outcome = writeTagsWithin(tags(10), 3, controller.signal, async (tag) => {
      if (tag === 'tag-5') {
        controller.abort(new Error('budget ran out'));
        // A write that never settles must not hold the call past its budget.
        await new Promise(() => {});
      }
    });
    const { written, unwritten, reason } = await outcome;
    expect(written).toEqual(['tag-0', 'tag-1', 'tag-2', 'tag-3', 'tag-4']);
    expect(unwritten).toEqual(['tag-5', 'tag-6', 'tag-7', 'tag-8', 'tag-9']);
    expect(reason).toEqual(new Error('budget ran out'));
  });

  test('writes nothing and reports every tag when the signal has already aborted', async () => {
    const write = jest.fn(async () => {});
    const outcome = await writeTagsWithin(tags(3), 25, AbortSignal.abort(new Error('late')), write);
    expect(write).not.toHaveBeenCalled();
    expect(outcome).toEqual({ written: [], unwritten: tags(3), reason: new Error('late') });
  });

  test('resolves with nothing to report when given no tags', async () => {
    const outcome = await writeTagsWithin([], 25, new AbortController().signal, async () => {});
    expect(outcome).toEqual({ written: [], unwritten: [] });
  });
});
