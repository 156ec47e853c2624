import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { ImageOptimizerProps } from '../image-optimizer';
import { DevServerError } from './dev-server-errors';

// Where a Vercel project turns Image Optimization on: the `images` object of its vercel.json
// (https://vercel.com/docs/project-configuration#images) — the fields of the Build Output API's
// `images`, which ImageOptimizerProps mirrors. The dev server synthesizes an ImageOptimizer with
// them; the construct validates every value, as it does at `cdk synth`.

/** The project file holding the `images` configuration. */
export const VERCEL_JSON = 'vercel.json';

// The `images` fields Vercel documents that an ImageOptimizer can honour.
const FIELDS: readonly string[] = [
  'sizes',
  'qualities',
  'formats',
  'domains',
  'remotePatterns',
  'localPatterns',
  'minimumCacheTTL',
  'dangerouslyAllowSVG',
  'contentSecurityPolicy',
  'contentDispositionType',
];

/**
 * The image optimizer configuration of the project in `dir`: `vercel.json`'s `images` as
 * `ImageOptimizerProps` (`minimumCacheTTL` in seconds becomes a `Duration`), or `undefined` when
 * the project has no `vercel.json` or it has no `images`.
 *
 * @throws DevServerError when `vercel.json` is not a JSON object, `images` is not an object, or
 *   names a field the optimizer does not know
 */
export function readImagesConfig(dir: string): ImageOptimizerProps | undefined {
  const file = join(dir, VERCEL_JSON);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DevServerError(`${VERCEL_JSON} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!isObject(parsed)) throw new DevServerError(`${VERCEL_JSON} must hold a JSON object`);
  const images = parsed.images;
  if (images === undefined) return undefined;
  if (!isObject(images)) {
    throw new DevServerError(`${VERCEL_JSON}: images must be an object, got ${JSON.stringify(images)}`);
  }
  const unknown = Object.keys(images).find((key) => !FIELDS.includes(key));
  if (unknown !== undefined) {
    throw new DevServerError(
      `${VERCEL_JSON}: images has an unknown field '${unknown}' (known: ${FIELDS.join(', ')})`,
    );
  }
  const { minimumCacheTTL, ...rest } = images;
  if (
    minimumCacheTTL !== undefined &&
    (typeof minimumCacheTTL !== 'number' || !Number.isInteger(minimumCacheTTL) || minimumCacheTTL < 0)
  ) {
    throw new DevServerError(
      `${VERCEL_JSON}: images.minimumCacheTTL must be a whole number of seconds, got ${JSON.stringify(minimumCacheTTL)}`,
    );
  }
  // The other fields go to the construct as they are: it names the field and value it refuses.
  return {
    ...(rest as ImageOptimizerProps),
    minimumCacheTTL: minimumCacheTTL === undefined ? undefined : Duration.seconds(minimumCacheTTL),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
