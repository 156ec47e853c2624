import {
  type InvocationEnd,
  type InvocationStart,
  invocationsInProgress,
  onInvocationEnd,
  onInvocationStart,
} from '../handler/invocation-hooks';
import { logError, logWarning } from '../handler/log';
import type { PoolAdapter } from './adapter';

/*
 * What happens to attached pools around each invocation.
 *
 * Classic Lambda freezes the execution environment as soon as an invocation ends and thaws it for
 * the next one, minutes later or never. Idle sockets survive the freeze while the server times
 * them out (or a NAT / proxy drops them), so a thawed process would hand out connections that are
 * already dead, and every frozen environment holds server connection slots it is not using.
 * Hence, on classic Lambda only:
 * - end of invocation (after the waitUntil drain): close the idle connections, then wait up to the
 *   grace for busy ones to turn idle and close those too. Busy connections are never closed.
 * - between invocations: a connection that turns idle after that (a query nobody awaited) is closed
 *   as soon as it does — on the driver's event where it has one, else found by a light poll.
 * - start of invocation: reopen what was closed when the driver does not reconnect by itself, and
 *   drop any connection that sat idle across the freeze (see each adapter).
 * Lambda Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY set) never freeze and run invocations
 * concurrently, and outside Lambda (dev server, tests, scripts) nothing freezes either: pools are
 * left exactly as the driver manages them.
 */

/** Where this process runs, as far as pools are concerned. */
export type PoolEnvironment = 'lambda' | 'managed-instances' | 'outside-lambda';

export function poolEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PoolEnvironment {
  if (!env.AWS_LAMBDA_FUNCTION_NAME) return 'outside-lambda';
  if (env.AWS_LAMBDA_MAX_CONCURRENCY) return 'managed-instances';
  return 'lambda';
}

/** How often the end of an invocation checks whether busy connections have turned idle. */
const BUSY_POLL_MS = 10;

/** How often, between invocations, pools left busy at the end are checked for having turned idle. */
const STRAGGLER_POLL_MS = 25;

interface ManagedPool {
  readonly adapter: PoolAdapter;
  readonly graceMs: number;
  warned: boolean;
}

// Process state, not request state: which pools exist. Held weakly, so that pools an application
// creates per request do not pile up: the WeakMap keeps each entry exactly as long as its pool is
// reachable (a pool with open sockets stays reachable through them), and a pool the application
// has shut down for good is dropped at the next sweep (PoolAdapter.ended).
const attached = new WeakSet<object>();
const entries = new WeakMap<object, ManagedPool>();
const managed = new Set<WeakRef<ManagedPool>>();
let unregisterHooks: (() => void)[] | undefined;
let stragglerTimer: NodeJS.Timeout | undefined;

/**
 * Starts managing `pool` around invocations. Idempotent per pool object. Outside classic Lambda it
 * only remembers the pool: no listener is added, nothing is ever closed.
 */
export function attachPool(
  pool: object,
  createAdapter: () => PoolAdapter,
  graceMs: number,
  environment: PoolEnvironment = poolEnvironment(),
): void {
  if (attached.has(pool)) return;
  attached.add(pool);
  if (environment !== 'lambda') return;

  const entry: ManagedPool = { adapter: createAdapter(), graceMs, warned: false };
  entries.set(pool, entry);
  managed.add(new WeakRef(entry));
  entry.adapter.onIdle(() => {
    // Between invocations nobody will use it before the freeze: close it now.
    if (invocationsInProgress() === 0) releaseBetweenInvocations(entry);
  });
  unregisterHooks ??= [onInvocationStart(prepareAll), onInvocationEnd(releaseAll)];
}

/** Forgets every attached pool and unregisters the hooks (tests only). */
export function resetPoolLifecycle(): void {
  for (const unregister of unregisterHooks ?? []) unregister();
  unregisterHooks = undefined;
  stopWatchingStragglers();
  managed.clear();
}

/** How many pools are managed right now, after dropping the ended and collected ones (tests only). */
export function managedPoolCount(): number {
  return livePools().length;
}

/** The managed pools still in use; forgets the ones that were garbage-collected or have ended. */
function livePools(): ManagedPool[] {
  const live: ManagedPool[] = [];
  for (const ref of managed) {
    const entry = ref.deref();
    if (entry === undefined || entry.adapter.ended?.() === true) managed.delete(ref);
    else live.push(entry);
  }
  return live;
}

function prepareAll({ requestId }: InvocationStart): void {
  stopWatchingStragglers();
  for (const { adapter } of livePools()) {
    try {
      adapter.prepareForInvocation();
    } catch (error) {
      logError(
        requestId,
        `attachDatabasePool: preparing the ${adapter.driver} pool for the invocation failed`,
        error,
      );
    }
  }
}

async function releaseAll({ requestId, budgetMs }: InvocationEnd): Promise<void> {
  const now = Date.now();
  const pools = livePools();
  await Promise.all(
    pools.map((entry) => releaseWithin(entry, now + Math.min(entry.graceMs, budgetMs), requestId)),
  );
  if (pools.some((entry) => entry.adapter.busyCount() > 0)) watchStragglers();
}

/** Closes idle connections until nothing is busy or `deadline` (epoch ms) has passed. */
async function releaseWithin(entry: ManagedPool, deadline: number, requestId: string): Promise<void> {
  const { adapter } = entry;
  const leftAlone = adapter.leftAloneReason();
  if (leftAlone !== undefined && !entry.warned) {
    entry.warned = true;
    logWarning(requestId, leftAlone);
  }
  for (;;) {
    if (leftAlone === undefined) {
      try {
        await beforeDeadline(adapter.releaseIdle(), deadline);
      } catch (error) {
        logError(requestId, `attachDatabasePool: releasing ${adapter.driver} idle connections failed`, error);
        return;
      }
    }
    const remaining = deadline - Date.now();
    // Busy connections still busy at the deadline stay open: closing one would cut its query.
    if (remaining <= 0 || adapter.busyCount() === 0) return;
    await sleep(Math.min(BUSY_POLL_MS, remaining));
  }
}

function releaseBetweenInvocations(entry: ManagedPool): void {
  const { adapter } = entry;
  if (adapter.leftAloneReason() !== undefined) return;
  void adapter.releaseIdle().catch((error: unknown) => {
    warn(`attachDatabasePool: releasing ${adapter.driver} idle connections failed: ${String(error)}`);
  });
}

/**
 * Until the next invocation starts, polls the pools that were still busy at the end and releases
 * each once it is idle. Unref'd: it never keeps a process alive, and on Lambda it is frozen with
 * everything else.
 */
function watchStragglers(): void {
  if (stragglerTimer) return;
  stragglerTimer = setInterval(() => {
    if (invocationsInProgress() > 0) {
      stopWatchingStragglers();
      return;
    }
    let stillBusy = false;
    for (const entry of livePools()) {
      if (entry.adapter.busyCount() > 0) stillBusy = true;
      else releaseBetweenInvocations(entry);
    }
    if (!stillBusy) stopWatchingStragglers();
  }, STRAGGLER_POLL_MS);
  stragglerTimer.unref();
}

function stopWatchingStragglers(): void {
  clearInterval(stragglerTimer);
  stragglerTimer = undefined;
}

function beforeDeadline(work: Promise<void>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** For problems noticed outside any invocation (no request id to name). */
export function warn(message: string): void {
  console.warn(`[vercel-functions-aws] ${message}`);
}
