/*
 * How many invocations are between their start and the beginning of their end hooks. Counted by
 * the adapter for every invocation, whether or not a hook is registered (invocation-hooks.ts), so
 * a pool attached in the middle of an invocation still sees it as running.
 */
let inProgress = 0;

/**
 * Invocations between their start and the beginning of their end hooks. On classic Lambda this is 0
 * or 1; 0 means the process is between invocations (and, on AWS, about to be frozen or just thawed).
 */
export function invocationsInProgress(): number {
  return inProgress;
}

/** Called when an invocation starts. */
export function invocationStarted(): void {
  inProgress++;
}

/** Called when an invocation ends, before its end hooks run. */
export function invocationEnded(): void {
  inProgress = Math.max(0, inProgress - 1);
}
