import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { resolveImageOptimizerConfig, VERCEL_IMAGES_FIELDS } from '../../runtime/image-optimizer/config';
import type { ImageOptimizerProps } from '../image-optimizer';
import { proxySettingMessage } from './routing-middleware';
import { cronEntries, type VercelJsonCron } from './vercel-json-crons';
import { describe, isObject, VercelJsonError } from './vercel-json-error';
import { functionEntries, type VercelJsonFunction } from './vercel-json-functions';
import { type CompiledRoutingRules, compileRoutingRules, ROUTING_KEYS } from './vercel-json-routes';

export type { VercelJsonCron } from './vercel-json-crons';
export { VercelJsonError } from './vercel-json-error';
export {
  assignFunctions,
  type FunctionSource,
  type FunctionsAssignment,
  functionEntryFor,
  ignoredFunctionKeysMessage,
  ownFunctionsOnlyMessage,
  type VercelJsonFunction,
} from './vercel-json-functions';

// A Vercel project's own configuration file, read once for `cdk deploy` (VercelProject) and
// `npm start` (the dev server) alike. Of its keys, `images` (an ImageOptimizer), `functions`
// (memory, maxDuration and architecture per function), `crons` (EventBridge Scheduler schedules,
// created by VercelProject for `cdk deploy` only) and the routing rules `redirects`, `rewrites`,
// `headers` and `trailingSlash` (the distribution's CloudFront Functions) have equivalents applied
// from the file; `proxy` (Routing Middleware, which may be what guards the functions) is refused; the
// others are named in a synth warning, so nobody assumes they took effect on AWS.

/** The project configuration file, in the project's root folder. */
export const VERCEL_JSON = 'vercel.json';

/** Construct id (in the VercelProject) of the ImageOptimizer created from `images`. */
export const VERCEL_JSON_IMAGES_ID = 'Images';

// Every top-level key Vercel documents for vercel.json
// (https://vercel.com/docs/project-configuration/vercel-json; schema https://openapi.vercel.sh/vercel.json,
// as @vercel/config's VercelConfig mirrors it), by what VercelProject does with it.

/**
 * Applied: `images` becomes an ImageOptimizer, `functions` sets each function's Lambda settings,
 * `crons` become EventBridge Scheduler schedules, the routing rules run in the CloudFront Functions.
 */
const APPLIED_KEYS: readonly string[] = ['images', 'functions', 'crons', ...ROUTING_KEYS];

/** Routing Middleware at a file of any name (`{ "entrypoint": "src/proxy.ts" }`): refused. */
const PROXY_KEY = 'proxy';

/**
 * Metadata with no behaviour on Vercel either, so never worth a warning: the editor schema, and
 * the configuration format's version (`2` in older files).
 */
const METADATA_KEYS: readonly string[] = ['$schema', 'version'];

/**
 * Not applied; each with the VercelProject prop that does the same, where one does. Build and
 * Git settings have no meaning here (the CDK app bundles the functions, and deploys when you run
 * it); `cleanUrls` concerns .html files, which a functions-only deployment has none of; `routes`
 * (the legacy routing syntax) and Vercel's platform settings have no equivalent (yet).
 */
const IGNORED_KEYS: Readonly<Record<string, string | undefined>> = {
  alias: 'domainNames',
  build: undefined,
  buildCommand: undefined,
  builds: undefined,
  bulkRedirectsPath: undefined,
  bunVersion: undefined,
  cleanUrls: undefined,
  devCommand: undefined,
  env: 'environment',
  fluid: undefined,
  framework: undefined,
  functionFailoverRegions: undefined,
  git: undefined,
  github: undefined,
  ignoreCommand: undefined,
  installCommand: undefined,
  name: undefined,
  outputDirectory: undefined,
  passiveRegions: undefined,
  public: undefined,
  regions: 'regions',
  relatedProjects: undefined,
  routes: undefined,
  scope: undefined,
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
  /** `crons`, validated and translated, in file order; empty without it. */
  readonly crons: readonly VercelJsonCron[];
  /** `redirects`, `rewrites`, `headers` and `trailingSlash`, validated and compiled; none without them. */
  readonly routingRules?: CompiledRoutingRules;
  /** Top-level keys the file sets that VercelProject does not apply, in file order. */
  readonly ignoredKeys: readonly string[];
}

/**
 * Reads and validates `<projectDir>/vercel.json`: `undefined` when the project has none.
 *
 * @throws VercelJsonError when the file is not a JSON object, sets `proxy` (Routing Middleware,
 *   not supported), or its `images`, `functions`, `crons` or routing rules are not valid
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
  // Not ignored with a warning like the other keys: the middleware it names may be what keeps the
  // functions private, and a deployment without it would serve them open.
  if (Object.hasOwn(parsed, PROXY_KEY)) throw new VercelJsonError(file, proxySettingMessage(parsed.proxy));
  const ignoredKeys = Object.keys(parsed).filter(
    (key) => !APPLIED_KEYS.includes(key) && !METADATA_KEYS.includes(key),
  );
  return {
    file,
    images: parsed.images === undefined ? undefined : imagesProps(file, parsed.images),
    functions: parsed.functions === undefined ? [] : functionEntries(file, parsed.functions),
    crons: parsed.crons === undefined ? [] : cronEntries(file, parsed.crons),
    routingRules: compileRoutingRules(file, parsed),
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
    'Only images (an ImageOptimizer at /_vercel/image), functions (memory, maxDuration and architecture per function), crons (EventBridge Scheduler schedules) and redirects, rewrites, headers and trailingSlash (CloudFront Functions) are applied.',
  );
  return sentences.join(' ');
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
