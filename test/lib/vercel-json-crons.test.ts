import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readVercelJson, VercelJsonError } from '../../lib/private/vercel-json';

// vercel.json `crons` as Vercel's CLI validates it (vercel/vercel packages/cli/src/util/validate-config.ts,
// cronsSchema), the schedules translated by lib/private/vercel-cron.ts (tested on its own).

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function write(crons: unknown): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'vercel-json-crons-'));
  folders.push(dir);
  const file = path.join(dir, 'vercel.json');
  writeFileSync(file, JSON.stringify({ crons }));
  return { dir, file };
}

function errorFor(crons: unknown): { file: string; error: unknown } {
  const { dir, file } = write(crons);
  try {
    readVercelJson(dir);
  } catch (error) {
    return { file, error };
  }
  throw new Error('readVercelJson did not throw');
}

describe('readVercelJson crons', () => {
  test('reads each entry in file order with its EventBridge Scheduler expression', () => {
    const { dir } = write([
      { path: '/api/cron/daily', schedule: '0 5 * * *' },
      { path: '/api/sync?team=T0CAQ10TZ', schedule: '*/10 * * * 1-5' },
    ]);
    const json = readVercelJson(dir)!;
    expect(json.crons).toEqual([
      { path: '/api/cron/daily', schedule: '0 5 * * *', expression: 'cron(0 5 * * ? *)' },
      { path: '/api/sync?team=T0CAQ10TZ', schedule: '*/10 * * * 1-5', expression: 'cron(0/10 * ? * 2-6 *)' },
    ]);
    expect(json.ignoredKeys).toEqual([]);
  });

  test('has no entries when the file sets no crons, or an empty array', () => {
    const { dir } = write([]);
    expect(readVercelJson(dir)!.crons).toEqual([]);
  });

  test.each([
    [{ path: '/api/a' }, 'crons must be an array of { "path", "schedule" } entries, got {"path":"/api/a"}'],
    ['0 5 * * *', 'crons must be an array of { "path", "schedule" } entries, got "0 5 * * *"'],
    [['/api/a'], 'crons[0] must be an object with path and schedule, got "/api/a"'],
    [[null], 'crons[0] must be an object with path and schedule, got null'],
    [
      [{ path: '/api/a', schedule: '0 5 * * *', timeZone: 'Europe/Berlin' }],
      "crons[0] has an unknown field 'timeZone' (known: path, schedule)",
    ],
    [
      [{ schedule: '0 5 * * *' }],
      'crons[0].path must be a path starting with "/" of at most 512 characters, e.g. "/api/cron", got undefined',
    ],
    [
      [{ path: 'api/a', schedule: '0 5 * * *' }],
      'crons[0].path must be a path starting with "/" of at most 512 characters, e.g. "/api/cron", got "api/a"',
    ],
    [
      [{ path: 7, schedule: '0 5 * * *' }],
      'crons[0].path must be a path starting with "/" of at most 512 characters, e.g. "/api/cron", got 7',
    ],
    [
      [
        { path: '/api/a', schedule: '0 5 * * *' },
        { path: '/api/b', schedule: '* * *' },
      ],
      'crons[1].schedule must be a cron expression of 9 to 256 characters, e.g. "0 5 * * *", got "* * *"',
    ],
    [
      [{ path: '/api/a' }],
      'crons[0].schedule must be a cron expression of 9 to 256 characters, e.g. "0 5 * * *", got undefined',
    ],
    [
      [{ path: '/api/a', schedule: '0 9 * * MON' }],
      "crons[0].schedule '0 9 * * MON' has the day of week 'MON': names such as 'MON' are not supported by Vercel; use numbers (0-6)",
    ],
    [
      [{ path: '/api/a', schedule: '0 9 1 * 1' }],
      "crons[0].schedule '0 9 1 * 1' sets both day of month ('1') and day of week ('1'): Vercel refuses that",
    ],
  ])('refuses crons %j, naming the file, the entry and the field', (crons, message) => {
    const { file, error } = errorFor(crons);
    expect(error).toBeInstanceOf(VercelJsonError);
    expect((error as VercelJsonError).name).toBe('VercelJsonError');
    expect((error as VercelJsonError).file).toBe(file);
    expect((error as Error).message.startsWith(`${file}: ${message}`)).toBe(true);
  });

  test.each([
    ['0\t5 * * *', 'holds a tab at position 2'],
    ['0 5 * *\n*', 'holds a line break at position 8'],
    ['0\u00a05 * * *', 'holds the character U+00A0 at position 2'],
    ['0 5 * * *\u3000', 'holds the character U+3000 at position 10'],
  ])('refuses the schedule %j, which the adapter would refuse at every invocation', (schedule, what) => {
    const { file, error } = errorFor([{ path: '/api/a', schedule }]);
    expect(error).toBeInstanceOf(VercelJsonError);
    expect((error as Error).message).toBe(
      `${file}: crons[0].schedule ${JSON.stringify(schedule)} ${what}: write it in printable ASCII, its fields separated by spaces`,
    );
  });

  test('refuses a path longer than 512 characters, as Vercel does', () => {
    const { error } = errorFor([{ path: `/${'a'.repeat(512)}`, schedule: '0 5 * * *' }]);
    expect((error as Error).message).toContain(
      'crons[0].path must be a path starting with "/" of at most 512',
    );
  });
});
