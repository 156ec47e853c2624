import type { Machine } from './machine';
import { describeTarget } from './measurement';
import type { Measurement } from './types';

/** What one `npm run bench` prints: the same numbers as a table, Markdown or one JSON object. */
export interface BenchReport {
  readonly date: string;
  readonly machine: Machine;
  /** False when a measured target was missed or a benchmark failed; pending rows do not count. */
  readonly pass: boolean;
  readonly counts: {
    readonly passed: number;
    readonly missed: number;
    /** Measured rows without a target. */
    readonly informational: number;
    readonly pending: number;
    readonly errors: number;
  };
  readonly measurements: readonly Measurement[];
}

export function buildReport(
  measurements: readonly Measurement[],
  machine: Machine,
  date = new Date(),
): BenchReport {
  const counts = {
    passed: measurements.filter((m) => m.pass === true).length,
    missed: measurements.filter((m) => m.pass === false).length,
    informational: measurements.filter((m) => m.status === 'measured' && m.pass === null).length,
    pending: measurements.filter((m) => m.status === 'pending').length,
    errors: measurements.filter((m) => m.status === 'error').length,
  };
  return {
    date: date.toISOString(),
    machine,
    pass: counts.missed === 0 && counts.errors === 0,
    counts,
    measurements,
  };
}

export function formatJson(report: BenchReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** A plain-text table, then each row's medians and notes, then (with `--samples`) the raw samples. */
export function formatTable(report: BenchReport): string {
  const header = ['measurement', 'ratio', 'IQR', 'difference', 'target', 'n', 'result'];
  const rows = report.measurements.map((m) => [
    m.id,
    m.ratio === null ? '—' : `${fixed(m.ratio)}×`,
    m.spread ? `${fixed(m.spread[0])}–${fixed(m.spread[1])}` : '—',
    m.difference ? `${signed(m.difference.value)} ${m.difference.unit}` : '—',
    m.target ? `${describeTarget(m.target)}${m.target.on === 'difference' ? ' added' : ''}` : '—',
    String(m.samples),
    result(m),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [
    `vercel-functions-aws bench — ${report.date} — ${machineLine(report.machine)}`,
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
  ];
  for (const m of report.measurements) {
    out.push(`${m.id}: ${m.title}`);
    if (m.medians) {
      const medians = Object.entries(m.medians).map(([label, value]) => `${label} ${round(value)}`);
      out.push(`  medians${m.unit ? ` (${m.unit})` : ''}: ${medians.join(' | ')}`);
    }
    if (m.note) out.push(`  ${m.note}`);
  }
  const withRaw = report.measurements.filter((m) => m.raw);
  if (withRaw.length > 0) {
    out.push('', 'raw samples, in round order:');
    for (const m of withRaw) {
      for (const [label, values] of Object.entries(m.raw ?? {})) {
        out.push(`${m.id} ${label}${m.unit ? ` (${m.unit})` : ''}: ${values.map(round).join(' ')}`);
      }
    }
  }
  const { passed, missed, informational, pending, errors } = report.counts;
  out.push(
    '',
    `${passed} targets met, ${missed} missed, ${informational} informational, ${pending} pending, ${errors} failed to run`,
  );
  return `${out.join('\n')}\n`;
}

/** The README's Performance table. */
export function formatMarkdown(report: BenchReport): string {
  const date = report.date.slice(0, 10);
  const machine = machineLine(report.machine);
  const rows = report.measurements.map((m) => {
    const ratio =
      m.ratio === null
        ? m.status
        : `${fixed(m.ratio)}× (IQR ${m.spread ? `${fixed(m.spread[0])}–${fixed(m.spread[1])}` : '—'})${
            m.difference ? `, ${signed(m.difference.value)} ${m.difference.unit}` : ''
          }`;
    const target = m.target
      ? `${describeTarget(m.target)}${m.target.on === 'difference' ? ' added' : ''}`
      : '—';
    const verdict = m.pass === null ? '' : m.pass ? ' ✅' : ' ❌';
    return `| ${m.title} | ${ratio} | ${target}${verdict} | ${m.samples} | ${date} | ${machine} |`;
  });
  return `${[
    '| measurement | ratio | target | samples | date | machine |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n')}\n`;
}

function result(m: Measurement): string {
  if (m.status === 'pending') return 'pending';
  if (m.status === 'error') return 'ERROR';
  if (m.pass === null) return 'info';
  return m.pass ? 'pass' : 'MISSED';
}

function machineLine(machine: Machine): string {
  return `${machine.cpus} vCPU ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`;
}

function fixed(value: number): string {
  return value.toFixed(Math.abs(value) >= 100 ? 0 : 3);
}

function signed(value: number): string {
  const text = Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : round(value);
  return value >= 0 ? `+${text}` : text;
}

function round(value: number): string {
  return Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 1
      ? value.toFixed(2)
      : value.toFixed(3);
}
