import { tracingChannel } from 'node:diagnostics_channel';

/*
 * Which node-redis clients have commands awaiting a reply. node-redis keeps its command queue in a
 * private (`#`) field and has no public count of it; what it does publish (6.3+) are
 * `node:diagnostics_channel` tracing channels around every command (`node-redis:command`) and
 * every MULTI / pipeline (`node-redis:batch`), whose context names the client (`clientId`): from
 * `start` until the reply settles (`asyncEnd`), or until `end` when the call threw at once.
 * Connection handshake commands are not traced; the adapter counts a client that is not ready yet
 * as busy instead.
 *
 * One process-wide subscription, counting by client id: it holds no reference to any client, so
 * it never keeps one alive. Subscribing makes node-redis build a small context object per command.
 */

const CHANNELS = ['node-redis:command', 'node-redis:batch'] as const;

interface TraceContext {
  readonly clientId?: unknown;
  readonly error?: unknown;
}

// Process state: commands in flight per client id (ids with none are removed).
const inFlight = new Map<string, number>();
const pending = new WeakSet<object>();
// Whether each tracked client started a command since nodeRedisUsed() last asked; an entry is
// dropped once its client is garbage-collected. Marked pure so bundles that never attach a pool
// (everything importing the runtime's index) can drop the registry.
const usedSinceAsked = new Map<string, boolean>();
const forget = /* @__PURE__ */ new FinalizationRegistry<string>((clientId) =>
  usedSinceAsked.delete(clientId),
);
let subscribed = false;

/** Starts counting node-redis commands in flight (idempotent), and the uses of `client`. */
export function trackNodeRedisCommands(client: object, clientId: string): void {
  usedSinceAsked.set(clientId, false);
  forget.register(client, clientId);
  if (subscribed) return;
  subscribed = true;
  for (const name of CHANNELS) {
    tracingChannel<TraceContext>(name).subscribe({
      start: started,
      end: (context) => {
        // Thrown synchronously: no asyncEnd follows.
        if (context.error !== undefined) finished(context);
      },
      asyncStart: () => {},
      asyncEnd: finished,
      error: () => {},
    });
  }
}

/** Commands (or batches) of the client with this id that are still awaiting their reply. */
export function nodeRedisCommandsInFlight(clientId: string): number {
  return inFlight.get(clientId) ?? 0;
}

/** Whether the client with this id started a command (traced: not its handshake) since the last call. */
export function nodeRedisUsed(clientId: string): boolean {
  const used = usedSinceAsked.get(clientId) === true;
  if (used) usedSinceAsked.set(clientId, false);
  return used;
}

function started(context: TraceContext): void {
  if (typeof context.clientId !== 'string') return;
  if (usedSinceAsked.has(context.clientId)) usedSinceAsked.set(context.clientId, true);
  pending.add(context);
  inFlight.set(context.clientId, nodeRedisCommandsInFlight(context.clientId) + 1);
}

function finished(context: TraceContext): void {
  if (!pending.has(context) || typeof context.clientId !== 'string') return;
  pending.delete(context);
  const left = nodeRedisCommandsInFlight(context.clientId) - 1;
  if (left > 0) inFlight.set(context.clientId, left);
  else inFlight.delete(context.clientId);
}
