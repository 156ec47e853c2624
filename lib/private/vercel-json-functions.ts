import * as lambda from 'aws-cdk-lib/aws-lambda';
import { minimatch } from 'minimatch';
import { LAMBDA_MEMORY_MB, LAMBDA_TIMEOUT_SECONDS } from './lambda-limits';
import type { VercelJson } from './vercel-json';
import { describe, isObject, VercelJsonError } from './vercel-json-error';

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

export function functionEntries(file: string, functions: unknown): VercelJsonFunction[] {
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
  const { min, max } = LAMBDA_MEMORY_MB;
  return wholeNumber(file, `${field}.memory`, value, LAMBDA_MEMORY_MB, {
    expected: `a whole number of MB from ${min} to ${max} (Lambda's limits, not Vercel's plan limits)`,
  });
}

function maxDuration(file: string, field: string, value: unknown): number {
  // "max" asks Vercel for its plan's longest duration; here that is Lambda's longest timeout.
  if (value === 'max') return LAMBDA_TIMEOUT_SECONDS.max;
  const { min, max } = LAMBDA_TIMEOUT_SECONDS;
  return wholeNumber(file, `${field}.maxDuration`, value, LAMBDA_TIMEOUT_SECONDS, {
    expected: `a whole number of seconds from ${min} to ${max} (Lambda's limit, not Vercel's plan limits) or "max"`,
  });
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

// `value` when it is a whole number within `range`, else the error naming the field and what it expects.
function wholeNumber(
  file: string,
  field: string,
  value: unknown,
  range: { readonly min: number; readonly max: number },
  message: { readonly expected: string },
): number {
  if (!Number.isInteger(value) || (value as number) < range.min || (value as number) > range.max) {
    throw new VercelJsonError(file, `${field} must be ${message.expected}, got ${describe(value)}`);
  }
  return value as number;
}
