import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { discoverRoutes } from '../lib/local/routes';
import { readVercelJson } from '../lib/private/vercel-json';
import { REPO_ROOT } from './bundles';
import { registerCleanup } from './cleanup';
import { generateProject } from './generate-project';
import { interleaved } from './interleave';
import { compare } from './measurement';
import type { Benchmark, Measurement } from './types';

/**
 * `npx cdk synth` wall time for the example app (bin/app.ts deploying examples/) and for a
 * generated 30-route project, interleaved. Recorded, not a target: the ratio says how synth scales
 * with routes, the medians what a user waits.
 */

const run = promisify(execFile);
const ROUNDS = 3;
const GENERATED_ROUTES = 30;
const SYNTH_APP = path.join(__dirname, 'fixtures', 'synth-app.ts');
// Under node_modules/.cache, where the constructs keep generated build inputs: a fixed path keeps
// the generated Lambda entries the construct writes for each route stable from run to run (a fresh
// temporary folder would leave 30 new ones behind every time), and the repository's lock file and
// esbuild are found by the construct's usual lookup.
const GENERATED_PROJECT = path.join(
  REPO_ROOT,
  'node_modules',
  '.cache',
  'vercel-functions-aws',
  'bench-project',
);
const ID = 'synth.routes30';
const TITLE = `cdk synth wall time, generated ${GENERATED_ROUTES}-route project ÷ example app`;

export const synth: Benchmark = {
  name: 'synth',
  description: `npx cdk synth time: the example app and a generated ${GENERATED_ROUTES}-route project`,
  expected: { [ID]: null },
  async run(context) {
    const scratch = mkdtempSync(path.join(tmpdir(), 'vfa-bench-synth-'));
    const unregister = registerCleanup(() => {
      rmSync(scratch, { recursive: true, force: true });
      rmSync(GENERATED_PROJECT, { recursive: true, force: true });
    });
    try {
      rmSync(GENERATED_PROJECT, { recursive: true, force: true });
      const projectDir = generateProject(GENERATED_PROJECT, GENERATED_ROUTES);
      const examplesDir = path.join(REPO_ROOT, 'examples');
      const exampleRoutes = discoverRoutes(examplesDir).length;
      const rounds = context.rounds ?? ROUNDS;
      // The example's vercel.json turns Image Optimization on: one more function URL than routes.
      const exampleImageOptimizers = readVercelJson(examplesDir)?.images ? 1 : 0;
      const apps = {
        generated: {
          args: ['--app', `npx tsx ${SYNTH_APP}`],
          env: { VFA_BENCH_PROJECT_DIR: projectDir, VFA_BENCH_ROUTES: String(GENERATED_ROUTES) },
          functionUrls: GENERATED_ROUTES,
        },
        example: { args: [], env: {}, functionUrls: exampleRoutes + exampleImageOptimizers },
      };
      context.log(
        `synth: ${rounds} interleaved rounds of npx cdk synth (example app, ${GENERATED_ROUTES} routes)`,
      );
      const seconds = await interleaved(
        {
          rounds,
          variants: ['generated', 'example'] as const,
          onRound: (round, results) =>
            context.log(
              `  round ${round + 1}/${rounds}: ${results.generated.toFixed(1)} s for ${GENERATED_ROUTES} routes, ${results.example.toFixed(1)} s for the example`,
            ),
        },
        async (which, round) => {
          const outdir = path.join(scratch, `cdk.out-${which}-${round}`);
          const elapsed = await timeSynth(apps[which].args, apps[which].env, outdir);
          // A synth that silently produced less than the project must not count as a fast one.
          const urls = functionUrls(outdir);
          if (urls !== apps[which].functionUrls) {
            throw new Error(
              `cdk synth of the ${which} app produced ${urls} function URLs, expected ${apps[which].functionUrls}`,
            );
          }
          rmSync(outdir, { recursive: true, force: true });
          return elapsed;
        },
      );
      const measurement: Measurement = compare(
        context,
        {
          a: { label: `${GENERATED_ROUTES}-route project (s)`, values: seconds.generated },
          b: { label: `example app, ${exampleRoutes} routes (s)`, values: seconds.example },
          unit: 's',
        },
        {
          id: ID,
          title: TITLE,
          target: null,
          note: 'npx cdk synth -q, local esbuild bundling, validation on',
        },
      );
      return [measurement];
    } finally {
      unregister();
      rmSync(scratch, { recursive: true, force: true });
      rmSync(GENERATED_PROJECT, { recursive: true, force: true });
    }
  },
};

async function timeSynth(args: string[], env: Record<string, string>, outdir: string): Promise<number> {
  const started = performance.now();
  try {
    await run('npx', ['cdk', 'synth', '-q', '-o', outdir, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(
      `cdk synth ${args.join(' ')} failed:\n${(stderr ?? String(error)).split('\n').slice(-25).join('\n')}`,
      {
        cause: error,
      },
    );
  }
  return (performance.now() - started) / 1000;
}

/** Lambda function URLs (one per route) across the synthesized templates in `outdir`. */
function functionUrls(outdir: string): number {
  let count = 0;
  for (const file of readdirSync(outdir).filter((name) => name.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) as {
      Resources?: Record<string, { Type?: string }>;
    };
    count += Object.values(template.Resources ?? {}).filter(
      (resource) => resource.Type === 'AWS::Lambda::Url',
    ).length;
  }
  return count;
}
