import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { minimatch } from 'minimatch';
import { resolveImageOptimizerConfig, VERCEL_IMAGES_FIELDS } from '../../runtime/image-optimizer/config';
import type { ImageOptimizerProps } from '../image-optimizer';

// A Vercel project's own configuration file, read once for `cdk deploy` (VercelProject) and
// `npm start` (the dev server) alike. Of its keys, `images` (an ImageOptimizer) and `functions`
// (memory, maxDuration and architecture per function) have equivalents applied from the file; the
// others are named in a synth warning, so nobody assumes a rewrite or a cron took effect on AWS.

/** The project configuration file, in the project's root folder. */
export const VERCEL_JSON = 'vercel.json';

/** Construct id (in the VercelProject) of the ImageOptimizer created from `images`. */
export const VERCEL_JSON_IMAGES_ID = 'Images';

// Every top-level key Vercel documents for vercel.json
// (https://vercel.com/docs/project-configuration/vercel-json; schema https://openapi.vercel.sh/vercel.json,
// as @vercel/config's VercelConfig mirrors it), by what VercelProject does with it.

/** Applied: `images` becomes an ImageOptimizer, `functions` sets each function's Lambda settings. */
const APPLIED_KEYS: readonly string[] = ['images', 'functions'];

/**
 * Metadata with no behaviour on Vercel either, so never worth a warning: the editor schema, and
 * the configuration format's version (`2` in older files).
 */
const METADATA_KEYS: readonly string[] = ['$schema', 'version'];

/**
 * Not applied; each with the VercelProject prop that does the same, where one does. Build and
 * Git settings have no meaning here (the CDK app bundles the functions, and deploys when you run
 * it); routing rules, crons and Vercel's platform settings have no equivalent (yet).
 */
const IGNORED_KEYS: Readonly<Record<string, string | undefined>> = {
  alias: 'domainNames',
  build: undefined,
  buildCommand: undefined,
  builds: undefined,
  bulkRedirectsPath: undefined,
  bunVersion: undefined,
  cleanUrls: undefined,
  crons: undefined,
  devCommand: undefined,
  env: 'environment',
  fluid: undefined,
  framework: undefined,
  functionFailoverRegions: undefined,
  git: undefined,
  github: undefined,
  headers: undefined,
  ignoreCommand: undefined,
  installCommand: undefined,
  name: undefined,
  outputDirectory: undefined,
  passiveRegions: undefined,
  public: undefined,
  redirects: undefined,
  regions: 'regions',
  relatedProjects: undefined,
  rewrites: undefined,
  routes: undefined,
  scope: undefined,
  trailingSlash: undefined,
  wildcard: undefined,
};

/** What a project's `vercel.json` holds, as far as it concerns a VercelProject. */
export interface VercelJson {
  /** Absolute path of the file. */
  readonly file: string;
  /** `images`, validated, as ImageOptimizerProps (`minimumCacheTTL` seconds as a Duration). */
  readonly images?: ImageOptimizerProps;
  /** `functions`, validated, in file order (the order its patterns are tried in); empty without it. */
  readonly functions: readonly VercelJsonFunction[];
  /** Top-level keys the file sets that VercelProject does not apply, in file order. */
  readonly ignoredKeys: readonly string[];
}

/** One entry of vercel.json `functions`: a glob over source files, and the settings it applies. */
export interface VercelJsonFunction {
  /** The pattern, relative to the project folder: a file (`api/report.ts`) or a glob (`api/*.ts`). */
  readonly pattern: string;
  /** Memory in MB. */
  readonly memory?: number;
  /** Maximum duration in seconds (`"max"` resolved to Lambda's 900). */
  readonly maxDuration?: number;
  /** Instruction set. */
  readonly architecture?: lambda.Architecture;
  /** Keys the entry sets that have no effect on AWS, in file order. */
  readonly ignoredKeys: readonly string[];
}

/**
 * A `vercel.json` that cannot be used: not JSON, not an object, an `images` an ImageOptimizer
 * refuses, or a `functions` entry Lambda cannot apply (or Vercel refuses). The message starts with
 * the file's path and names the field and the value received.
 */
export class VercelJsonError extends Error {
  /** Absolute path of the file. */
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'VercelJsonError';
    this.file = file;
  }
}

/**
 * Reads and validates `<projectDir>/vercel.json`: `undefined` when the project has none.
 *
 * @throws VercelJsonError when the file is not a JSON object, or its `images` or `functions` is not
 *   valid
 */
export function readVercelJson(projectDir: string): VercelJson | undefined {
  const file = path.resolve(projectDir, VERCEL_JSON);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new VercelJsonError(file, `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(parsed)) throw new VercelJsonError(file, `must hold a JSON object, got ${describe(parsed)}`);
  const ignoredKeys = Object.keys(parsed).filter(
    (key) => !APPLIED_KEYS.includes(key) && !METADATA_KEYS.includes(key),
  );
  return {
    file,
    images: parsed.images === undefined ? undefined : imagesProps(file, parsed.images),
    functions: parsed.functions === undefined ? [] : functionEntries(file, parsed.functions),
    ignoredKeys,
  };
}

/**
 * The warning for `keys` a VercelProject ignores: each with the prop to use instead where there is
 * one, and the keys Vercel does not document (a typo, or one newer than this list) told apart.
 */
export function ignoredKeysMessage(file: string, keys: readonly string[]): string {
  const documented = keys.filter((key) => Object.hasOwn(IGNORED_KEYS, key));
  const unknown = keys.filter((key) => !Object.hasOwn(IGNORED_KEYS, key));
  const sentences: string[] = [];
  if (documented.length > 0) {
    const named = documented.map((key) => {
      const instead = IGNORED_KEYS[key];
      return instead === undefined ? key : `${key} (use VercelProject's ${instead})`;
    });
    sentences.push(
      `${file} sets ${named.join(', ')}: VercelProject does not apply ${documented.length === 1 ? 'it' : 'them'}, so ${documented.length === 1 ? 'it has' : 'they have'} no effect on AWS.`,
    );
  }
  if (unknown.length > 0) {
    sentences.push(
      `${documented.length > 0 ? 'It also sets' : `${file} sets`} ${unknown.join(', ')}, ${unknown.length === 1 ? 'not a documented vercel.json key' : 'not documented vercel.json keys'} (ignored).`,
    );
  }
  sentences.push(
    'Only images (an ImageOptimizer at /_vercel/image) and functions (memory, maxDuration and architecture per function) are applied.',
  );
  return sentences.join(' ');
}

// vercel.json `functions`, as Vercel's build reads it. Sources (vercel/vercel):
// - packages/build-utils/src/schemas.ts (getFunctionsSchema): the keys an entry may have, patterns
//   of 1 to 256 characters, `maxDuration` a whole number or "max", `memory` 128 to 10240;
// - packages/fs-detectors/src/detect-builders.ts: validateFunctions (no leading slash, no empty
//   entry), getFunction (a function takes the FIRST pattern, in file order, that equals its path or
//   `minimatch(path, pattern)` with default options — so `api/users/[id].ts`, a character class to
//   minimatch, still matches its own file), checkUnusedFunctions (a pattern no function takes fails
//   the build: "The pattern … defined in `functions` doesn't match any Serverless Functions inside
//   the `api` directory.").
// The ranges checked here are Lambda's, not Vercel's plan limits: what the file asks for must be
// deployable as a Lambda function.

/** Entry keys applied to the function's Lambda settings. */
const FUNCTION_APPLIED_KEYS: readonly string[] = ['memory', 'maxDuration', 'architecture'];

/**
 * Entry keys Vercel documents that have no equivalent here: the runtime is always Node.js 24 and
 * esbuild bundles what a function imports (`runtime`, `includeFiles`, `excludeFiles`); Vercel's
 * queue triggers, request cancellation, per-instance concurrency and failover regions have no
 * counterpart; the stack's region is where every function runs (`regions`).
 */
const FUNCTION_IGNORED_KEYS: readonly string[] = [
  'runtime',
  'includeFiles',
  'excludeFiles',
  'supportsCancellation',
  'experimentalTriggers',
  'maxConcurrency',
  'regions',
  'functionFailoverRegions',
];

// Lambda's limits (Lambda quotas: memory 128 MB to 10,240 MB, timeout 900 seconds).
const LAMBDA_MEMORY = { min: 128, max: 10_240 } as const;
const LAMBDA_MAX_DURATION = { min: 1, max: 900 } as const;
// Vercel's schema allows patterns of 1 to 256 characters.
const MAX_PATTERN_LENGTH = 256;

const ARCHITECTURES: Readonly<Record<string, lambda.Architecture>> = {
  arm64: lambda.Architecture.ARM_64,
  x86_64: lambda.Architecture.X86_64,
};

/**
 * The entry of `functions` that configures `source` (a function's file relative to the project
 * folder, `/`-separated, e.g. `api/users/[id].ts`): the first, in file order, whose pattern is that
 * path or matches it as a glob — as on Vercel, entries are not merged.
 */
export function functionEntryFor(
  functions: readonly VercelJsonFunction[],
  source: string,
): VercelJsonFunction | undefined {
  return functions.find(({ pattern }) => matches(pattern, source));
}

// Vercel's test (detect-builders.ts getFunction): the path itself, or minimatch with default options.
function matches(pattern: string, source: string): boolean {
  return pattern === source || minimatch(source, pattern);
}

/** A function of the project, as `functions` patterns see it. */
export interface FunctionSource {
  /** The function's file relative to the project folder, `/`-separated, e.g. `api/report.ts`. */
  readonly source: string;
  /** Whether a function the user brings serves it instead (VercelProject's `functions` prop). */
  readonly own: boolean;
}

/** What `functions` does to a project's functions. */
export interface FunctionsAssignment {
  /** The entry of each generated function, by source file; one no pattern matches is absent. */
  readonly bySource: ReadonlyMap<string, VercelJsonFunction>;
  /** Patterns that configure only functions the user brings, which keep their own settings. */
  readonly ownOnly: readonly string[];
}

/**
 * Assigns each function of the project its `functions` entry ({@link functionEntryFor}).
 *
 * @throws VercelJsonError when a pattern configures no function, as Vercel refuses such a file
 */
export function assignFunctions(
  vercelJson: VercelJson,
  sources: readonly FunctionSource[],
): FunctionsAssignment {
  const bySource = new Map<string, VercelJsonFunction>();
  const taken = new Map<VercelJsonFunction, FunctionSource[]>();
  for (const fn of sources) {
    const entry = functionEntryFor(vercelJson.functions, fn.source);
    if (!entry) continue;
    taken.set(entry, [...(taken.get(entry) ?? []), fn]);
    if (!fn.own) bySource.set(fn.source, entry);
  }
  for (const entry of vercelJson.functions) {
    if (!taken.has(entry))
      throw new VercelJsonError(vercelJson.file, unusedPatternMessage(entry, vercelJson, sources));
  }
  const ownOnly = vercelJson.functions
    .filter((entry) => taken.get(entry)!.every((fn) => fn.own))
    .map((entry) => entry.pattern);
  return { bySource, ownOnly };
}

/** The warning for `functions` patterns that configure only functions the user brings. */
export function ownFunctionsOnlyMessage(file: string, patterns: readonly string[]): string {
  const named = patterns.map((pattern) => `'${pattern}'`).join(', ');
  return `${file}: functions ${named} ${patterns.length === 1 ? 'matches' : 'match'} only routes served by functions you bring (VercelProject's functions prop), so ${patterns.length === 1 ? 'it has' : 'they have'} no effect: set memory and timeout on those functions themselves.`;
}

/**
 * The warning for `functions` entries setting keys with no effect on AWS, naming pattern and keys;
 * `undefined` when no entry sets one.
 */
export function ignoredFunctionKeysMessage(
  file: string,
  functions: readonly VercelJsonFunction[],
): string | undefined {
  const entries = functions.filter((entry) => entry.ignoredKeys.length > 0);
  if (entries.length === 0) return undefined;
  const named = entries.map((entry) => `'${entry.pattern}' sets ${entry.ignoredKeys.join(', ')}`).join('; ');
  return `${file}: functions ${named}: VercelProject does not apply these keys, so they have no effect on AWS (functions run on Node.js 24, bundled by esbuild from what they import, in the stack's region). Only ${FUNCTION_APPLIED_KEYS.join(', ')} are applied.`;
}

function unusedPatternMessage(
  entry: VercelJsonFunction,
  vercelJson: VercelJson,
  sources: readonly FunctionSource[],
): string {
  const refused =
    'Vercel refuses it too ("doesn\'t match any Serverless Functions inside the `api` directory")';
  const matched = sources.filter(({ source }) => matches(entry.pattern, source));
  if (matched.length === 0) {
    return `functions has the pattern '${entry.pattern}', which matches no function in api/: ${refused}. Patterns are relative to the project folder, e.g. 'api/report.ts' or 'api/**/*.ts'.`;
  }
  const earlier = [
    ...new Set(matched.map(({ source }) => functionEntryFor(vercelJson.functions, source)!.pattern)),
  ];
  return `functions has the pattern '${entry.pattern}', but every function it matches takes the settings of an earlier pattern (${earlier.map((p) => `'${p}'`).join(', ')}): the first matching pattern applies, and ${refused}. Move '${entry.pattern}' before ${earlier.length === 1 ? 'it' : 'them'}.`;
}

function functionEntries(file: string, functions: unknown): VercelJsonFunction[] {
  if (!isObject(functions)) {
    throw new VercelJsonError(
      file,
      `functions must be an object of file patterns to settings, got ${describe(functions)}`,
    );
  }
  return Object.entries(functions).map(([pattern, entry]) => functionEntry(file, pattern, entry));
}

function functionEntry(file: string, pattern: string, entry: unknown): VercelJsonFunction {
  const field = `functions['${pattern}']`;
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw new VercelJsonError(
      file,
      `functions has a pattern of ${pattern.length} characters; a pattern has 1 to ${MAX_PATTERN_LENGTH}`,
    );
  }
  if (pattern.startsWith('/')) {
    throw new VercelJsonError(
      file,
      `functions has the pattern '${pattern}', which starts with a slash: patterns are relative to the project folder (e.g. '${pattern.replace(/^\/+/, '')}')`,
    );
  }
  if (!isObject(entry)) throw new VercelJsonError(file, `${field} must be an object, got ${describe(entry)}`);
  const keys = Object.keys(entry);
  if (keys.length === 0) {
    throw new VercelJsonError(
      file,
      `${field} sets nothing: set at least one of ${FUNCTION_APPLIED_KEYS.join(', ')} (Vercel refuses an empty entry)`,
    );
  }
  const unknown = keys.find(
    (key) => !FUNCTION_APPLIED_KEYS.includes(key) && !FUNCTION_IGNORED_KEYS.includes(key),
  );
  if (unknown !== undefined) {
    throw new VercelJsonError(
      file,
      `${field} has an unknown field '${unknown}' (known: ${[...FUNCTION_APPLIED_KEYS, ...FUNCTION_IGNORED_KEYS].join(', ')})`,
    );
  }
  return {
    pattern,
    memory: entry.memory === undefined ? undefined : memory(file, field, entry.memory),
    maxDuration: entry.maxDuration === undefined ? undefined : maxDuration(file, field, entry.maxDuration),
    architecture:
      entry.architecture === undefined ? undefined : architecture(file, field, entry.architecture),
    ignoredKeys: keys.filter((key) => FUNCTION_IGNORED_KEYS.includes(key)),
  };
}

function memory(file: string, field: string, value: unknown): number {
  if (
    !Number.isInteger(value) ||
    (value as number) < LAMBDA_MEMORY.min ||
    (value as number) > LAMBDA_MEMORY.max
  ) {
    throw new VercelJsonError(
      file,
      `${field}.memory must be a whole number of MB from ${LAMBDA_MEMORY.min} to ${LAMBDA_MEMORY.max} (Lambda's limits, not Vercel's plan limits), got ${describe(value)}`,
    );
  }
  return value as number;
}

function maxDuration(file: string, field: string, value: unknown): number {
  // "max" asks Vercel for its plan's longest duration; here that is Lambda's longest timeout.
  if (value === 'max') return LAMBDA_MAX_DURATION.max;
  if (
    !Number.isInteger(value) ||
    (value as number) < LAMBDA_MAX_DURATION.min ||
    (value as number) > LAMBDA_MAX_DURATION.max
  ) {
    throw new VercelJsonError(
      file,
      `${field}.maxDuration must be a whole number of seconds from ${LAMBDA_MAX_DURATION.min} to ${LAMBDA_MAX_DURATION.max} (Lambda's limit, not Vercel's plan limits) or "max", got ${describe(value)}`,
    );
  }
  return value as number;
}

function architecture(file: string, field: string, value: unknown): lambda.Architecture {
  if (typeof value !== 'string' || !Object.hasOwn(ARCHITECTURES, value)) {
    const allowed = Object.keys(ARCHITECTURES).map((name) => `"${name}"`);
    throw new VercelJsonError(
      file,
      `${field}.architecture must be ${allowed.join(' or ')}, got ${describe(value)}`,
    );
  }
  return ARCHITECTURES[value];
}

function imagesProps(file: string, images: unknown): ImageOptimizerProps {
  if (!isObject(images)) throw new VercelJsonError(file, `images must be an object, got ${describe(images)}`);
  const unknown = Object.keys(images).find(
    (key) => !(VERCEL_IMAGES_FIELDS as readonly string[]).includes(key),
  );
  if (unknown !== undefined) {
    throw new VercelJsonError(
      file,
      `images has an unknown field '${unknown}' (known: ${VERCEL_IMAGES_FIELDS.join(', ')})`,
    );
  }
  // The optimizer's own validation, so the file is named with the field: its messages start with
  // the field (`sizes[0] must be…`), here under `images.`.
  try {
    resolveImageOptimizerConfig(images);
  } catch (error) {
    throw new VercelJsonError(file, `images.${(error as Error).message}`, { cause: error });
  }
  const { minimumCacheTTL, ...rest } = images;
  return {
    ...(rest as ImageOptimizerProps),
    minimumCacheTTL: minimumCacheTTL === undefined ? undefined : Duration.seconds(minimumCacheTTL as number),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return JSON.stringify(value);
}
