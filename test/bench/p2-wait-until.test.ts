import * as path from 'node:path';
import { FIXTURES } from '../../bench/bundles';
import { measureWaitUntil } from '../../bench/p2-ttfb-wait-until';
import type { BenchContext, Measurement } from '../../bench/types';

// One recorded round (after P2's two warm-up rounds): enough to judge the invocation's end, which is
// not a timing claim — a slow machine only makes the invocations longer.
const context: BenchContext = { samples: true, rounds: 1, log: () => {} };

const row = (rows: readonly Measurement[], id: string) => rows.find((m) => m.id === id);

describe('P2 measureWaitUntil', () => {
  test('passes the kept-open check when waitUntil holds the invocation until the task ends', async () => {
    const rows = await measureWaitUntil(context, path.join(FIXTURES, 'wait-until.ts'));
    expect(rows.map((m) => m.id)).toEqual(['p2.ttfb', 'p2.ttfb-runtime-api', 'p2.order', 'p2.open']);
    const open = row(rows, 'p2.open')!;
    expect(open).toMatchObject({ status: 'measured', ratio: 1, samples: 1, pass: true });
    expect(open.raw?.['invocation duration (ms)'][0]).toBeGreaterThanOrEqual(1_000);
    expect(open.raw?.['invocation end − task end (ms)'][0]).toBeGreaterThanOrEqual(0);
    expect(row(rows, 'p2.order')?.pass).toBe(true);
  }, 60_000);

  test('fails the kept-open check when the task outlives its invocation (fire and forget)', async () => {
    const rows = await measureWaitUntil(context, path.join(__dirname, 'fixtures', 'fire-and-forget.ts'));
    const open = row(rows, 'p2.open')!;
    expect(open).toMatchObject({ status: 'measured', ratio: 0, pass: false });
    expect(open.note).toMatch(/^0 of 1 invocations ended after their task/);
    expect(open.raw?.['invocation end − task end (ms)'][0]).toBeLessThan(0);
    // The response still came first, so the ordering check alone would have passed it.
    expect(row(rows, 'p2.order')?.pass).toBe(true);
  }, 60_000);
});
