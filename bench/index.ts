import { BenchUsageError, parseBenchArgs, USAGE } from './cli';
import { describeMachine } from './machine';
import { failed } from './measurement';
import { BENCHMARKS } from './registry';
import { buildReport, formatJson, formatMarkdown, formatTable } from './report';
import type { BenchContext, Measurement } from './types';

/**
 * `npm run bench` — runs the benchmarks side by side against their baselines and prints the ratios.
 * Never part of `npm test`: these are measurements, not pass/fail tests of a slow machine.
 */
async function main(args: readonly string[]): Promise<number> {
  const options = parseBenchArgs(
    args,
    BENCHMARKS.map((benchmark) => benchmark.name),
  );
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.list) {
    for (const benchmark of BENCHMARKS)
      process.stdout.write(`${benchmark.name.padEnd(6)} ${benchmark.description}\n`);
    return 0;
  }
  const context: BenchContext = {
    samples: options.samples,
    log: (message) => process.stderr.write(`${message}\n`),
  };
  const measurements: Measurement[] = [];
  for (const name of options.benchmarks) {
    const benchmark = BENCHMARKS.find((candidate) => candidate.name === name)!;
    try {
      measurements.push(...(await benchmark.run(context)));
    } catch (error) {
      context.log(
        `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      measurements.push(failed(name, benchmark.description, error));
    }
  }
  const report = buildReport(measurements, describeMachine());
  const format = { json: formatJson, markdown: formatMarkdown, table: formatTable }[options.format];
  process.stdout.write(format(report));
  return report.pass ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof BenchUsageError ? error.message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exitCode = 2;
  },
);
