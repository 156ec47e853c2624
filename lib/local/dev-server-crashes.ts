import { UncaughtExceptionError, UnhandledRejectionError } from './dev-server-errors';
import { currentInvocation } from './invoke';

// On Lambda, an unhandled rejection or an exception thrown from a timer or callback ends the
// execution environment: that invocation fails, and the next one starts in a fresh process. The dev
// server runs every function in its own process, where Node's default — print the error and exit —
// would take the server down, with the requests in flight unanswered. So while a dev server runs,
// such an error fails the invocation it came from (Node 24 calls these listeners in the async
// context of the failing code, which is how invoke.ts's currentInvocation() finds it) and the
// process keeps serving. Errors outside any invocation are only logged.

interface Watcher {
  readonly log: (line: string) => void;
}

// Process-wide, like the listeners themselves: one pair for every dev server in the process.
const watchers = new Set<Watcher>();

/**
 * Keeps the process alive through functions' unhandled rejections and uncaught exceptions until the
 * returned function is called. Errors that belong to no invocation go to `log`.
 */
export function survivesFunctionCrashes(log: (line: string) => void): () => void {
  const watcher: Watcher = { log };
  if (watchers.size === 0) {
    process.on('unhandledRejection', onUnhandledRejection);
    process.on('uncaughtException', onUncaughtException);
  }
  watchers.add(watcher);
  return () => {
    if (!watchers.delete(watcher) || watchers.size > 0) return;
    process.off('unhandledRejection', onUnhandledRejection);
    process.off('uncaughtException', onUncaughtException);
  };
}

function onUnhandledRejection(reason: unknown): void {
  report(new UnhandledRejectionError(reason));
}

function onUncaughtException(error: unknown): void {
  report(new UncaughtExceptionError(error));
}

function report(error: Error): void {
  const invocation = currentInvocation();
  if (invocation) {
    // Logged by the invocation as its "Invoke Error", with its request id, by the server it belongs to.
    invocation.fail(error);
    return;
  }
  for (const { log } of watchers) log(`Outside any invocation: ${error.stack ?? error.message}`);
}
