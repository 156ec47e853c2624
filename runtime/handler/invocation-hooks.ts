import { invocationEnded, invocationStarted } from './invocation-count';
import { logError, logWarning } from './log';
import { provideContextServices } from './service-registry';

/*
 * Process-wide hooks around each invocation, for runtime features that must act when an invocation
 * starts or ends rather than inside one request — today `attachDatabasePool`, which releases idle
 * database connections before Lambda freezes the environment and reopens what it closed on the next
 * invocation.
 *
 * The adapter (create-handler.ts and middy.ts, through invocation.ts) runs the start hooks when it
 * opens an invocation's request context and the end hooks right after the waitUntil() drain, so end
 * hooks see an invocation whose own work is finished. It reaches them through the service registry
 * (service-registry.ts), which the first hook registration fills: a function that never attaches a
 * pool does not bundle this file. The registry lives in module scope on purpose: it holds process
 * state (which pools exist), never request state.
 */

/** What a start hook is told about the invocation that is starting. */
export interface InvocationStart {
  /** The Lambda request id, for log lines. */
  readonly requestId: string;
}

/**
 * Runs when an invocation starts, before the user's handler. It may start work; a promise it returns
 * (only when there is something the handler must not overtake, e.g. a client being reopened) is
 * awaited before the handler runs. It must bound its wait itself and never reject.
 */
export type InvocationStartHook = (start: InvocationStart) => Promise<void> | undefined;

/** What an end hook is told about the invocation that is ending. */
export interface InvocationEnd {
  /** The Lambda request id, for log lines. */
  readonly requestId: string;
  /** Milliseconds the hook may take before the invocation must end; the runner stops waiting then. */
  readonly budgetMs: number;
}

/** Runs after the waitUntil() drain, before the invocation ends. Failures are logged, never thrown. */
export type InvocationEndHook = (end: InvocationEnd) => void | Promise<void>;

const startHooks = new Set<InvocationStartHook>();
const endHooks = new Set<InvocationEndHook>();

/** Invocations between their start and the beginning of their end hooks (invocation-count.ts). */
export { invocationsInProgress } from './invocation-count';

/** Registers `hook` for every following invocation start. Returns a function that unregisters it. */
export function onInvocationStart(hook: InvocationStartHook): () => void {
  provideHooks();
  startHooks.add(hook);
  return () => startHooks.delete(hook);
}

/** Registers `hook` for every following invocation end. Returns a function that unregisters it. */
export function onInvocationEnd(hook: InvocationEndHook): () => void {
  provideHooks();
  endHooks.add(hook);
  return () => endHooks.delete(hook);
}

function provideHooks(): void {
  provideContextServices({ invocationHooks: { start: startHooksFor, end: endHooksFor } });
}

/**
 * An invocation starts: counts it and runs the start hooks. A throwing hook is logged and skipped.
 * Returns a promise to await before the handler runs when a hook returned one, else `undefined`.
 * (The adapter counts and runs the hooks itself; tests call this to stand for an invocation.)
 */
export function runInvocationStartHooks(requestId: string): Promise<void> | undefined {
  invocationStarted();
  return startHooksFor(requestId);
}

function startHooksFor(requestId: string): Promise<void> | undefined {
  const waits: Promise<void>[] = [];
  for (const hook of startHooks) {
    try {
      const wait = hook({ requestId });
      if (wait) {
        waits.push(
          wait.catch((error: unknown) => logError(requestId, 'An invocation start hook failed', error)),
        );
      }
    } catch (error) {
      logError(requestId, 'An invocation start hook failed', error);
    }
  }
  return waits.length > 0 ? Promise.all(waits).then(() => undefined) : undefined;
}

/**
 * An invocation ends, after the waitUntil() drain: counts it as ended, then runs every end hook
 * concurrently and waits for them at most `budgetMs`; a hook still running then is abandoned with a
 * warning, a failing one is logged. Never throws: cleanup must not change the invocation's outcome.
 */
export async function runInvocationEndHooks(requestId: string, budgetMs: number): Promise<void> {
  // Counted as ended before the hooks run: what turns idle from now on is the hooks' business.
  invocationEnded();
  await endHooksFor(requestId, budgetMs);
}

async function endHooksFor(requestId: string, budgetMs: number): Promise<void> {
  if (endHooks.size === 0) return;
  const budget = Math.max(0, budgetMs);
  const runs = [...endHooks].map((hook) =>
    Promise.resolve()
      .then(() => hook({ requestId, budgetMs: budget }))
      .catch((error: unknown) => logError(requestId, 'An invocation end hook failed', error)),
  );
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), budget);
  });
  try {
    const outcome = await Promise.race([Promise.all(runs).then(() => 'done' as const), outOfTime]);
    if (outcome === 'timeout') {
      logWarning(requestId, `Invocation end hooks still running after ${budget} ms were abandoned`);
    }
  } finally {
    clearTimeout(timer);
  }
}
