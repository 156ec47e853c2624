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
  /** Rounds for every benchmark that runs rounds, instead of each one's own count. */
  readonly rounds?: number;
  /** Also write the JSON report to this file. */
  readonly jsonFile?: string;
  readonly help: boolean;
  readonly list: boolean;
}

export const USAGE = `Usage: npm run bench -- [benchmark ...] [--json | --markdown] [--json-file <path>]
                        [--samples] [--rounds <n>] [--list] [--help]

Runs the benchmarks named (all of them by default) and prints each measurement: a ratio of two
variants measured in the same run, in interleaved rounds, with its spread, samples, target and
pass/fail.

  --json              print one JSON object (machine, date, every measurement) on stdout
  --markdown          print the README's Performance table
  --json-file <path>  also write that JSON object to <path>, whatever stdout prints
  --samples           keep every raw sample and print them
  --rounds <n>        run n rounds in every benchmark that runs rounds, instead of each one's own
                      count: a quick check that the bench works, not numbers to quote
  --list              list the benchmarks and exit
  --help              show this help

Progress goes to stderr. The exit code is 1 when a measured target is missed or a benchmark fails;
on Ctrl-C (130) or SIGTERM (143) the bench first stops its functions and removes its scratch
folders. npm prints its own "> vercel-functions-aws@… bench" banner on stdout before the bench
starts, so for a clean JSON stdout silence npm (npm run -s bench -- --json) or use --json-file.`;

/**
 * Parses `npm run bench -- …` arguments against the known benchmark names.
 *
 * @throws {BenchUsageError} on an unknown option or benchmark, a repeated benchmark, both
 *   `--json` and `--markdown`, a `--rounds` that is not a positive integer or an empty `--json-file`
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
  let rounds: number | undefined;
  if (values.rounds !== undefined) {
    rounds = Number(values.rounds);
    if (!/^\d+$/.test(values.rounds) || !Number.isSafeInteger(rounds) || rounds < 1) {
      throw new BenchUsageError(`--rounds must be a positive integer, got '${values.rounds}'`);
    }
  }
  if (values['json-file'] !== undefined && values['json-file'].trim() === '') {
    throw new BenchUsageError('--json-file needs a file path');
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
    ...(rounds !== undefined ? { rounds } : {}),
    ...(values['json-file'] !== undefined ? { jsonFile: values['json-file'] } : {}),
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
      rounds: { type: 'string' },
      'json-file': { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
