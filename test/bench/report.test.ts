import type { Machine } from '../../bench/machine';
import { compare, failedRows, pending } from '../../bench/measurement';
import { buildReport, formatJson, formatMarkdown, formatTable } from '../../bench/report';
import type { BenchContext } from '../../bench/types';

const machine: Machine = { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 23, node: 'v24.21.0', os: 'Linux x64' };
const context: BenchContext = { samples: true, log: () => {} };
const date = new Date('2026-06-01T12:00:00Z');

const met = compare(
  context,
  { a: { label: 'ours', values: [95, 96] }, b: { label: 'bare', values: [100, 100] }, unit: 'req/s' },
  { id: 'p1.rps', title: 'P1 requests/s', target: { on: 'ratio', op: '>=', value: 0.9, unit: 'x' } },
);
const missed = compare(
  context,
  { a: { label: 'ours', values: [2] }, b: { label: 'bare', values: [1] }, unit: 'ms' },
  { id: 'p2.ttfb', title: 'P2 TTFB', target: { on: 'ratio', op: '<=', value: 1.05, unit: 'x' } },
);
const waiting = pending('p3.hit', 'P3 hit', { on: 'ratio', op: '<=', value: 1.25, unit: 'x' }, 'pending: F1');

describe('buildReport', () => {
  test('passes when every measured target is met, whatever is pending', () => {
    const report = buildReport([met, waiting], machine, date);
    expect(report.pass).toBe(true);
    expect(report.counts).toEqual({ passed: 1, missed: 0, informational: 0, pending: 1, errors: 0 });
    expect(report.date).toBe('2026-06-01T12:00:00.000Z');
  });

  test('fails when a target is missed or a benchmark failed to run', () => {
    expect(buildReport([met, missed], machine, date).pass).toBe(false);
    expect(
      buildReport(
        [
          met,
          ...failedRows(
            { name: 'p5', description: 'cold start', expected: { 'p5.bytes': null } },
            new Error('esbuild broke'),
          ),
        ],
        machine,
        date,
      ),
    ).toMatchObject({
      pass: false,
      counts: { errors: 1 },
    });
  });
});

describe('formatJson', () => {
  test('prints one JSON object carrying each measurement’s ratio, samples, target and verdict', () => {
    const parsed = JSON.parse(formatJson(buildReport([met, missed, waiting], machine, date)));
    expect(parsed.machine).toEqual(machine);
    expect(
      parsed.measurements.map(
        (m: { id: string; ratio: number | null; samples: number; pass: boolean | null }) => [
          m.id,
          m.ratio,
          m.samples,
          m.pass,
        ],
      ),
    ).toEqual([
      ['p1.rps', 0.955, 2, true],
      ['p2.ttfb', 2, 1, false],
      ['p3.hit', null, 0, null],
    ]);
    expect(parsed.measurements[0].target).toEqual({ on: 'ratio', op: '>=', value: 0.9, unit: 'x' });
  });
});

describe('formatTable', () => {
  test('shows each row’s verdict, the medians and the raw samples', () => {
    const text = formatTable(buildReport([met, missed, waiting], machine, date));
    expect(text).toMatch(/p1\.rps\s+0\.955×\s+0\.952–0\.958\s+—\s+≥ 0\.90×\s+2\s+pass/);
    expect(text).toMatch(/p2\.ttfb\s+2\.000×.*MISSED/);
    expect(text).toMatch(/p3\.hit\s+—.*pending/);
    expect(text).toContain('medians (req/s): ours 95.50 | bare 100');
    expect(text).toContain('p1.rps ours (req/s): 95.00 96.00');
    expect(text).toContain('1 targets met, 1 missed, 0 informational, 1 pending, 0 failed to run');
  });
});

describe('formatMarkdown', () => {
  test('prints a README table row per measurement with the date and machine', () => {
    const lines = formatMarkdown(buildReport([met, waiting], machine, date))
      .trim()
      .split('\n');
    expect(lines[0]).toBe('| measurement | ratio | target | samples | date | machine |');
    expect(lines[2]).toBe(
      '| P1 requests/s | 0.955× (IQR 0.952–0.958) | ≥ 0.90× ✅ | 2 | 2026-06-01 | 2 vCPU Test CPU, 23 GiB, Node v24.21.0 |',
    );
    expect(lines[3]).toContain('| P3 hit | pending | ≤ 1.25× | 0 |');
  });
});
