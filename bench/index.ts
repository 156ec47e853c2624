import { writeFileSync } from 'node:fs';
import { runCleanups } from './cleanup';
import { BenchUsageError, parseBenchArgs, USAGE } from './cli';
import { describeMachine } from './machine';
import { failedRows, withMissingRows } from './measurement';
import { BENCHMARKS } from './registry';
import { buildReport, formatJson, formatMarkdown, formatTable } from './report';
import type { BenchContext, Measurement } from './types';

/**
 * `npm run bench` — runs the benchmarks, each against its baseline in interleaved rounds, and prints
 * the ratios. Never part of `npm test`: these are measurements, not pass/fail tests of a slow machine.
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
      process.stdout.write(`${benchmark.name.padEnd(9)} ${benchmark.description}\n`);
    return 0;
  }
  const context: BenchContext = {
    samples: options.samples,
    ...(options.rounds !== undefined ? { rounds: options.rounds } : {}),
    log: (message) => process.stderr.write(`${message}\n`),
  };
  if (options.rounds !== undefined) {
    context.log(`--rounds ${options.rounds}: a check of the bench, not numbers to quote`);
  }
  const measurements: Measurement[] = [];
  for (const name of options.benchmarks) {
    const benchmark = BENCHMARKS.find((candidate) => candidate.name === name)!;
    try {
      measurements.push(...withMissingRows(benchmark, await benchmark.run(context)));
    } catch (error) {
      context.log(
        `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      measurements.push(...failedRows(benchmark, error));
    }
  }
  const report = buildReport(measurements, describeMachine());
  if (options.jsonFile !== undefined) {
    writeFileSync(options.jsonFile, formatJson(report));
    context.log(`wrote ${options.jsonFile}`);
  }
  const format = { json: formatJson, markdown: formatMarkdown, table: formatTable }[options.format];
  process.stdout.write(format(report));
  return report.pass ? 0 : 1;
}

/**
 * On Ctrl-C or SIGTERM: stop the functions and DynamoDB Local still running and remove the scratch
 * folders (cleanup.ts), then exit 128 + the signal's number (130, 143). A second signal exits at once.
 */
function exitOnSignals(): void {
  let interrupted = false;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(code);
      interrupted = true;
      process.stderr.write(`\n${signal}: stopping functions and removing scratch folders…\n`);
      runCleanups((error) =>
        process.stderr.write(`cleanup: ${error instanceof Error ? error.message : String(error)}\n`),
      ).finally(() => process.exit(code));
    });
  }
}

exitOnSignals();
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
