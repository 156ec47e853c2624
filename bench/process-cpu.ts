import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system, all threads) a process has used so far, from Linux `/proc/<pid>/stat`.
 * It measures the function's own work independently of how busy the load generator is.
 */

let ticksPerSecond: number | undefined;

/** Milliseconds of CPU the process has used, or `undefined` where `/proc` is unavailable. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (the command) is parenthesised and may contain spaces: count fields after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, i.e. 11 and 12 after the command.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / clockTicksPerSecond()) * 1000;
}

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      // Linux has reported 100 (USER_HZ) on every common architecture for decades.
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}
