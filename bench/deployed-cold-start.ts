import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { VercelFunction } from '../lib/vercel-function';
import { type BuiltFunction, createWorkspace, FIXTURES, REPO_ROOT } from './bundles';
import { measureInit } from './init-time';
import { compare, single } from './measurement';
import type { BenchContext, Benchmark, Measurement, Target } from './types';

/**
 * Cold start of what `cdk deploy` uploads: the hello-world asset a `VercelFunction` stages at synth
 * (synthesized in-process with this app's cdk.json context, so the bundling is exactly the
 * deployment's: unminified, NodejsFunction's externals) against the same handler written bare and
 * deployed as a plain `NodejsFunction`. Ours: the hello world as `VercelProject` deploys it (AWS SDK
 * from the Lambda runtime), and a function calling `getVercelOidcToken()` with the SDK from the
 * runtime and bundled (`bundleAwsSDK: true`, what `VercelProject` sets for `oidcAudiences`). P5
 * measures the shim alone, minified; this is the number a user's function pays.
 */

export type DeployedVariant = 'bare' | 'default' | 'oidc' | 'oidcSdk';

const LABELS: Readonly<Record<DeployedVariant, string>> = {
  bare: 'bare NodejsFunction',
  default: 'VercelFunction hello',
  oidc: 'VercelFunction calling getVercelOidcToken()',
  oidcSdk: 'VercelFunction calling getVercelOidcToken(), bundleAwsSDK',
};

const IDS: Readonly<Record<Exclude<DeployedVariant, 'bare'>, string>> = {
  default: 'deployed',
  oidc: 'deployed.oidc',
  oidcSdk: 'deployed.oidc-sdk',
};

/** P5's budget for the init time our runtime adds, held by the default deployment too. */
const INIT_TARGET: Target = { on: 'difference', op: '<=', value: 10, unit: 'ms' };

export const deployed: Benchmark = {
  name: 'deployed',
  description:
    'cold start of the cdk synth asset: VercelFunction hello-world and an OIDC function (SDK external, and bundled) vs a bare NodejsFunction',
  expected: {
    'deployed.bytes': null,
    'deployed.init': INIT_TARGET,
    'deployed.oidc.bytes': null,
    'deployed.oidc.init': null,
    'deployed.oidc-sdk.bytes': null,
    'deployed.oidc-sdk.init': null,
  },
  async run(context) {
    const workspace = createWorkspace();
    try {
      context.log('deployed: synthesizing a VercelFunction hello-world and a bare NodejsFunction');
      const builds = synthesizeDeployed(path.join(workspace.dir, 'cdk.out'));
      const init = await measureInit(context, 'deployed', Object.values(builds));
      return [
        ...measurements(context, builds, init, 'default', INIT_TARGET),
        ...measurements(context, builds, init, 'oidc', null),
        ...measurements(context, builds, init, 'oidcSdk', null),
      ];
    } finally {
      workspace.remove();
    }
  },
};

/**
 * Synthesizes the four functions into `outdir` (inside the bench workspace, whose `node_modules`
 * stands in for the SDK the Lambda runtime provides) and returns their staged bundles.
 */
export function synthesizeDeployed(outdir: string): Record<DeployedVariant, BuiltFunction<DeployedVariant>> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const app = new App({ outdir, context: cdkJson.context });
  const stack = new Stack(app, 'DeployedColdStart', { env: { region: 'us-east-1' } });
  const functions: Record<DeployedVariant, lambda.Function> = {
    bare: new nodejs.NodejsFunction(stack, 'Bare', {
      entry: path.join(FIXTURES, 'bare-hello.mjs'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: { forceDockerBundling: false },
    }),
    default: new VercelFunction(stack, 'Default', { entry: path.join(FIXTURES, 'hello.ts') }),
    oidc: new VercelFunction(stack, 'Oidc', { entry: path.join(FIXTURES, 'oidc-token.ts') }),
    oidcSdk: new VercelFunction(stack, 'OidcSdk', {
      entry: path.join(FIXTURES, 'oidc-token.ts'),
      bundling: { bundleAwsSDK: true },
    }),
  };
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, { Properties?: { Code?: { S3Key?: string } } }>;
  };
  const built = {} as Record<DeployedVariant, BuiltFunction<DeployedVariant>>;
  for (const [variant, fn] of Object.entries(functions) as [DeployedVariant, lambda.Function][]) {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
    const key = template.Resources[logicalId]?.Properties?.Code?.S3Key;
    if (!key) throw new Error(`deployed: ${logicalId} has no staged asset in the synthesized template`);
    const taskRoot = path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
    const outfile = path.join(taskRoot, 'index.js');
    const code = readFileSync(outfile);
    built[variant] = {
      variant,
      taskRoot,
      handler: 'index.handler',
      outfile,
      bytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
    };
  }
  return built;
}

function measurements(
  context: BenchContext,
  builds: Record<DeployedVariant, BuiltFunction<DeployedVariant>>,
  init: Partial<Record<DeployedVariant, number[]>>,
  variant: Exclude<DeployedVariant, 'bare'>,
  initTarget: Target | null,
): Measurement[] {
  const id = IDS[variant];
  const ours = builds[variant];
  const bare = builds.bare;
  const sdk = variant === 'oidcSdk' ? 'AWS SDK bundled' : '@aws-sdk/* and @smithy/* external';
  return [
    single(
      context,
      {
        a: { label: LABELS[variant], value: ours.bytes },
        b: { label: LABELS.bare, value: bare.bytes },
        unit: 'bytes',
      },
      {
        id: `${id}.bytes`,
        title: `Deployed bundle bytes (cdk synth asset), ${LABELS[variant]} ÷ bare (difference = bytes added)`,
        target: null,
        note: `gzip -9: ${ours.gzipBytes} vs ${bare.gzipBytes} bytes; unminified as NodejsFunction deploys; ${sdk}`,
      },
    ),
    compare(
      context,
      {
        a: { label: LABELS[variant], values: init[variant] ?? [] },
        b: { label: LABELS.bare, values: init.bare ?? [] },
        unit: 'ms',
      },
      {
        id: `${id}.init`,
        title: `Deployed module init time, ${LABELS[variant]} ÷ bare (difference = ms added)`,
        target: initTarget,
        withDifference: true,
        note: 'require() of the staged index.js in a fresh Node 24 process, per round',
      },
    ),
  ];
}
