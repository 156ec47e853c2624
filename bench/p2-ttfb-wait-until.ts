import * as path from 'node:path';
import type { LocalFunction } from '../test/harness/local-function';
import { buildWithAdapter, createWorkspace, FIXTURES } from './bundles';
import { startBundled, stopAll } from './functions';
import { interleaved } from './interleave';
import { keepAliveAgent, type TimedResponse, timedGet } from './load';
import { compare } from './measurement';
import { median } from './stats';
import type { BenchContext, Benchmark, Measurement } from './types';

/**
 * P2 — time to first byte with background work: the same response with a 1 s `waitUntil` task vs
 * without, through our adapter under the real aws-lambda-ric. Also checks, for every request with
 * the task, that the client had the complete response before the task ended.
 */

// A single request's TTFB (~1.7 ms at the client) swings by ±25%, so the median of 60 rounds still
// moved by about ±5% between runs (0.97–1.09× on one day for a true ratio near 1.00), as wide as the
// target's margin; 150 rounds narrow that to about ±3%. Each round waits out the task's 1 s drain,
// so this is about 3 minutes.
const ROUNDS = 150;
const WARMUP_ROUNDS = 2;
const TASK_LOG = /bench task done at (\d+)/;

export const p2: Benchmark = {
  name: 'p2',
  description: 'TTFB with a 1 s waitUntil task vs without; the response must complete before the task',
  async run(context) {
    const workspace = createWorkspace();
    let fn: LocalFunction | undefined;
    const agent = keepAliveAgent(1);
    try {
      const built = await buildWithAdapter(
        path.join(FIXTURES, 'wait-until.ts'),
        path.join(workspace.dir, 'p2'),
      );
      fn = await startBundled({ taskRoot: path.dirname(built.outfile), handler: built.handler });
      const running = fn;
      // Per request with the task: how long after the client had the whole response the task ended.
      const margins: number[] = [];
      // Per request: the function's own time to first byte, at the Runtime API (runtime-api.ts).
      const atRuntimeApi: Record<'with' | 'without', number[]> = { with: [], without: [] };
      context.log(`P2: ${ROUNDS} interleaved rounds, one request with and one without a 1 s waitUntil task`);
      const ttfb = await interleaved(
        {
          rounds: ROUNDS,
          warmupRounds: WARMUP_ROUNDS,
          variants: ['with', 'without'] as const,
          onRound: (round, results) =>
            context.log(
              `  round ${round + 1}/${ROUNDS}: TTFB ${results.with.toFixed(2)} ms with, ${results.without.toFixed(2)} ms without`,
            ),
        },
        async (variant, round) => {
          // An untimed request without the task first, so each timed request finds the process
          // equally warm: half the timed requests would otherwise come right after a 1 s drain
          // (an idle process, cold caches), and that swung single pairs by ±20%.
          const warm = await timedGet(`${running.url}/`, agent);
          await endOf(running, warm);
          const response = await timedGet(`${running.url}/${variant === 'with' ? 'wait-until' : ''}`, agent);
          const requestId = await endOf(running, response);
          const firstByteMs = running.runtimeApi.invocation(requestId)?.firstByteMs;
          if (firstByteMs === undefined) throw new Error('P2: the Runtime API saw no streamed response');
          if (round >= 0) atRuntimeApi[variant].push(firstByteMs);
          if (variant === 'with') {
            const taskDoneAt = await taskEnd(running, requestId);
            if (round >= 0) margins.push(taskDoneAt - response.completedAt);
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
            target: { on: 'ratio', op: '<=', value: 1.05, unit: 'x' },
            withDifference: true,
            // One request per side per round: a single pair of ~2 ms timings is mostly noise.
            estimator: 'ratio of medians',
            note: 'client-side time to the first body byte through the Function URL front; one timed request per side per round, each after an untimed warm request',
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
      ];
    } finally {
      agent.destroy();
      await stopAll([fn]);
      workspace.remove();
    }
  },
};

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
    target: { on: 'ratio', op: '>=', value: 1, unit: 'x' },
    pass: before === margins.length,
    note: `${before} of ${margins.length} responses were complete before their task ended`,
    ...(context.samples ? { raw: { 'task end − response end (ms)': margins } } : {}),
  };
}
