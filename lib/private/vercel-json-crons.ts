import { toEventBridgeCron } from './vercel-cron';
import { describe, isObject, VercelJsonError } from './vercel-json-error';

/** One entry of vercel.json `crons`: a path Vercel would GET on a schedule. */
export interface VercelJsonCron {
  /** The path, as written: starts with `/`, may carry a query (`/api/sync?full=1`). */
  readonly path: string;
  /** The schedule, as written (five cron fields, UTC). */
  readonly schedule: string;
  /** The schedule as an EventBridge Scheduler expression with the same firing times, e.g. `cron(0 5 * * ? *)`. */
  readonly expression: string;
}

// vercel.json `crons`, as Vercel's CLI validates it (vercel/vercel packages/cli/src/util/validate-config.ts,
// cronsSchema): an array of objects with exactly `path` (1 to 512 characters, starting with `/`) and
// `schedule` (9 to 256 characters); the schedule's syntax is vercel-cron.ts's.
const CRON_KEYS: readonly string[] = ['path', 'schedule'];
const CRON_PATH_LENGTH = { min: 1, max: 512 } as const;
const CRON_SCHEDULE_LENGTH = { min: 9, max: 256 } as const;

export function cronEntries(file: string, crons: unknown): VercelJsonCron[] {
  if (!Array.isArray(crons)) {
    throw new VercelJsonError(
      file,
      `crons must be an array of { "path", "schedule" } entries, got ${describe(crons)}`,
    );
  }
  return crons.map((entry, index) => cronEntry(file, `crons[${index}]`, entry));
}

function cronEntry(file: string, field: string, entry: unknown): VercelJsonCron {
  if (!isObject(entry)) {
    throw new VercelJsonError(
      file,
      `${field} must be an object with path and schedule, got ${describe(entry)}`,
    );
  }
  const unknown = Object.keys(entry).find((key) => !CRON_KEYS.includes(key));
  if (unknown !== undefined) {
    throw new VercelJsonError(
      file,
      `${field} has an unknown field '${unknown}' (known: ${CRON_KEYS.join(', ')})`,
    );
  }
  const { path: cronPath, schedule } = entry;
  if (
    typeof cronPath !== 'string' ||
    cronPath.length < CRON_PATH_LENGTH.min ||
    cronPath.length > CRON_PATH_LENGTH.max ||
    !cronPath.startsWith('/')
  ) {
    throw new VercelJsonError(
      file,
      `${field}.path must be a path starting with "/" of at most ${CRON_PATH_LENGTH.max} characters, e.g. "/api/cron", got ${describe(cronPath)}`,
    );
  }
  if (
    typeof schedule !== 'string' ||
    schedule.length < CRON_SCHEDULE_LENGTH.min ||
    schedule.length > CRON_SCHEDULE_LENGTH.max
  ) {
    throw new VercelJsonError(
      file,
      `${field}.schedule must be a cron expression of ${CRON_SCHEDULE_LENGTH.min} to ${CRON_SCHEDULE_LENGTH.max} characters, e.g. "0 5 * * *", got ${describe(schedule)}`,
    );
  }
  // The adapter takes a cron schedule of printable ASCII only (runtime/handler/event.ts), as the
  // x-vercel-cron-schedule header it becomes: a tab or any other character would pass the synth
  // and fail every invocation.
  const outside = /[^ -~]/.exec(schedule);
  if (outside) {
    throw new VercelJsonError(
      file,
      `${field}.schedule ${JSON.stringify(schedule)} holds ${characterName(outside[0])} at position ${outside.index + 1}: write it in printable ASCII, its fields separated by spaces`,
    );
  }
  const translation = toEventBridgeCron(schedule);
  if (translation.problem !== undefined) {
    throw new VercelJsonError(file, `${field}.schedule '${schedule}' ${translation.problem}`);
  }
  return { path: cronPath, schedule, expression: translation.expression };
}

function characterName(character: string): string {
  if (character === '\t') return 'a tab';
  if (character === '\n' || character === '\r') return 'a line break';
  return `the character U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
