import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { lambdaNodeBinary } from '../test/harness/lambda-process';
import { type BuiltFunction, FIXTURES, type Variant } from './bundles';
import { interleaved } from './interleave';
import type { BenchContext } from './types';

/**
 * Module init time of bundles: each sample loads one bundle in a fresh Node 24 process (the Lambda
 * target) and times its `require()`, in interleaved rounds so every variant meets the same machine.
 */

const run = promisify(execFile);
const MEASURE_SCRIPT = path.join(FIXTURES, 'measure-init.cjs');

export const INIT_ROUNDS = 40;
const WARMUP_ROUNDS = 2;

/** Init milliseconds per variant, one value per round. */
export async function measureInit<V extends string = Variant>(
  context: BenchContext,
  name: string,
  builds: readonly Pick<BuiltFunction<V>, 'variant' | 'outfile'>[],
): Promise<Partial<Record<V, number[]>>> {
  const byVariant = new Map(builds.map((built) => [built.variant, built]));
  const rounds = context.rounds ?? INIT_ROUNDS;
  context.log(
    `${name}: module init in fresh Node 24 processes, ${rounds} interleaved rounds (${[...byVariant.keys()].join(', ')})`,
  );
  return interleaved({ rounds, warmupRounds: WARMUP_ROUNDS, variants: [...byVariant.keys()] }, (variant) =>
    initOnce(byVariant.get(variant)!.outfile),
  );
}

async function initOnce(bundle: string): Promise<number> {
  const { stdout } = await run(lambdaNodeBinary(), [MEASURE_SCRIPT, bundle], {
    cwd: path.dirname(bundle),
    env: { PATH: process.env.PATH },
  });
  const ms = Number(stdout.trim());
  if (!Number.isFinite(ms))
    throw new Error(`measuring the init of ${bundle} printed ${JSON.stringify(stdout)}`);
  return ms;
}
