import { SCHEDULE_EXPRESSION_MAX_LENGTH, toEventBridgeCron } from '../../lib/private/vercel-cron';

// Vercel's cron schedules (https://vercel.com/docs/cron-jobs) as EventBridge Scheduler expressions.
// Besides the expected text, every accepted schedule is checked to fire at the same UTC minutes:
// each side is evaluated by its own small reader below (standard cron for Vercel, EventBridge's
// documented syntax for the translation) over every minute of a day and every day of four years.

function expression(schedule: string): string {
  const result = toEventBridgeCron(schedule);
  if (result.problem !== undefined) throw new Error(`refused ${schedule}: ${result.problem}`);
  return result.expression;
}

function problem(schedule: string): string | undefined {
  return toEventBridgeCron(schedule).problem;
}

// Standard cron, 0-6 = Sunday-Saturday: `*`, `n`, `a-b`, `*/s`, `a-b/s`, `a/s`, lists.
function cronValues(field: string, min: number, max: number): Set<number> {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    const [range, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let [start, end] = range === '*' ? [min, max] : range.split('-').map(Number);
    if (end === undefined) end = stepText === undefined ? start : max;
    for (let v = start; v <= end; v += step) out.add(v);
  }
  return out;
}

// EventBridge's documented forms: `*`, `?`, `n`, `a-b`, `a/s`, lists; day of week 1-7 = SUN-SAT.
function eventBridgeValues(field: string, min: number, max: number): Set<number> | 'any' {
  if (field === '?') return 'any';
  const out = new Set<number>();
  for (const item of field.split(',')) {
    if (item === '*') for (let v = min; v <= max; v++) out.add(v);
    else if (item.includes('/')) {
      const [start, step] = item.split('/').map(Number);
      for (let v = start; v <= max; v += step) out.add(v);
    } else if (item.includes('-')) {
      const [a, b] = item.split('-').map(Number);
      for (let v = a; v <= b; v++) out.add(v);
    } else out.add(Number(item));
  }
  return out;
}

interface Firing {
  minutes: Set<number>;
  hours: Set<number>;
  fires: (day: Date) => boolean;
}

function vercelFiring(schedule: string): Firing {
  const [m, h, dom, mon, dow] = schedule.trim().split(/\s+/);
  const days = cronValues(dom, 1, 31);
  const months = cronValues(mon, 1, 12);
  const weekdays = cronValues(dow, 0, 6);
  return {
    minutes: cronValues(m, 0, 59),
    hours: cronValues(h, 0, 23),
    fires: (d) => months.has(d.getUTCMonth() + 1) && days.has(d.getUTCDate()) && weekdays.has(d.getUTCDay()),
  };
}

function eventBridgeFiring(expr: string): Firing {
  const match = /^cron\((.+)\)$/.exec(expr);
  if (!match) throw new Error(`not a cron expression: ${expr}`);
  const [m, h, dom, mon, dow, year] = match[1].split(' ');
  expect(year).toBe('*');
  // Exactly one of the two day fields is `?`.
  expect([dom, dow].filter((f) => f === '?')).toHaveLength(1);
  expect(dow).not.toContain('/');
  const days = eventBridgeValues(dom, 1, 31);
  const months = eventBridgeValues(mon, 1, 12) as Set<number>;
  const weekdays = eventBridgeValues(dow, 1, 7);
  return {
    minutes: eventBridgeValues(m, 0, 59) as Set<number>,
    hours: eventBridgeValues(h, 0, 23) as Set<number>,
    fires: (d) =>
      months.has(d.getUTCMonth() + 1) &&
      (days === 'any' || days.has(d.getUTCDate())) &&
      (weekdays === 'any' || weekdays.has(d.getUTCDay() + 1)),
  };
}

function expectSameFiringTimes(schedule: string, expr: string): void {
  const vercel = vercelFiring(schedule);
  const aws = eventBridgeFiring(expr);
  expect([...aws.minutes].sort((a, b) => a - b)).toEqual([...vercel.minutes].sort((a, b) => a - b));
  expect([...aws.hours].sort((a, b) => a - b)).toEqual([...vercel.hours].sort((a, b) => a - b));
  // Four years from 2027, a leap year included, day by day.
  for (let t = Date.UTC(2027, 0, 1); t < Date.UTC(2031, 0, 1); t += 86_400_000) {
    const day = new Date(t);
    if (aws.fires(day) !== vercel.fires(day)) {
      throw new Error(`${schedule} → ${expr} differs on ${day.toISOString().slice(0, 10)}`);
    }
  }
}

describe('toEventBridgeCron', () => {
  test.each([
    // Every field form, with `?` put in the day field Vercel leaves at `*`.
    ['* * * * *', 'cron(* * * * ? *)'],
    ['0 5 * * *', 'cron(0 5 * * ? *)'],
    ['5 * * * *', 'cron(5 * * * ? *)'],
    ['*/15 * * * *', 'cron(0/15 * * * ? *)'],
    ['0 */6 * * *', 'cron(0 0/6 * * ? *)'],
    ['0,30 9-17 * * *', 'cron(0,30 9-17 * * ? *)'],
    ['10-50/20 * * * *', 'cron(10,30,50 * * * ? *)'],
    ['7/20 * * * *', 'cron(7/20 * * * ? *)'],
    ['0 0 1 * *', 'cron(0 0 1 * ? *)'],
    ['0 0 1,15 * *', 'cron(0 0 1,15 * ? *)'],
    ['0 0 */2 * *', 'cron(0 0 1/2 * ? *)'],
    ['0 0 10-20 * *', 'cron(0 0 10-20 * ? *)'],
    ['0 0 1-31/10 * *', 'cron(0 0 1,11,21,31 * ? *)'],
    ['0 8 14 2 *', 'cron(0 8 14 2 ? *)'],
    ['0 0 1 */3 *', 'cron(0 0 1 1/3 ? *)'],
    ['0 0 1 1-6 *', 'cron(0 0 1 1-6 ? *)'],
    // Day of week: renumbered (cron 0 = Sunday, EventBridge 1 = SUN), steps listed.
    ['0 9 * * 1-5', 'cron(0 9 ? * 2-6 *)'],
    ['0 9 * * 0', 'cron(0 9 ? * 1 *)'],
    ['0 9 * * 6', 'cron(0 9 ? * 7 *)'],
    ['0 9 * * 0,6', 'cron(0 9 ? * 1,7 *)'],
    ['0 9 * * */2', 'cron(0 9 ? * 1,3,5,7 *)'],
    ['0 9 * * 1-5/2', 'cron(0 9 ? * 2,4,6 *)'],
    ['0 9 * * 0-6', 'cron(0 9 ? * 1-7 *)'],
    ['0 9 * * 1,2,3,5', 'cron(0 9 ? * 2-4,6 *)'],
    ['0 9 * 12 5', 'cron(0 9 ? 12 6 *)'],
    // Extra spaces between fields, as cron reads them.
    ['  0  5 * *   * ', 'cron(0 5 * * ? *)'],
    // A list is written as the values it covers (EventBridge documents values and ranges in one),
    // and as `*` when it covers the whole field.
    ['*,5 * * * *', 'cron(* * * * ? *)'],
    ['0 5,* * * *', 'cron(0 * * * ? *)'],
    ['0 0 *,15 * *', 'cron(0 0 * * ? *)'],
    ['0 0 1 *,3 *', 'cron(0 0 1 * ? *)'],
    ['0-29,30-59 * * * *', 'cron(* * * * ? *)'],
    ['*/15,7 * * * *', 'cron(0,7,15,30,45 * * * ? *)'],
    ['0 0 1 1,*/4 *', 'cron(0 0 1 1,5,9 ? *)'],
    ['5/20,0-2 * * * *', 'cron(0-2,5,25,45 * * * ? *)'],
    ['0 9 * * *,1', 'cron(0 9 ? * 1-7 *)'],
  ])('translates %j to %s with the same firing times', (schedule, expected) => {
    const expr = expression(schedule);
    expect(expr).toBe(expected);
    expectSameFiringTimes(schedule, expr);
  });

  test.each([
    [
      '0 0 * * MON',
      "has the day of week 'MON': names such as 'MON' are not supported by Vercel; use numbers (0-6)",
    ],
    [
      '0 0 1 JAN *',
      "has the month 'JAN': names such as 'JAN' are not supported by Vercel; use numbers (1-12)",
    ],
    [
      '0 0 L * *',
      "has the day of month 'L': 'L' (last day, weekday or nth weekday) is not supported by Vercel",
    ],
    [
      '0 0 15W * *',
      "has the day of month '15W': '15W' (last day, weekday or nth weekday) is not supported by Vercel",
    ],
    [
      '0 0 * * 5L',
      "has the day of week '5L': '5L' (last day, weekday or nth weekday) is not supported by Vercel",
    ],
    ['0 0 * * 1#2', "has the day of week '1#2': '#' is not supported by Vercel; use * or numbers"],
    ['0 0 ? * 1', "has the day of month '?': '?' is not supported by Vercel; use * or numbers"],
    ['60 * * * *', "has the minute '60': 60 is out of range: minute is 0-59"],
    ['0 24 * * *', "has the hour '24': 24 is out of range: hour is 0-23"],
    ['0 0 0 * *', "has the day of month '0': 0 is out of range: day of month is 1-31"],
    ['0 0 1 13 *', "has the month '13': 13 is out of range: month is 1-12"],
    ['0 0 * * 7', "has the day of week '7': 7 is out of range: day of week is 0-6 (0 = Sunday)"],
    ['0 0 * * 5-1', "has the day of week '5-1': the range 5-1 runs backwards"],
    ['*/0 * * * *', "has the minute '*/0': the step 0 must be from 1 to 60"],
    ['0 */25 * * *', "has the hour '*/25': the step 25 must be from 1 to 24"],
    [
      '0 0 1,,2 * *',
      "has the day of month '1,,2': '' is not a cron value (n, a-b, *, */s, a-b/s or a comma list of them)",
    ],
    [
      '0 0 -1 * *',
      "has the day of month '-1': '-1' is not a cron value (n, a-b, *, */s, a-b/s or a comma list of them)",
    ],
    [
      '0 0 1 * * *',
      'has 6 fields; Vercel takes 5 (minute hour day-of-month month day-of-week), with no seconds or year',
    ],
    [
      '0 0 1 *',
      'has 4 fields; Vercel takes 5 (minute hour day-of-month month day-of-week), with no seconds or year',
    ],
  ])('refuses %j: %s', (schedule, reason) => {
    expect(problem(schedule)).toBe(reason);
  });

  test('reads a/s as from a to the end of the field, every s', () => {
    expect(expression('50/5 22/1 * * *')).toBe('cron(50/5 22/1 * * ? *)');
    expectSameFiringTimes('50/5 22/1 * * *', 'cron(50,55 22,23 * * ? *)');
  });

  test("keeps the longest list a schedule can give within EventBridge Scheduler's 256 characters", () => {
    // Every field near its longest list: runs of two values (runs of three or more become ranges).
    // Schedules translate to at most about 240 characters, so the refusal of longer ones in
    // toEventBridgeCron is a guard that no schedule reaches today.
    const schedule = '0-57/3,1-58/3 0-21/3,1-22/3 1-31/3,2-29/3 1-10/3,2-11/3 *';
    const expr = expression(schedule);
    expect(expr.length).toBe(238);
    expect(expr.length).toBeLessThanOrEqual(SCHEDULE_EXPRESSION_MAX_LENGTH);
    expectSameFiringTimes(schedule, expr);
  });

  test('refuses both day of month and day of week, saying why and what to do instead', () => {
    expect(problem('0 0 1 * 1')).toBe(
      "sets both day of month ('1') and day of week ('1'): Vercel refuses that (\"when one has a value, the other must be *\"), and EventBridge Scheduler cannot express standard cron's either-day meaning in one schedule. Set one of them to *, or split the entry into two crons (one per field) for the same path",
    );
    expect(problem('0 0 */2 * 1-5')).toContain("sets both day of month ('*/2') and day of week ('1-5')");
  });
});
