import * as path from 'node:path';
import type { LocalFunction } from '../test/harness/local-function';
import { buildWithAdapter, createWorkspace, FIXTURES } from './bundles';
import { BENCH_ROUTE, CLOUDFRONT_REQUEST_HEADERS } from './fixtures/cloudfront-request';
import { projectFunctionEnvironment, startBundled, stopAll } from './functions';
import { interleaved } from './interleave';
import { keepAliveAgent, type TimedResponse, timedGet } from './load';
import { compare } from './measurement';
import { median } from './stats';
import type { BenchContext, Benchmark, Measurement, Target } from './types';

/**
 * P2 — time to first byte with background work: the same response with a 1 s `waitUntil` task vs
 * without, through our adapter under the real aws-lambda-ric. Also checks, for every request with
 * the task, that the client had the complete response before the task ended, and that the
 * invocation stayed open until the task ended (at least the task's 1 s): a handler that let the task
 * run on after its invocation (fire and forget) would answer as fast, but Lambda may freeze or reuse
 * the environment under such a task. Requests are the deployed ones (fixtures/cloudfront-request.ts):
 * CloudFront's headers, to the function's route. `?wait-until=1` asks for the task and
 * `?wait-until=0` does not, so both sides carry a query of the same shape: a query alone (parsed into
 * the event, the URL and the handler's `searchParams`) cost about 10 µs per request in-process, a
 * difference that is not the task's.
 */

// A single request's TTFB (~1.7 ms at the client) swings by ±25%, so the median of 60 rounds still
// moved by about ±5% between runs (0.97–1.09× on one day for a true ratio near 1.00), as wide as the
// target's margin; 150 rounds narrow that to about ±3%. Each round waits out the task's 1 s drain,
// so this is about 3 minutes.
const ROUNDS = 150;
const WARMUP_ROUNDS = 2;
const TASK_LOG = /bench task done at (\d+)/;
const TASK_MS = 1_000;
const TTFB_TARGET: Target = { on: 'ratio', op: '<=', value: 1.05, unit: 'x' };
const ALL_TARGET: Target = { on: 'ratio', op: '>=', value: 1, unit: 'x' };
const QUERY = { with: '?wait-until=1', without: '?wait-until=0' } as const;

export const p2: Benchmark = {
  name: 'p2',
  description: 'TTFB with a 1 s waitUntil task vs without; the response must complete before the task',
  expected: {
    'p2.ttfb': TTFB_TARGET,
    'p2.ttfb-runtime-api': null,
    'p2.order': ALL_TARGET,
    'p2.open': ALL_TARGET,
  },
  run: (context) => measureWaitUntil(context, path.join(FIXTURES, 'wait-until.ts')),
};

/**
 * P2's measurements of the function in `entry`: it answers `ok`, and with `?wait-until=1` also starts
 * a 1 s task that logs `bench task done at <epoch ms>` when it ends (fixtures/wait-until.ts). Takes
 * the entry so a broken stand-in can be shown to fail.
 */
export async function measureWaitUntil(context: BenchContext, entry: string): Promise<Measurement[]> {
  const workspace = createWorkspace();
  let fn: LocalFunction | undefined;
  const agent = keepAliveAgent(1);
  try {
    const built = await buildWithAdapter(entry, path.join(workspace.dir, 'p2'));
    fn = await startBundled(
      { taskRoot: path.dirname(built.outfile), handler: built.handler },
      projectFunctionEnvironment(BENCH_ROUTE),
    );
    const running = fn;
    const rounds = context.rounds ?? ROUNDS;
    const get = (query: string) =>
      timedGet(`${running.url}${BENCH_ROUTE}${query}`, agent, CLOUDFRONT_REQUEST_HEADERS);
    // Per request with the task: how long after the client had the whole response the task ended.
    const margins: number[] = [];
    // Per request with the task: how its invocation ended against its task.
    const invocations: InvocationSpan[] = [];
    // Per request: the function's own time to first byte, at the Runtime API (runtime-api.ts).
    const atRuntimeApi: Record<'with' | 'without', number[]> = { with: [], without: [] };
    context.log(`P2: ${rounds} interleaved rounds, one request with and one without a 1 s waitUntil task`);
    const ttfb = await interleaved(
      {
        rounds,
        warmupRounds: WARMUP_ROUNDS,
        variants: ['with', 'without'] as const,
        onRound: (round, results) =>
          context.log(
            `  round ${round + 1}/${rounds}: TTFB ${results.with.toFixed(2)} ms with, ${results.without.toFixed(2)} ms without`,
          ),
      },
      async (variant, round) => {
        // An untimed request without the task first, so each timed request finds the process
        // equally warm: half the timed requests would otherwise come right after a 1 s drain
        // (an idle process, cold caches), and that swung single pairs by ±20%.
        const warm = await get(QUERY.without);
        await endOf(running, warm);
        const response = await get(QUERY[variant]);
        const requestId = await endOf(running, response);
        const invocation = running.runtimeApi.invocation(requestId);
        const firstByteMs = invocation?.firstByteMs;
        if (firstByteMs === undefined) throw new Error('P2: the Runtime API saw no streamed response');
        if (round >= 0) atRuntimeApi[variant].push(firstByteMs);
        if (variant === 'with') {
          const taskDoneAt = await taskEnd(running, requestId);
          const { dispatchedAt, endedAt } = invocation ?? {};
          if (dispatchedAt === undefined || endedAt === undefined) {
            throw new Error(`P2: the Runtime API recorded no start or end for invocation ${requestId}`);
          }
          if (round >= 0) {
            margins.push(taskDoneAt - response.completedAt);
            invocations.push({ durationMs: endedAt - dispatchedAt, endAfterTaskMs: endedAt - taskDoneAt });
          }
        }
        return response.ttfbMs;
      },
    );
    return [
      compare(
        context,
        {
          a: { label: 'with a 1 s waitUntil task', values: ttfb.with },
          b: { label: 'without', values: ttfb.without },
          unit: 'ms',
        },
        {
          id: 'p2.ttfb',
          title: 'P2 time to first byte, with a 1 s waitUntil task ÷ without',
          target: TTFB_TARGET,
          withDifference: true,
          // One request per side per round: a single pair of ~2 ms timings is mostly noise.
          estimator: 'ratio of medians',
          note: `client-side time to the first body byte through the Function URL front; one timed request per side per round, each after an untimed warm request; each a browser GET of ${BENCH_ROUTE} as CloudFront forwards it, the function deployed with that route`,
        },
      ),
      // The same requests timed where the function answers, without the load generator and the
      // Function URL front: whether a difference comes from the function or from the hops around it.
      compare(
        context,
        {
          a: { label: 'with a 1 s waitUntil task', values: atRuntimeApi.with },
          b: { label: 'without', values: atRuntimeApi.without },
          unit: 'ms',
        },
        {
          id: 'p2.ttfb-runtime-api',
          title: 'P2 time to first byte at the Runtime API, with a 1 s waitUntil task ÷ without',
          target: null,
          withDifference: true,
          estimator: 'ratio of medians',
          note: "the function's time from receiving the event to the first bytes of its streamed response, as the loopback Runtime API sees them; the same requests",
        },
      ),
      completionOrder(context, margins),
      keptOpen(context, invocations),
    ];
  } finally {
    agent.destroy();
    await stopAll([fn]);
    workspace.remove();
  }
}

/**
 * Checks the response and waits for its invocation to end (with the task, its 1 s drain): the
 * runtime handles one invocation at a time, so the next request is not queued behind this one.
 * Returns the request id.
 */
async function endOf(fn: LocalFunction, response: TimedResponse): Promise<string> {
  if (response.status !== 200 || response.body !== 'ok') {
    throw new Error(`P2: the function answered ${response.status} ${JSON.stringify(response.body)}`);
  }
  const requestId = response.headers['x-amzn-requestid'];
  if (typeof requestId !== 'string') throw new Error('P2: the Function URL front sent no x-amzn-requestid');
  await fn.runtimeApi.invocation(requestId)?.ended;
  return requestId;
}

/** When the function logged that the request's task ended (epoch ms). */
async function taskEnd(fn: LocalFunction, requestId: string): Promise<number> {
  const line = await fn.runtime.waitForLog(new RegExp(`${requestId}.*${TASK_LOG.source}`), 5_000);
  return Number(TASK_LOG.exec(line.text)![1]);
}

/** The share of requests whose response was complete at the client before their task ended. */
function completionOrder(context: BenchContext, margins: readonly number[]): Measurement {
  const before = margins.filter((margin) => margin > 0).length;
  return {
    id: 'p2.order',
    title: 'P2 responses complete before their waitUntil task ends, share of requests',
    status: 'measured',
    ratio: before / margins.length,
    spread: null,
    samples: margins.length,
    medians: { 'task end − response end (ms)': median(margins) },
    unit: 'ms',
    target: ALL_TARGET,
    pass: margins.length > 0 && before === margins.length,
    note: `${before} of ${margins.length} responses were complete before their task ended`,
    ...(context.samples ? { raw: { 'task end − response end (ms)': margins } } : {}),
  };
}

/** One invocation with the task, as the loopback Runtime API saw it against the task's end. */
interface InvocationSpan {
  /** From handing over the event to the runtime asking for the next one. */
  readonly durationMs: number;
  /** Invocation end − task end: negative when the invocation ended while the task still ran. */
  readonly endAfterTaskMs: number;
}

/**
 * The share of invocations with the task that stayed open until it ended: `waitUntil` must keep the
 * invocation (and so the execution environment) running for the task, as Vercel does, not only
 * answer first. An invocation passes when it ended at or after the task's end and lasted at least
 * the task's 1 s.
 */
function keptOpen(context: BenchContext, spans: readonly InvocationSpan[]): Measurement {
  const open = spans.filter((span) => span.endAfterTaskMs >= 0 && span.durationMs >= TASK_MS).length;
  const durations = spans.map((span) => span.durationMs);
  const afterTask = spans.map((span) => span.endAfterTaskMs);
  return {
    id: 'p2.open',
    title: 'P2 invocations kept open until their waitUntil task ended (and ≥ 1 s), share of requests',
    status: 'measured',
    ratio: open / spans.length,
    spread: null,
    samples: spans.length,
    medians: {
      'invocation duration (ms)': median(durations),
      'invocation end − task end (ms)': median(afterTask),
    },
    unit: 'ms',
    target: ALL_TARGET,
    pass: spans.length > 0 && open === spans.length,
    note: `${open} of ${spans.length} invocations ended after their task and lasted ≥ ${TASK_MS} ms (the Runtime API's dispatch and next-event times against the task's logged end); shortest ${Math.min(...durations)} ms`,
    ...(context.samples
      ? { raw: { 'invocation duration (ms)': durations, 'invocation end − task end (ms)': afterTask } }
      : {}),
  };
}
