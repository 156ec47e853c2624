import { type BuiltFunction, buildVariant, createWorkspace, VARIANT_LABELS, type Variant } from './bundles';
import { measureInit } from './init-time';
import { compare, single } from './measurement';
import type { BenchContext, Benchmark, Measurement, Target } from './types';

/**
 * P5 — cold start: the bytes our runtime adds to a minified hello-world bundle (AWS SDK external,
 * as the Lambda runtime provides it) and the module init time it adds, against the same handler
 * written bare against `awslambda`. Two of ours: the adapter alone (no `@vercel/functions` import)
 * and with `waitUntil`/`geolocation` imported from our runtime.
 */

/** 25 KB, counted in decimal kilobytes (the stricter reading). */
const MAX_ADDED_BYTES = 25_000;
const MAX_ADDED_INIT_MS = 10;

const BYTES_TARGET: Target = { on: 'difference', op: '<=', value: MAX_ADDED_BYTES, unit: 'bytes' };
const INIT_TARGET: Target = { on: 'difference', op: '<=', value: MAX_ADDED_INIT_MS, unit: 'ms' };

export const p5: Benchmark = {
  name: 'p5',
  description: 'cold start: bundle bytes and module init time added to a hello-world, vs a bare handler',
  expected: {
    'p5.bytes': BYTES_TARGET,
    'p5.init': INIT_TARGET,
    'p5.api.bytes': BYTES_TARGET,
    'p5.api.init': INIT_TARGET,
  },
  async run(context) {
    const workspace = createWorkspace();
    try {
      const builds = await buildAll(workspace, ['bare', 'adapter', 'runtime-api']);
      const init = await measureInit(context, 'P5', Object.values(builds));
      return [
        ...coldStartMeasurements(context, builds, init, 'adapter', {
          id: 'p5',
          name: 'P5',
          bytesTarget: BYTES_TARGET,
          initTarget: INIT_TARGET,
        }),
        ...coldStartMeasurements(context, builds, init, 'runtime-api', {
          id: 'p5.api',
          name: 'P5',
          bytesTarget: BYTES_TARGET,
          initTarget: INIT_TARGET,
        }),
      ];
    } finally {
      workspace.remove();
    }
  },
};

export async function buildAll<V extends Variant>(
  workspace: Parameters<typeof buildVariant>[0],
  variants: readonly V[],
): Promise<Record<V, BuiltFunction>> {
  const builds = {} as Record<V, BuiltFunction>;
  for (const variant of variants) builds[variant] = await buildVariant(workspace, variant);
  return builds;
}

export interface ColdStartOptions {
  /** Measurement id prefix: `<id>.bytes` and `<id>.init`. */
  readonly id: string;
  readonly name: string;
  readonly bytesTarget: Target | null;
  readonly initTarget: Target | null;
}

/** Bundle bytes and init time of `variant` against the bare baseline. */
export function coldStartMeasurements(
  context: BenchContext,
  builds: Partial<Record<Variant, BuiltFunction>>,
  init: Partial<Record<Variant, number[]>>,
  variant: Variant,
  options: ColdStartOptions,
): Measurement[] {
  const ours = builds[variant];
  const bare = builds.bare;
  if (!ours || !bare) throw new Error(`coldStartMeasurements: ${variant} or bare was not built`);
  const label = VARIANT_LABELS[variant];
  return [
    single(
      context,
      {
        a: { label, value: ours.bytes },
        b: { label: VARIANT_LABELS.bare, value: bare.bytes },
        unit: 'bytes',
      },
      {
        id: `${options.id}.bytes`,
        title: `${options.name} minified bundle bytes, ${label} ÷ bare (difference = bytes added)`,
        target: options.bytesTarget,
        note: `gzip -9: ${ours.gzipBytes} vs ${bare.gzipBytes} bytes; @aws-sdk/* and @smithy/* external`,
      },
    ),
    compare(
      context,
      {
        a: { label, values: init[variant] ?? [] },
        b: { label: VARIANT_LABELS.bare, values: init.bare ?? [] },
        unit: 'ms',
      },
      {
        id: `${options.id}.init`,
        title: `${options.name} module init time, ${label} ÷ bare (difference = ms added)`,
        target: options.initTarget,
        withDifference: true,
        note: 'require() of the bundle in a fresh Node 24 process, per round',
      },
    ),
  ];
}
