// A vercel.json `crons` schedule as an EventBridge Scheduler cron expression with the same firing
// times, both in UTC.
//
// Vercel (https://vercel.com/docs/cron-jobs, "Cron expressions" and "Cron expression limitations"):
// five fields — minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-6 (Sunday to
// Saturday); no names (`MON`, `JAN`); day of month and day of week cannot both be set ("when one
// has a value, the other must be `*`"); always UTC. Its CLI schema (vercel/vercel
// packages/cli/src/util/validate-config.ts, cronsSchema) takes schedules of 9 to 256 characters.
// The forms read here are the ones standard cron gives those fields: `*`, `n`, `a-b`, `*/s`,
// `a-b/s`, `a/s`, and comma lists of them; anything else (`L`, `W`, `#`, `?`, names) is refused,
// as Vercel documents no more. Vercel documents no meaning for `a/s`, and crons differ on it (some
// read it as `a` alone): it is read here as from a to the field's end, every s, the meaning
// EventBridge gives its own `a/s`.
//
// EventBridge Scheduler (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html):
// `cron(minutes hours day-of-month month day-of-week year)`; day of week 1-7 = SUN-SAT and takes
// no `/`; exactly one of day of month and day of week is `?`. Step ranges (`a-b/s`) are not
// documented, so they are written out as lists; `*/s` becomes the documented `first/s`. A list is
// documented as values and ranges only, so a field of several items is written as the values they
// cover, runs as ranges, or `*` when that is every value (`*,5`).
// CreateSchedule takes a ScheduleExpression of at most 256 characters
// (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html, "Length
// Constraints"). Lists written out stay under it today (the longest a schedule gives is about
// 240 characters: runs of two values in every field), but a longer expression is refused here
// rather than at deploy time, should the translation change.

/** The outcome of {@link toEventBridgeCron}: the expression, or why the schedule cannot be one. */
export type CronTranslation =
  | { readonly expression: string; readonly problem?: undefined }
  | { readonly expression?: undefined; readonly problem: string };

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 6 },
];
const [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK] = FIELDS;

/** The longest ScheduleExpression EventBridge Scheduler's CreateSchedule takes. */
export const SCHEDULE_EXPRESSION_MAX_LENGTH = 256;

// `*`, `n`, `a-b`, each with an optional `/step`.
const ITEM = /^(?:(\*)|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/;

/** A field item, parsed: the values it starts and ends at, its step, and how it was written. */
interface Item {
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly form: 'all' | 'value' | 'range' | 'open';
}

class CronFieldProblem extends Error {
  override readonly name = 'CronFieldProblem';
}

/**
 * Translates a Vercel cron schedule (`0 5 * * 1-5`) into an EventBridge Scheduler expression
 * (`cron(0 5 ? * 2-6 *)`) that fires at the same UTC minutes.
 */
export function toEventBridgeCron(schedule: string): CronTranslation {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) {
    return {
      problem: `has ${fields.length} field${fields.length === 1 ? '' : 's'}; Vercel takes 5 (minute hour day-of-month month day-of-week), with no seconds or year`,
    };
  }
  try {
    const items = fields.map((field, i) => parseField(field, FIELDS[i]));
    const [dom, dow] = [fields[2], fields[4]];
    if (dom !== '*' && dow !== '*') {
      return {
        problem: `sets both day of month ('${dom}') and day of week ('${dow}'): Vercel refuses that ("when one has a value, the other must be *"), and EventBridge Scheduler cannot express standard cron's either-day meaning in one schedule. Set one of them to *, or split the entry into two crons (one per field) for the same path`,
      };
    }
    const minute = translateField(items[0], MINUTE);
    const hour = translateField(items[1], HOUR);
    const month = translateField(items[3], MONTH);
    // EventBridge wants `?` in exactly one of the two day fields; `*` in Vercel's means "any day".
    const dayOfMonth = dom === '*' && dow !== '*' ? '?' : translateField(items[2], DAY_OF_MONTH);
    const dayOfWeek = dow === '*' ? '?' : translateDayOfWeek(items[4]);
    const expression = `cron(${minute} ${hour} ${dayOfMonth} ${month} ${dayOfWeek} *)`;
    if (expression.length > SCHEDULE_EXPRESSION_MAX_LENGTH) {
      return {
        problem: `becomes the EventBridge Scheduler expression '${expression}' of ${expression.length} characters, over its limit of ${SCHEDULE_EXPRESSION_MAX_LENGTH}: simplify the schedule (fewer list items, or ranges such as 0-30 instead of single values)`,
      };
    }
    return { expression };
  } catch (error) {
    if (error instanceof CronFieldProblem) return { problem: error.message };
    throw error;
  }
}

function parseField(field: string, spec: FieldSpec): Item[] {
  return field.split(',').map((text) => parseItem(text, field, spec));
}

function parseItem(text: string, field: string, spec: FieldSpec): Item {
  const problem = (why: string) => new CronFieldProblem(`has the ${spec.name} '${field}': ${why}`);
  if (/[a-z]/i.test(text)) {
    const special = /^(?:L|W|LW|\d+[LW]|\d*#\d+|\d+L)$/i.test(text);
    throw problem(
      special
        ? `'${text}' (last day, weekday or nth weekday) is not supported by Vercel`
        : `names such as '${text}' are not supported by Vercel; use numbers (${spec.min}-${spec.max})`,
    );
  }
  if (text.includes('?') || text.includes('#')) {
    throw problem(`'${text.includes('?') ? '?' : '#'}' is not supported by Vercel; use * or numbers`);
  }
  const match = ITEM.exec(text);
  if (!match) throw problem(`'${text}' is not a cron value (n, a-b, *, */s, a-b/s or a comma list of them)`);
  const [, star, from, to, stepText] = match;
  const step = stepText === undefined ? 1 : Number(stepText);
  const start = star ? spec.min : Number(from);
  const end = star || (to === undefined && stepText !== undefined) ? spec.max : Number(to ?? from);
  for (const value of [start, end]) {
    if (value < spec.min || value > spec.max) {
      throw problem(
        `${value} is out of range: ${spec.name} is ${spec.min}-${spec.max}${spec === DAY_OF_WEEK ? ' (0 = Sunday)' : ''}`,
      );
    }
  }
  if (start > end) throw problem(`the range ${start}-${end} runs backwards`);
  if (step < 1 || step > spec.max - spec.min + 1) {
    throw problem(`the step ${stepText} must be from 1 to ${spec.max - spec.min + 1}`);
  }
  const form = star ? 'all' : to !== undefined ? 'range' : stepText !== undefined ? 'open' : 'value';
  return { start, end, step, form };
}

function translateField(items: readonly Item[], spec: FieldSpec): string {
  if (items.length === 1) return translateItem(items[0], spec);
  const covered = union(items);
  return covered.length === spec.max - spec.min + 1 ? '*' : list(covered);
}

function translateItem(item: Item, spec: FieldSpec): string {
  if (item.form === 'all') return item.step === 1 ? '*' : `${spec.min}/${item.step}`;
  if (item.form === 'value') return String(item.start);
  if (item.form === 'open') return `${item.start}/${item.step}`;
  if (item.step === 1) return `${item.start}-${item.end}`;
  return values(item).join(',');
}

// Day of week takes no `/` on EventBridge, and counts 1-7 from Sunday where cron counts 0-6: the
// days are listed, renumbered, with runs written as ranges.
function translateDayOfWeek(items: readonly Item[]): string {
  return list(union(items).map((day) => day + 1));
}

/** The values the items cover, ascending, each once. */
function union(items: readonly Item[]): number[] {
  return [...new Set(items.flatMap(values))].sort((a, b) => a - b);
}

/** Ascending values as an EventBridge list, runs of three or more as ranges: `1,3-5`. */
function list(sorted: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

function values(item: Item): number[] {
  const out: number[] = [];
  for (let value = item.start; value <= item.end; value += item.step) out.push(value);
  return out;
}
