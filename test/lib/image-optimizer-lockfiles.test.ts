process.env.CDK_VALIDATION = 'false';

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ImageOptimizer } from '../../lib/image-optimizer';
import { sharpPlatformCheck } from '../../lib/private/sharp-platform';

// NodejsFunction wants the entry under the folder of the lock file, and the optimizer's entry sits in
// this repository, next to its package-lock.json. The optimizer here bundles a stand-in entry in a
// throwaway project holding a yarn.lock and a pnpm-lock.yaml instead: what is installed beside the
// bundle, not the bundle, is under test.
const mockProject = { entry: '' };
jest.mock('../../lib/bundling/runtime-path', () => ({ runtimeModulePath: () => mockProject.entry }));

const REPO = path.resolve(__dirname, '..', '..');

// yarn and pnpm are not installed here. This stand-in runs the repository's esbuild for
// `yarn run esbuild` and `pnpm exec -- esbuild` (how NodejsFunction bundles with them) and, for
// `install`, installs as yarn and pnpm do: for this machine, ignoring npm_config_os/cpu/libc.
const PACKAGE_MANAGER = `#!/bin/sh
case "$1" in
  run) shift; exec "${REPO}/node_modules/.bin/$@" ;;
  exec) shift; [ "$1" = -- ] && shift; exec "${REPO}/node_modules/.bin/$@" ;;
  install) exec env -u npm_config_os -u npm_config_cpu -u npm_config_libc npm install --no-package-lock --no-audit --no-fund ;;
  *) echo "unexpected package manager command: $*" >&2; exit 1 ;;
esac
`;

function writeProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-optimizer-lockfiles-'));
  // The package.json nearest the entry names sharp, as this package's own does.
  const sharp = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).dependencies.sharp;
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', dependencies: { sharp } }));
  writeFileSync(path.join(dir, 'yarn.lock'), '# yarn lockfile v1\n\n');
  writeFileSync(path.join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
  writeFileSync(path.join(dir, 'handler.ts'), "export { default as handler } from 'sharp';\n");
  mkdirSync(path.join(dir, 'bin'));
  for (const tool of ['yarn', 'pnpm']) {
    writeFileSync(path.join(dir, 'bin', tool), PACKAGE_MANAGER);
    chmodSync(path.join(dir, 'bin', tool), 0o755);
  }
  return dir;
}

describe('ImageOptimizer with a yarn or pnpm project', () => {
  let project: string;
  let originalPath: string | undefined;
  const assets = new Map<string, string>();

  beforeAll(() => {
    project = writeProject();
    mockProject.entry = path.join(project, 'handler.ts');
    originalPath = process.env.PATH;
    process.env.PATH = `${path.join(project, 'bin')}${path.delimiter}${process.env.PATH}`;
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { region: 'eu-west-1' } });
    const cases = {
      yarnArm: { depsLockFilePath: path.join(project, 'yarn.lock') },
      yarnX64: {
        depsLockFilePath: path.join(project, 'yarn.lock'),
        architecture: lambda.Architecture.X86_64,
      },
      pnpmArm: { depsLockFilePath: path.join(project, 'pnpm-lock.yaml') },
      pnpmX64: {
        depsLockFilePath: path.join(project, 'pnpm-lock.yaml'),
        architecture: lambda.Architecture.X86_64,
      },
    };
    const optimizers = Object.entries(cases).map(
      ([id, props]) => [id, new ImageOptimizer(stack, id, props)] as const,
    );
    const assembly = app.synth();
    const resources = Template.fromStack(stack).toJSON().Resources;
    for (const [id, optimizer] of optimizers) {
      const logicalId = stack.getLogicalId(optimizer.function.node.defaultChild as CfnElement);
      const s3Key = String(resources[logicalId].Properties.Code.S3Key);
      assets.set(id, path.join(assembly.directory, `asset.${s3Key.replace('.zip', '')}`));
    }
  });

  afterAll(() => {
    process.env.PATH = originalPath;
    rmSync(project, { recursive: true, force: true });
  });

  // sharp's native packages in the asset: Lambda's alone, never this machine's.
  function nativePackages(id: string): string[] {
    return readdirSync(path.join(assets.get(id)!, 'node_modules', '@img'))
      .filter((name) => name.startsWith('sharp-'))
      .sort();
  }

  test.each([
    ['yarn.lock', 'yarnArm'],
    ['pnpm-lock.yaml', 'pnpmArm'],
  ])('installs sharp for linux-arm64, not for this machine, when the lock file is %s', (_lock, id) => {
    expect(nativePackages(id)).toEqual(['sharp-libvips-linux-arm64', 'sharp-linux-arm64']);
    expect(existsSync(path.join(assets.get(id)!, 'node_modules', 'sharp', 'package.json'))).toBe(true);
  });

  test.each([
    ['yarn.lock', 'yarnX64'],
    ['pnpm-lock.yaml', 'pnpmX64'],
  ])('installs sharp for linux-x64 when the architecture is x86_64 and the lock file is %s', (_lock, id) => {
    expect(nativePackages(id)).toEqual(['sharp-libvips-linux-x64', 'sharp-linux-x64']);
  });

  test('leaves no lock file or package manager state in the asset when the lock file is not npm', () => {
    for (const id of ['yarnArm', 'pnpmArm']) {
      expect(readdirSync(assets.get(id)!).sort()).toEqual(['index.js', 'node_modules']);
    }
  });
});

describe('sharpPlatformCheck', () => {
  let outputDir: string;

  beforeEach(() => {
    outputDir = mkdtempSync(path.join(tmpdir(), 'image-optimizer-check-'));
  });

  afterEach(() => {
    rmSync(outputDir, { recursive: true, force: true });
  });

  // As NodejsFunction runs hook commands outside Windows.
  function run(command: string) {
    return spawnSync('bash', ['-c', command], { encoding: 'utf8' });
  }

  function installPackage(name: string) {
    mkdirSync(path.join(outputDir, 'node_modules', name), { recursive: true });
    writeFileSync(path.join(outputDir, 'node_modules', name, 'package.json'), `{"name":"${name}"}`);
  }

  test('fails bundling, naming the package, when only another platform’s sharp was installed', () => {
    installPackage('@img/sharp-linux-x64');
    const result = run(sharpPlatformCheck(outputDir, lambda.Architecture.ARM_64));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('@img/sharp-linux-arm64');
    expect(result.stderr).toContain('Could not load the sharp module');
  });

  test('passes when the function’s platform package is installed', () => {
    installPackage('@img/sharp-linux-x64');
    const result = run(sharpPlatformCheck(outputDir, lambda.Architecture.X86_64));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
