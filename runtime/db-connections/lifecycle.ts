import {
  type InvocationEnd,
  type InvocationStart,
  invocationsInProgress,
  onInvocationEnd,
  onInvocationStart,
} from '../handler/invocation-hooks';
import { logError, logWarning } from '../handler/log';
import { type PoolAdapter, settle } from './adapter';

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
 *   drop any connection that sat idle across the freeze (see each adapter). The handler runs once
 *   the reopened clients are ready (at most REOPEN_WAIT_MS later), so that its own guards
 *   (`if (!client.isReady) await client.connect()`) see a client that is either ready or closed,
 *   as on Vercel, never one half-way through connecting, which their `connect()` refuses.
 * - a Redis client attached during an invocation is, by default, reopened at later starts like one
 *   attached at module init: that is the client created on a request and cached in module scope,
 *   which must keep working. But a client created and attached in EVERY request would make each
 *   later start reopen every such client not yet garbage-collected, a number of connections
 *   growing with the square of the invocations. A cached client is used again in a later
 *   invocation (PoolAdapter.used): from then on it is handled as one attached at module init, for
 *   good. A per-request client is not. So once an invocation ends that attached a new client while
 *   one attached during an earlier invocation still exists and has not been used since — the
 *   per-request pattern — the process stops reopening clients attached during invocations and not
 *   (yet) seen used later: from then on each is closed at the end of its invocation and stays
 *   closed (dormant) unless attached again, which reopens it for that invocation, or used again,
 *   which fails (it is closed) but has it reopened from the next start on. N invocations with a
 *   client each then cost N + 1 connections: the first client is reopened once, at the second
 *   start, before the pattern shows. Clients attached at module init are never affected, nor are
 *   cached clients created on different requests, as long as each was used in a later invocation
 *   before the next one was created (else it cannot be told from a per-request client). Drivers
 *   that do not show use (node-redis before 6.3, node-redis pools) count as never used.
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

/**
 * The longest an invocation start waits for the clients it reopened to be ready; then the handler
 * runs anyway (its commands queue until they are). A connect in the same region takes a few round
 * trips; this only bounds what an unreachable server costs each invocation.
 */
export const REOPEN_WAIT_MS = 1_000;

/**
 * When a client the adapter reopens (PoolAdapter.reopens) was attached: outside any invocation
 * (module init, typically), during the invocation now running, or during an earlier one. Pools that
 * reconnect by themselves are always `'outside'`: nothing about them depends on it.
 */
type AttachedDuring = 'outside' | 'this-invocation' | 'earlier-invocation';

interface ManagedPool {
  readonly adapter: PoolAdapter;
  readonly graceMs: number;
  warned: boolean;
  attachedDuring: AttachedDuring;
  /**
   * Per-request clients seen, and closed at the end of the invocation that attached it: not
   * reopened unless attached again.
   */
  dormant: boolean;
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
// The driver of the new client attached during an invocation while one attached during an earlier
// invocation, and not used since, still existed: clients are made per request, and those attached
// during invocations are no longer reopened until used later. Only tests reset it.
let perRequestClientsOf: string | undefined;
let warnedPerRequestClients = false;

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
  if (attached.has(pool)) {
    const entry = entries.get(pool);
    if (entry?.dormant) reattach(entry);
    return;
  }
  attached.add(pool);
  if (environment !== 'lambda') return;

  const adapter = createAdapter();
  const duringInvocation = adapter.reopens === true && invocationsInProgress() > 0;
  const entry: ManagedPool = {
    adapter,
    graceMs,
    warned: false,
    attachedDuring: duringInvocation ? 'this-invocation' : 'outside',
    dormant: false,
  };
  entries.set(pool, entry);
  managed.add(new WeakRef(entry));
  entry.adapter.onIdle(() => {
    // Between invocations nobody will use it before the freeze: close it now.
    if (invocationsInProgress() === 0) releaseBetweenInvocations(entry);
  });
  unregisterHooks ??= [onInvocationStart(prepareAll), onInvocationEnd(releaseAll)];
}

/**
 * A dormant client attached again: reopened now, and managed for this invocation (dormant again
 * after it). Not a new client: it says nothing about the per-request pattern, already seen anyway.
 */
function reattach(entry: ManagedPool): void {
  entry.dormant = false;
  entry.attachedDuring = invocationsInProgress() > 0 ? 'this-invocation' : 'outside';
  // attachDatabasePool is synchronous: nothing can wait for the reopen; commands queue meanwhile.
  void settle(entry.adapter.prepareForInvocation());
}

/** Forgets every attached pool and unregisters the hooks (tests only). */
export function resetPoolLifecycle(): void {
  for (const unregister of unregisterHooks ?? []) unregister();
  unregisterHooks = undefined;
  stopWatchingStragglers();
  managed.clear();
  perRequestClientsOf = undefined;
  warnedPerRequestClients = false;
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

/** Returns a promise only when a client is being reopened: the handler waits for it, at most REOPEN_WAIT_MS. */
function prepareAll({ requestId }: InvocationStart): Promise<void> | undefined {
  stopWatchingStragglers();
  const reopening: Promise<void>[] = [];
  for (const { adapter, dormant } of livePools()) {
    if (dormant) continue;
    try {
      const ready = adapter.prepareForInvocation();
      if (ready) reopening.push(settle(ready));
    } catch (error) {
      logError(
        requestId,
        `attachDatabasePool: preparing the ${adapter.driver} pool for the invocation failed`,
        error,
      );
    }
  }
  if (reopening.length === 0) return undefined;
  return beforeDeadline(settle(Promise.all(reopening)), Date.now() + REOPEN_WAIT_MS);
}

async function releaseAll({ requestId, budgetMs }: InvocationEnd): Promise<void> {
  const now = Date.now();
  const pools = livePools();
  await Promise.all(
    pools.map((entry) => releaseWithin(entry, now + Math.min(entry.graceMs, budgetMs), requestId)),
  );
  // The per-request pattern: a client attached in this invocation while one attached in an earlier
  // one was not used since. A client attached earlier in this same invocation does not count (an
  // application may cache several clients on one request).
  let attachedNow: ManagedPool | undefined;
  let unusedEarlier = false;
  for (const entry of pools) {
    if (entry.attachedDuring === 'outside') continue;
    // Asked of every one: also forgets the uses during the invocation that attached it.
    const used = entry.adapter.used?.() === true;
    if (entry.attachedDuring === 'this-invocation') attachedNow ??= entry;
    else if (used) {
      // Used after the invocation that attached it: cached, reopened at each start from now on.
      entry.attachedDuring = 'outside';
      entry.dormant = false;
    } else unusedEarlier = true;
  }
  if (attachedNow && unusedEarlier) perRequestClientsOf ??= attachedNow.adapter.driver;
  for (const entry of pools) {
    if (entry.attachedDuring === 'outside') continue;
    entry.attachedDuring = 'earlier-invocation';
    // Released above (or, when still busy, once idle): from now on it is closed and stays closed.
    if (perRequestClientsOf !== undefined) entry.dormant = true;
  }
  if (perRequestClientsOf !== undefined && !warnedPerRequestClients) {
    warnedPerRequestClients = true;
    logWarning(
      requestId,
      `attachDatabasePool: a new ${perRequestClientsOf} client was attached during an invocation while one attached ` +
        'during an earlier invocation, and not used since, still exists, so clients look created per request. ' +
        'From now on, a Redis client attached during an invocation is closed when it ends and not reopened for ' +
        'later ones unless attached again (or used again: that command fails, later ones work). Create and ' +
        'attach clients at module init: those are reopened at each invocation start, ready before your handler runs.',
    );
  }
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
