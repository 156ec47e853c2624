import type { LocalFunction } from '../test/harness/local-function';
import { buildVariant, createWorkspace, usesAdapter, VARIANT_LABELS, type Variant } from './bundles';
import { BENCH_ROUTE, CLOUDFRONT_REQUEST_HEADERS } from './fixtures/cloudfront-request';
import { projectFunctionEnvironment, startBundled, stopAll } from './functions';
import { interleaved } from './interleave';
import { keepAliveAgent, runLoad } from './load';
import { compare } from './measurement';
import { processCpuMs } from './process-cpu';
import { median } from './stats';
import type { BenchContext, Measurement } from './types';

/**
 * Throughput of handler variants side by side: each variant is bundled like a deployment, run by its
 * own real aws-lambda-ric process against the harness's loopback Runtime API and Function URL front,
 * and loaded over HTTP with keep-alive at a fixed concurrency, in interleaved rounds. The runtime
 * takes one invocation at a time, so each request's time also holds its trips through the Runtime
 * API and the front, which are the same for every variant and dilute the throughput ratio. The
 * function process's CPU time per request is recorded too: it isolates the variant's own cost.
 *
 * Every variant gets the same request, the one a deployed function gets: a browser's GET of
 * `/api/hello` through the Cdn, with CloudFront's headers, in the event of the `AWS_IAM` Function URL
 * OAC signs it to (fixtures/cloudfront-request.ts; bench/functions.ts startBundled). The
 * adapter variants run as a VercelProject deploys them, with that route in their environment, so
 * they check it.
 */

// A round's ratio swings by about ±4% on a shared 2-core machine (the IQR of the per-round ratios),
// so the median of 20 rounds still moved by ±2% between runs; 60 rounds narrow that to about ±1%.
const ROUNDS = 60;
const WARMUP_ROUNDS = 1;
const REQUESTS_PER_ROUND = 600;
const CONCURRENCY = 4;

/** How the rounds were run, for the rows' notes. */
export function throughputSetup(rounds: number): string {
  return `real aws-lambda-ric, loopback Runtime API + Function URL front, keep-alive, concurrency ${CONCURRENCY}, ${rounds} rounds of ${REQUESTS_PER_ROUND} requests; each a browser GET of ${BENCH_ROUTE} as CloudFront forwards it (${Object.keys(CLOUDFRONT_REQUEST_HEADERS).length} headers, cookies, OAC signature; an AWS_IAM Function URL event), the adapter functions deployed with that route`;
}

export interface ThroughputSamples {
  /** Rounds run (`--rounds`, else the default). */
  readonly rounds: number;
  /** Requests per second, one value per round. */
  readonly rps: Readonly<Partial<Record<Variant, number[]>>>;
  /** CPU ms per request of the function process, one value per round; absent without `/proc`. */
  readonly cpuMsPerRequest?: Readonly<Partial<Record<Variant, number[]>>>;
  /**
   * Share of one core the bench process itself (load generator, Runtime API, Function URL front)
   * used during each round. Near 1, it would be the bottleneck and hide differences between variants.
   */
  readonly benchCpuShare: Readonly<Partial<Record<Variant, number[]>>>;
}

/** Runs `variants` (the bare baseline is always added) in interleaved rounds. */
export async function measureThroughput(
  context: BenchContext,
  name: string,
  variants: readonly Variant[],
): Promise<ThroughputSamples> {
  const all: Variant[] = ['bare', ...variants.filter((variant) => variant !== 'bare')];
  const rounds = context.rounds ?? ROUNDS;
  const workspace = createWorkspace();
  const functions = new Map<Variant, LocalFunction>();
  const agents = new Map(all.map((variant) => [variant, keepAliveAgent(CONCURRENCY)]));
  try {
    for (const variant of all) {
      const env = usesAdapter(variant) ? projectFunctionEnvironment(BENCH_ROUTE) : {};
      functions.set(variant, await startBundled(await buildVariant(workspace, variant), env));
    }
    const series = () =>
      Object.fromEntries(all.map((variant) => [variant, [] as number[]])) as Record<Variant, number[]>;
    const cpu = series();
    const benchCpuShare = series();
    let cpuAvailable = true;
    context.log(
      `${name}: ${rounds} interleaved rounds of ${REQUESTS_PER_ROUND} requests per variant (${all.join(', ')}), concurrency ${CONCURRENCY}`,
    );
    const rps = await interleaved(
      {
        rounds,
        warmupRounds: WARMUP_ROUNDS,
        variants: all,
        onRound: (round, results) =>
          context.log(
            `  round ${round + 1}/${rounds}: ${all.map((variant) => `${variant} ${results[variant].toFixed(0)}`).join(', ')} req/s`,
          ),
      },
      async (variant, round) => {
        const fn = functions.get(variant)!;
        const cpuBefore = processCpuMs(fn.runtime.pid);
        const benchBefore = process.cpuUsage();
        const result = await runLoad({
          url: `${fn.url}${BENCH_ROUTE}`,
          headers: CLOUDFRONT_REQUEST_HEADERS,
          requests: REQUESTS_PER_ROUND,
          concurrency: CONCURRENCY,
          agent: agents.get(variant)!,
          expectBody: 'hello',
        });
        const cpuAfter = processCpuMs(fn.runtime.pid);
        const bench = process.cpuUsage(benchBefore);
        if (round >= 0) benchCpuShare[variant].push((bench.user + bench.system) / 1000 / result.elapsedMs);
        if (cpuBefore === undefined || cpuAfter === undefined) cpuAvailable = false;
        else if (round >= 0) cpu[variant].push((cpuAfter - cpuBefore) / REQUESTS_PER_ROUND);
        return result.requestsPerSecond;
      },
    );
    return { rounds, rps, benchCpuShare, ...(cpuAvailable ? { cpuMsPerRequest: cpu } : {}) };
  } finally {
    for (const agent of agents.values()) agent.destroy();
    await stopAll([...functions.values()]);
    workspace.remove();
  }
}

export interface ThroughputMeasurementOptions {
  /** Measurement id prefix: `<id>.rps` and `<id>.cpu`. */
  readonly id: string;
  /** Short name for titles, e.g. `'P1'`. */
  readonly name: string;
  /** Minimum requests/s ratio against the baseline, or `null` for an informational comparison. */
  readonly minRatio: number | null;
  /** The variant compared against. @default 'bare' */
  readonly baseline?: Variant;
}

/** The requests/s and CPU-per-request measurements of `variant` against a baseline (bare by default). */
export function throughputMeasurements(
  context: BenchContext,
  samples: ThroughputSamples,
  variant: Variant,
  options: ThroughputMeasurementOptions,
): Measurement[] {
  const label = VARIANT_LABELS[variant];
  const baseline = options.baseline ?? 'bare';
  const versus = baseline === 'bare' ? 'bare' : VARIANT_LABELS[baseline];
  const side = (series: Readonly<Partial<Record<Variant, number[]>>>, which: Variant) => ({
    label: VARIANT_LABELS[which],
    values: series[which] ?? [],
  });
  const measurements = [
    compare(
      context,
      { a: side(samples.rps, variant), b: side(samples.rps, baseline), unit: 'req/s' },
      {
        id: `${options.id}.rps`,
        title: `${options.name} requests/s, ${label} ÷ ${versus}`,
        target:
          options.minRatio === null ? null : { on: 'ratio', op: '>=', value: options.minRatio, unit: 'x' },
        note: `${throughputSetup(samples.rounds)}; the bench process was busy ${busy(samples.benchCpuShare, variant, baseline)} of a core`,
      },
    ),
  ];
  if (samples.cpuMsPerRequest) {
    measurements.push(
      compare(
        context,
        {
          a: side(samples.cpuMsPerRequest, variant),
          b: side(samples.cpuMsPerRequest, baseline),
          unit: 'CPU ms/request',
        },
        {
          id: `${options.id}.cpu`,
          title: `${options.name} function-process CPU per request, ${label} ÷ ${versus}`,
          target: null,
          withDifference: true,
          note: 'user + system CPU of the aws-lambda-ric process from /proc: the function alone, without the load generator',
        },
      ),
    );
  }
  return measurements;
}

/** `'78% / 85%'`: median share of a core the bench process used while loading `variant` / `baseline`. */
function busy(
  shares: Readonly<Partial<Record<Variant, number[]>>>,
  variant: Variant,
  baseline: Variant,
): string {
  const percent = (which: Variant) => `${Math.round(median(shares[which] ?? [Number.NaN]) * 100)}%`;
  return `${percent(variant)} / ${percent(baseline)} (${variant} / ${baseline})`;
}
