import type { Context } from 'aws-lambda';
import { InvalidHandlerOptionError } from '../errors';
import { Awaiter } from './awaiter';
import { invocationEnded, invocationStarted } from './invocation-count';
import { logError, logWarning } from './log';
import { RequestContext } from './request-context';
import { contextServices } from './service-registry';
import type { HandlerOptions } from './types';

/** The longest a Lambda invocation can run; the budget when a context cannot tell (hand-built contexts). */
const MAX_LAMBDA_TIMEOUT_MS = 15 * 60 * 1000;

const DEFAULT_DRAIN_SAFETY_MARGIN_MS = 500;

/** `options.drainSafetyMarginMs` with its default, or `InvalidHandlerOptionError` naming the bad value. */
export function drainSafetyMargin(options: HandlerOptions): number {
  const margin = options.drainSafetyMarginMs ?? DEFAULT_DRAIN_SAFETY_MARGIN_MS;
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0) {
    throw new InvalidHandlerOptionError(
      `drainSafetyMarginMs must be a finite number of milliseconds ≥ 0, got ${JSON.stringify(margin)}`,
    );
  }
  return margin;
}

/** Milliseconds until Lambda stops this invocation. */
export function remainingTimeMs(context: Context): number {
  return typeof context.getRemainingTimeInMillis === 'function'
    ? context.getRemainingTimeInMillis()
    : MAX_LAMBDA_TIMEOUT_MS;
}

/**
 * A fresh request context for one invocation. Everything per-request lives in it — never in
 * module scope — because on Lambda Managed Instances one process serves many invocations at once.
 *
 * This is where an invocation starts for the adapter, so the invocation start hooks run here
 * (before the user's handler): after a thaw, `attachDatabasePool` reopens what it closed. When a
 * hook has work the handler must wait for (a Redis client being reopened), the context comes as a
 * promise that resolves once that work is done (bounded by the hook, never rejecting); otherwise
 * synchronously, so an invocation without such work costs no extra await.
 */
export function openRequestContext(
  requestId: string,
  headers: Readonly<Record<string, string>>,
  context: Context,
): RequestContext | Promise<RequestContext> {
  const awaiter = new Awaiter(
    (reason) => logError(requestId, 'A waitUntil() promise rejected', reason),
    () =>
      logWarning(
        requestId,
        "waitUntil() was called after this invocation's waitUntil() work had been awaited (by a timer or callback that outlived the request?): nothing awaits the promise, so Lambda may freeze or end the environment first",
      ),
  );
  const requestContext = new RequestContext({
    requestId,
    headers,
    deadline: Date.now() + remainingTimeMs(context),
    awaiter,
  });
  invocationStarted();
  const started = contextServices().invocationHooks?.start(requestId);
  return started ? started.then(() => requestContext) : requestContext;
}

/**
 * Waits for the invocation's `waitUntil()` work, after the response stream has ended, until
 * `safetyMarginMs` before the deadline. Node 24 Lambda does not keep an invocation alive for
 * promises nobody awaits, so this is what lets that work finish. Then runs the invocation end hooks
 * (e.g. `attachDatabasePool` releasing idle connections before the freeze) within the same bound.
 * Never throws: rejections were logged by the awaiter, what is still running at the bound is
 * logged as abandoned, and hook failures are logged.
 */
export async function drainWaitUntil(
  requestContext: RequestContext,
  context: Context,
  safetyMarginMs: number,
): Promise<void> {
  if (requestContext.awaiter.size > 0) await drainAwaiter(requestContext, context, safetyMarginMs);
  // From here on a waitUntil() is too late, and is logged as such (the drain closes it too).
  requestContext.awaiter.close();
  invocationEnded();
  // After the drain, so the hooks never take a connection the invocation's own work still needs.
  const hooks = contextServices().invocationHooks;
  if (hooks) await hooks.end(requestContext.requestId, remainingTimeMs(context) - safetyMarginMs);
}

async function drainAwaiter(
  requestContext: RequestContext,
  context: Context,
  safetyMarginMs: number,
): Promise<void> {
  try {
    const abandoned = await requestContext.awaiter.drain(remainingTimeMs(context) - safetyMarginMs);
    if (abandoned > 0) {
      logWarning(
        requestContext.requestId,
        `${abandoned} waitUntil() promise(s) still running ${safetyMarginMs} ms before the invocation deadline were abandoned`,
      );
    }
  } catch (error) {
    // A cleanup failure must never replace the response's outcome.
    logError(requestContext.requestId, 'Waiting for waitUntil() promises failed', error);
  }
}
