import { BenchUsageError, parseBenchArgs } from '../../bench/cli';

const KNOWN = ['p1', 'p2', 'p5'];

describe('parseBenchArgs', () => {
  test('runs every benchmark as a table when nothing is named', () => {
    expect(parseBenchArgs([], KNOWN)).toEqual({
      benchmarks: ['p1', 'p2', 'p5'],
      format: 'table',
      samples: false,
      help: false,
      list: false,
    });
  });

  test('runs only the named benchmarks, in the order given, with the output options', () => {
    expect(parseBenchArgs(['p5', 'p1', '--json', '--samples'], KNOWN)).toMatchObject({
      benchmarks: ['p5', 'p1'],
      format: 'json',
      samples: true,
    });
    expect(parseBenchArgs(['--markdown'], KNOWN).format).toBe('markdown');
  });

  test('rejects an unknown benchmark with the list of known ones', () => {
    expect(() => parseBenchArgs(['p9'], KNOWN)).toThrow(
      new BenchUsageError("unknown benchmark 'p9': choose from p1, p2, p5"),
    );
  });

  test('rejects an unknown option, a repeated benchmark and two output formats', () => {
    expect(() => parseBenchArgs(['--fast'], KNOWN)).toThrow(
      /Unknown option '--fast'[\s\S]*Usage: npm run bench/,
    );
    expect(() => parseBenchArgs(['p1', 'p1'], KNOWN)).toThrow("benchmark 'p1' is named twice");
    expect(() => parseBenchArgs(['--json', '--markdown'], KNOWN)).toThrow(
      '--json and --markdown cannot be combined',
    );
  });

  test('takes a round count for a quick check and a file for the JSON report', () => {
    expect(parseBenchArgs(['p1', '--rounds', '3', '--json-file', '/tmp/bench.json'], KNOWN)).toMatchObject({
      benchmarks: ['p1'],
      format: 'table',
      rounds: 3,
      jsonFile: '/tmp/bench.json',
    });
    expect(parseBenchArgs([], KNOWN)).not.toHaveProperty('rounds');
    expect(parseBenchArgs([], KNOWN)).not.toHaveProperty('jsonFile');
  });

  test('rejects a round count that is not a positive integer, and an empty JSON file path', () => {
    for (const rounds of ['0', '-2', '1.5', 'ten', '']) {
      expect(() => parseBenchArgs([`--rounds=${rounds}`], KNOWN)).toThrow(
        new BenchUsageError(`--rounds must be a positive integer, got '${rounds}'`),
      );
    }
    expect(() => parseBenchArgs(['--json-file', ' '], KNOWN)).toThrow('--json-file needs a file path');
  });
});
