import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFrontEmulationError } from './errors';

// Reads what `cdk synth` writes to its output folder (a "cloud assembly"): manifest.json names each
// stack's template and asset manifest; the asset manifest maps the hash in a template's S3 key to the
// file or folder in the output folder. The emulation runs exactly these files — the code `cdk deploy`
// would upload.

/** A resource of a CloudFormation template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

/** The parts of a CloudFormation template the emulation reads. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, unknown>>;
}

/** One stack of a synthesized cloud assembly. */
export interface AssemblyStack {
  /** The CDK output folder. */
  readonly outdir: string;
  readonly stackName: string;
  /** The region the stack names, or `undefined` for a region-agnostic stack. */
  readonly region?: string;
  readonly template: CfnTemplate;
  /** Absolute path of each asset by hash, from the stack's asset manifest. */
  readonly assets: ReadonlyMap<string, string>;
}

interface Manifest {
  readonly artifacts?: Record<
    string,
    {
      readonly type?: string;
      readonly environment?: string;
      readonly displayName?: string;
      readonly properties?: { readonly templateFile?: string };
      readonly dependencies?: readonly string[];
    }
  >;
}

interface AssetManifest {
  readonly files?: Record<string, { readonly source?: { readonly path?: string } }>;
}

/**
 * Reads one stack of the cloud assembly in `outdir`.
 *
 * @param stackName the stack's artifact id; may be omitted when the assembly has exactly one stack
 * @throws CloudFrontEmulationError when the folder is not a cloud assembly or the stack is not in it
 * @example
 * const stack = readAssemblyStack('cdk.out', 'VercelFunctionsExample');
 */
export function readAssemblyStack(outdir: string, stackName?: string): AssemblyStack {
  const root = path.resolve(outdir);
  const manifestFile = path.join(root, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new CloudFrontEmulationError(
      `${root} is not a cloud assembly (no manifest.json): pass the output folder of cdk synth`,
    );
  }
  const manifest = readJson<Manifest>(manifestFile);
  const artifacts = Object.entries(manifest.artifacts ?? {});
  const stacks = artifacts.filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
  const names = stacks.map(([name]) => name);
  let chosen: (typeof stacks)[number] | undefined;
  if (stackName === undefined) {
    if (stacks.length !== 1) {
      throw new CloudFrontEmulationError(
        `${root} holds ${stacks.length} stacks (${names.join(', ') || 'none'}): name the one to emulate`,
      );
    }
    chosen = stacks[0];
  } else {
    chosen = stacks.find(([name]) => name === stackName);
    if (!chosen) {
      throw new CloudFrontEmulationError(
        `${root} has no stack ${stackName}; it has ${names.join(', ') || 'none'}`,
      );
    }
  }
  const [name, artifact] = chosen;
  const templateFile = artifact.properties?.templateFile;
  if (!templateFile) throw new CloudFrontEmulationError(`stack ${name} in ${root} names no template file`);
  const region = /^aws:\/\/[^/]+\/(.+)$/.exec(artifact.environment ?? '')?.[1];
  const assets = new Map<string, string>();
  for (const dependency of artifact.dependencies ?? []) {
    const file = manifest.artifacts?.[dependency];
    if (file?.type !== 'cdk:asset-manifest') continue;
    const assetFile = (file.properties as { file?: string } | undefined)?.file;
    if (!assetFile) continue;
    const assetManifest = readJson<AssetManifest>(path.join(root, assetFile));
    for (const [hash, entry] of Object.entries(assetManifest.files ?? {})) {
      if (entry.source?.path) assets.set(hash, path.join(root, entry.source.path));
    }
  }
  return {
    outdir: root,
    stackName: name,
    region: region === undefined || region.startsWith('unknown-') ? undefined : region,
    template: readJson<CfnTemplate>(path.join(root, templateFile)),
    assets,
  };
}

/**
 * The asset an S3 object key of the template stands for (`<hash>.zip`, `<hash>.json`, …) — the
 * folder or file `cdk deploy` would upload under that key — or `undefined` when the key is not a
 * staged asset (the stack skipped bundling, or the key points elsewhere).
 */
export function assetForS3Key(stack: AssemblyStack, key: string): string | undefined {
  const hash = /(?:^|\/)([0-9a-f]{64})(?:\.[a-z0-9]+)?$/.exec(key)?.[1];
  if (hash === undefined) return undefined;
  const asset = stack.assets.get(hash);
  return asset !== undefined && existsSync(asset) ? asset : undefined;
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new CloudFrontEmulationError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
