import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/** The bundling options that decide how sharp gets into the optimizer's asset. */
export type SharpBundlingOptions = Pick<
  nodejs.BundlingOptions,
  'externalModules' | 'nodeModules' | 'environment' | 'commandHooks'
>;

/**
 * Bundling options that install sharp beside the bundle for Lambda's Linux on `architecture`, whatever
 * package manager `depsLockFilePath` belongs to, and fail the bundling if its native package is missing.
 *
 * NodejsFunction installs `nodeModules` with the package manager of the lock file. Only npm follows
 * `npm_config_os`/`cpu`/`libc`; yarn, pnpm and bun install sharp's optional `@img/sharp-<os>-<cpu>`
 * package for the machine that synthesizes, and on Lambda sharp then throws "Could not load the sharp
 * module". So without an npm lock file, npm installs sharp (the version this package resolves) after
 * bundling, its lock file aside: sharp's dependencies are few and pinned by sharp itself.
 */
export function sharpBundling(
  depsLockFilePath: string,
  architecture: lambda.Architecture,
): SharpBundlingOptions {
  const cpu = lambdaCpu(architecture);
  // Read by `npm ci` in the npm case; the flags below say the same for the other case.
  const environment = { npm_config_os: 'linux', npm_config_cpu: cpu, npm_config_libc: 'glibc' };
  const check = (outputDir: string) => sharpPlatformCheck(outputDir, architecture);
  if (path.basename(depsLockFilePath) === 'package-lock.json') {
    return {
      nodeModules: ['sharp'],
      environment,
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        // `npm ci` needed the project's lock file in the asset; the function does not (a quarter of
        // a megabyte). Node rather than `rm`, so the hook also runs where the shell is cmd.
        afterBundling: (_inputDir, outputDir) => [
          check(outputDir),
          `node -e "require('fs').rmSync(process.argv[1], { force: true })" "${path.join(outputDir, 'package-lock.json')}"`,
        ],
      },
    };
  }
  return {
    // NodejsFunction's default externals for Node.js 18 and later, and sharp, installed below.
    externalModules: ['@aws-sdk/*', 'sharp'],
    environment,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      // --prefix: installs into the asset, never into the project above it. No install scripts:
      // they would run for this machine, and sharp's prebuilt Lambda package needs none.
      afterBundling: (_inputDir, outputDir) => [
        `npm install --prefix "${outputDir}" --no-save --no-package-lock --ignore-scripts --no-audit --no-fund --os=linux --cpu=${cpu} --libc=glibc sharp@${installedSharpVersion()}`,
        check(outputDir),
      ],
    },
  };
}

/**
 * A hook command that fails the bundling, naming the package, when sharp's native package for Lambda
 * is not in `outputDir`'s node_modules: a wrong-platform install must not deploy silently.
 */
export function sharpPlatformCheck(outputDir: string, architecture: lambda.Architecture): string {
  const name = `@img/sharp-linux-${lambdaCpu(architecture)}`;
  const manifest = path.join(outputDir, 'node_modules', name, 'package.json');
  // Passed as an argument, not in the script: cmd and sh quote alike only within double quotes.
  const message = `ImageOptimizer: ${name} is missing from the bundle, so sharp would fail on Lambda with 'Could not load the sharp module'. Install sharp with npm and --os=linux --cpu=${lambdaCpu(architecture)} --libc=glibc`;
  return `node -e "if (!require('fs').existsSync(process.argv[1])) { console.error(process.argv[2]); process.exit(1); }" "${manifest}" "${message}"`;
}

// npm's name (process.arch) of the function's CPU.
function lambdaCpu(architecture: lambda.Architecture): 'arm64' | 'x64' {
  return architecture.name === lambda.Architecture.X86_64.name ? 'x64' : 'arm64';
}

// The version of sharp this package resolves: its package.json is not among sharp's exports, so it
// is found above sharp's main file.
function installedSharpVersion(): string {
  for (let dir = path.dirname(require.resolve('sharp')); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sharp' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir)
      throw new Error(`cannot find the version of sharp from ${require.resolve('sharp')}`);
  }
}
