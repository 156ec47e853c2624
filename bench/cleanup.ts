/**
 * What an interrupted bench must undo: scratch folders under the temp dir, function runtimes,
 * DynamoDB Local. Each is registered while it exists and unregistered once its owner cleaned it up
 * (in its own `finally`); on Ctrl-C or SIGTERM the runner calls {@link runCleanups} for the rest.
 * Process-wide on purpose: the bench is one CLI process, and a signal handler has nothing else to
 * reach them through.
 */

type Cleanup = () => void | Promise<void>;

const pending = new Set<{ readonly run: Cleanup }>();

/** Registers `cleanup` for an interruption; the returned function unregisters it. */
export function registerCleanup(cleanup: Cleanup): () => void {
  const entry = { run: cleanup };
  pending.add(entry);
  return () => {
    pending.delete(entry);
  };
}

/** How many cleanups are registered (for tests). */
export function pendingCleanups(): number {
  return pending.size;
}

/**
 * Runs every registered cleanup, newest first (a function before the workspace it runs from), each
 * once, waiting at most `timeoutMs` for all of them. Failures are reported through `onError`, never
 * thrown: an interrupted run should still undo as much as it can.
 */
export async function runCleanups(onError: (error: unknown) => void, timeoutMs = 10_000): Promise<void> {
  const entries = [...pending].reverse();
  pending.clear();
  const all = (async () => {
    for (const entry of entries) {
      try {
        await entry.run();
      } catch (error) {
        onError(error);
      }
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      onError(new Error(`cleanup did not finish within ${timeoutMs} ms`));
      resolve();
    }, timeoutMs);
  });
  try {
    await Promise.race([all, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
