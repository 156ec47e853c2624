import { parseArgs } from 'node:util';

/** A command line the bench cannot run: the message names the problem. */
export class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

export type OutputFormat = 'table' | 'json' | 'markdown';

export interface BenchOptions {
  /** Benchmarks to run, in the order given; every one when none is named. */
  readonly benchmarks: readonly string[];
  readonly format: OutputFormat;
  /** Keep and print the raw samples. */
  readonly samples: boolean;
  readonly help: boolean;
  readonly list: boolean;
}

export const USAGE = `Usage: npm run bench -- [benchmark ...] [--json | --markdown] [--samples] [--list] [--help]

Runs the benchmarks named (all of them by default) and prints each measurement: a ratio of two
variants measured side by side in this run, with its spread, samples, target and pass/fail.

  --json       print one JSON object (machine, date, every measurement) on stdout
  --markdown   print the README's Performance table
  --samples    keep every raw sample and print them
  --list       list the benchmarks and exit
  --help       show this help

Progress goes to stderr. The exit code is 1 when a measured target is missed or a benchmark fails.
For a clean JSON stdout, keep npm's own banner out of it: npm run -s bench -- --json`;

/**
 * Parses `npm run bench -- …` arguments against the known benchmark names.
 *
 * @throws {BenchUsageError} on an unknown option or benchmark, a repeated benchmark, or both
 *   `--json` and `--markdown`
 */
export function parseBenchArgs(args: readonly string[], known: readonly string[]): BenchOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new BenchUsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.json && values.markdown) {
    throw new BenchUsageError('--json and --markdown cannot be combined: choose one output format');
  }
  const seen = new Set<string>();
  for (const name of positionals) {
    if (!known.includes(name)) {
      throw new BenchUsageError(`unknown benchmark '${name}': choose from ${known.join(', ')}`);
    }
    if (seen.has(name)) throw new BenchUsageError(`benchmark '${name}' is named twice`);
    seen.add(name);
  }
  return {
    benchmarks: positionals.length > 0 ? positionals : [...known],
    format: values.json ? 'json' : values.markdown ? 'markdown' : 'table',
    samples: values.samples ?? false,
    help: values.help ?? false,
    list: values.list ?? false,
  };
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      markdown: { type: 'boolean' },
      samples: { type: 'boolean' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
