import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

// The package as npm publishes it, installed into a throwaway consumer project: `npm pack` of a copy of
// the repository (so the `files` field decides what ships), unpacked into the consumer's node_modules,
// with the dependencies the manifest declares linked from this repository's node_modules. Nothing links
// the repository itself, so a file the package forgot to ship fails here instead of resolving from
// source.

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'vercel-functions-aws';

// Not copied into the packed copy: installed or generated trees, and dot folders (git, CI, scratch work)
// other than the ignore files npm reads. cdk.out gets a stand-in below so the test can see `files` keep
// it out.
const NOT_COPIED = new Set(['node_modules', 'dist', 'cdk.out', 'coverage']);
const DOT_FILES_COPIED = new Set(['.gitignore', '.npmignore']);

/**
 * What a consumer installs as its own dev dependencies when it writes TypeScript (never the package's:
 * `@types/aws-lambda` is a dependency because the handler types name it, so it must come from there).
 */
const CONSUMER_DEV_DEPENDENCIES = ['@types/node'];

/** Options of {@link packConsumer}. */
export interface PackConsumerOptions {
  /** Files to write into the consumer project, by path relative to it. */
  readonly files: Readonly<Record<string, string>>;
}

/** A packed package installed into a consumer project in a temporary folder. */
export interface PackedConsumer {
  /** The temporary folder holding everything; remove it when done. */
  readonly root: string;
  /** The consumer project: its `node_modules` holds the package and its linked dependencies. */
  readonly consumerDir: string;
  /** The unpacked package, `<consumerDir>/node_modules/vercel-functions-aws`. */
  readonly packageDir: string;
  /** Paths of the files in the tarball, as `npm pack --json` lists them. */
  readonly files: readonly string[];
  /** The shipped package.json. */
  readonly manifest: PackageManifest;
}

export interface PackageManifest {
  readonly bin?: Readonly<Record<string, string>>;
  readonly exports: Readonly<Record<string, string | { readonly types: string; readonly default: string }>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

/**
 * Compiles lib/ and runtime/ with tsconfig.build.json into a copy of the repository, packs the copy
 * with `npm pack` (offline; no lifecycle scripts) and installs the tarball into a new consumer project.
 */
export function packConsumer(options: PackConsumerOptions): PackedConsumer {
  const root = mkdtempSync(path.join(tmpdir(), 'vfa-package-'));
  const source = path.join(root, 'source');
  for (const entry of readdirSync(REPO_ROOT)) {
    if (NOT_COPIED.has(entry) || (entry.startsWith('.') && !DOT_FILES_COPIED.has(entry))) continue;
    cpSync(path.join(REPO_ROOT, entry), path.join(source, entry), { recursive: true });
  }
  mkdirSync(path.join(source, 'cdk.out'));
  writeFileSync(path.join(source, 'cdk.out', 'manifest.json'), '{}\n');
  execFileSync(
    path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'),
    ['-p', path.join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', path.join(source, 'dist')],
    { cwd: REPO_ROOT, stdio: 'pipe' },
  );
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', root], {
      cwd: source,
      env: offlineEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as { filename: string; files: { path: string }[] }[];

  const consumerDir = path.join(root, 'consumer');
  const packageDir = path.join(consumerDir, 'node_modules', PACKAGE_NAME);
  mkdirSync(packageDir, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(root, packed.filename), '-C', packageDir, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as PackageManifest;
  const linked = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...CONSUMER_DEV_DEPENDENCIES,
  ];
  for (const name of linked) linkPackage(consumerDir, name);
  for (const [file, contents] of Object.entries(options.files)) {
    mkdirSync(path.dirname(path.join(consumerDir, file)), { recursive: true });
    writeFileSync(path.join(consumerDir, file), contents);
  }
  return { root, consumerDir, packageDir, files: packed.files.map((file) => file.path), manifest };
}

/** Runs a script of the consumer with plain Node (this process's), from the consumer's folder. */
export function runConsumerScript(consumer: PackedConsumer, script: string, args: string[] = []): string {
  return execFileSync(process.execPath, [script, ...args], {
    cwd: consumer.consumerDir,
    env: offlineEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Type-checks the consumer with this repository's TypeScript and the given tsconfig; returns tsc's output. */
export function typeCheckConsumer(consumer: PackedConsumer, tsconfig: string): string {
  try {
    return execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', tsconfig], {
      cwd: consumer.consumerDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`tsc -p ${tsconfig} failed in the consumer:\n${stdout ?? ''}${stderr ?? ''}`, {
      cause: error,
    });
  }
}

// A package npm would have installed: a link to this repository's copy, plus its `bin` entries in
// node_modules/.bin (NodejsFunction runs `npx --no-install esbuild` from the project).
function linkPackage(consumerDir: string, name: string): void {
  const target = path.join(REPO_ROOT, 'node_modules', name);
  const link = path.join(consumerDir, 'node_modules', name);
  mkdirSync(path.dirname(link), { recursive: true });
  symlinkSync(target, link, 'dir');
  const { bin } = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const bins = typeof bin === 'string' ? { [name.split('/').pop()!]: bin } : (bin ?? {});
  const binDir = path.join(consumerDir, 'node_modules', '.bin');
  mkdirSync(binDir, { recursive: true });
  for (const [command, file] of Object.entries(bins))
    symlinkSync(path.join('..', name, file), path.join(binDir, command));
}

// npm never goes to the registry: `npm pack` needs nothing from it, and the image optimizer's `npm ci`
// of sharp must come from the local cache (a network fetch would make the test depend on the registry).
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    CDK_DISABLE_VERSION_CHECK: '1',
  };
  // Resolution must come from the consumer's node_modules only.
  delete env.NODE_PATH;
  return env;
}
