import { InvalidImageOptimizerConfigError } from '../errors';

/**
 * The image optimizer's configuration: Vercel's `images` configuration (Build Output API
 * `config.json`, https://vercel.com/docs/build-output-api/configuration#images; the same fields as
 * Next.js `images`), plus what running on Lambda adds. The `ImageOptimizer` construct validates it
 * with {@link resolveImageOptimizerConfig} at synth time and hands it to the function as JSON in
 * {@link IMAGE_OPTIMIZER_CONFIG_ENV}; the function validates it again when it starts.
 */

/** Environment variable holding the optimizer's configuration as JSON. */
export const IMAGE_OPTIMIZER_CONFIG_ENV = 'VERCEL_FUNCTIONS_AWS_IMAGE_CONFIG';

/** An output format the optimizer may negotiate through `Accept`. */
export type ImageFormat = 'image/avif' | 'image/webp';

/**
 * Remote sources the optimizer may fetch (Vercel/Next.js `remotePatterns`). Omitted fields match
 * anything. `hostname`: `*` matches one label, a leading `**` one or more (`**.example.com`).
 * `pathname`: `*` matches within one segment, `**` any number of segments (`/images/**`); it is
 * matched against the URL's path as a URL parser encodes it. `search` must equal the query
 * (`''` = none) when given.
 */
export interface RemotePattern {
  readonly protocol?: 'http' | 'https';
  readonly hostname: string;
  /** The port as written in the URL; `''` for the protocol's default. */
  readonly port?: string;
  readonly pathname?: string;
  readonly search?: string;
}

/** Local sources the optimizer may fetch (Vercel/Next.js `localPatterns`); same syntax as {@link RemotePattern}. */
export interface LocalPattern {
  readonly pathname?: string;
  readonly search?: string;
}

/** How browsers should treat an optimized image opened directly. */
export type ContentDispositionType = 'inline' | 'attachment';

/** The configuration, every field resolved. */
export interface ImageOptimizerConfig {
  /** The widths `w` may take. */
  readonly sizes: readonly number[];
  /** The qualities `q` may take; `undefined` allows 1–100. */
  readonly qualities?: readonly number[];
  /** Output formats in order of preference; each is used only when the viewer's `Accept` names it. */
  readonly formats: readonly ImageFormat[];
  /** Remote host names allowed over any protocol and port (Vercel's `domains`). */
  readonly domains: readonly string[];
  readonly remotePatterns: readonly RemotePattern[];
  /** Local sources allowed; `undefined` allows every path. */
  readonly localPatterns?: readonly LocalPattern[];
  /** Least time, in seconds, an optimized image is cached (longer when the source says so). */
  readonly minimumCacheTTL: number;
  /** Serve SVG sources (as they are, never rasterised). */
  readonly dangerouslyAllowSVG: boolean;
  /** `Content-Security-Policy` of every optimized image. */
  readonly contentSecurityPolicy: string;
  readonly contentDispositionType: ContentDispositionType;
  /** Largest source, in bytes, the optimizer downloads; larger ones get 413. */
  readonly maximumResponseBody: number;
  /** Let remote sources resolve to loopback, private and other non-public addresses. */
  readonly dangerouslyAllowLocalIP: boolean;
  /**
   * Where local sources (`url=/path`) are fetched from. Deployed optimizers leave it unset and fetch
   * them through the distribution that received the request; local development and tests set it.
   * Unlike a distribution domain, which comes with the request, it may be a loopback or private
   * address: whoever runs the optimizer chose it.
   */
  readonly localOrigin?: string;
}

/** Input of {@link resolveImageOptimizerConfig}: every field optional. */
export type ImageOptimizerConfigInput = { readonly [K in keyof ImageOptimizerConfig]?: unknown };

/** Next.js's default `imageSizes` followed by its default `deviceSizes`, which Vercel projects usually send. */
export const DEFAULT_IMAGE_SIZES: readonly number[] = [
  16, 32, 48, 64, 96, 128, 256, 384, 640, 750, 828, 1080, 1200, 1920, 2048, 3840,
];

/** Default quality when `q` is missing (Vercel's and Next.js's). */
export const DEFAULT_QUALITY = 75;

/** Next.js 16's default: four hours, long enough to cache well and short enough for same-day updates. */
export const DEFAULT_MINIMUM_CACHE_TTL = 14_400;

/** Next.js's default `maximumResponseBody`: 50 MB. */
export const DEFAULT_MAXIMUM_RESPONSE_BODY = 50_000_000;

/** Next.js's default policy for optimized images: no scripts, no frames, sandboxed. */
export const DEFAULT_CONTENT_SECURITY_POLICY = "script-src 'none'; frame-src 'none'; sandbox;";

const FORMATS: readonly ImageFormat[] = ['image/avif', 'image/webp'];
const MAX_SIZES = 50;
const MAX_WIDTH = 16_383; // the largest dimension WebP (and so every output format) can encode
const MAX_QUALITIES = 20;
const MAX_PATTERNS = 50;
// CloudFront's maximum TTL is a year; a longer one would only be capped.
const MAX_CACHE_TTL = 31_536_000;

/**
 * Validates `input` and fills in the defaults. Throws `InvalidImageOptimizerConfigError` naming the
 * first bad field and the value received.
 *
 * @example
 * ```ts
 * resolveImageOptimizerConfig({ sizes: [640, 1080], remotePatterns: [{ hostname: 'images.example.com' }] });
 * ```
 */
export function resolveImageOptimizerConfig(input: ImageOptimizerConfigInput = {}): ImageOptimizerConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidImageOptimizerConfigError(
      `The image optimizer configuration must be an object, got ${describe(input)}`,
    );
  }
  const known = new Set<string>(CONFIG_FIELDS);
  const unknown = Object.keys(input).find((key) => !known.has(key));
  if (unknown !== undefined) {
    throw new InvalidImageOptimizerConfigError(
      `The image optimizer configuration has an unknown field '${unknown}' (known: ${CONFIG_FIELDS.join(', ')})`,
    );
  }
  const sizes = integerList(input.sizes, 'sizes', 1, MAX_WIDTH, MAX_SIZES) ?? DEFAULT_IMAGE_SIZES;
  if (sizes.length === 0) throw invalid('sizes must list at least one width', input.sizes);
  const qualities = integerList(input.qualities, 'qualities', 1, 100, MAX_QUALITIES);
  if (qualities?.length === 0) throw invalid('qualities must list at least one quality, or be left out', []);
  return {
    sizes,
    qualities,
    formats: formats(input.formats),
    domains: domains(input.domains),
    remotePatterns: list(input.remotePatterns, 'remotePatterns', MAX_PATTERNS, remotePattern) ?? [],
    localPatterns: list(input.localPatterns, 'localPatterns', MAX_PATTERNS, localPattern),
    minimumCacheTTL:
      integer(input.minimumCacheTTL, 'minimumCacheTTL', 0, MAX_CACHE_TTL) ?? DEFAULT_MINIMUM_CACHE_TTL,
    dangerouslyAllowSVG: boolean(input.dangerouslyAllowSVG, 'dangerouslyAllowSVG') ?? false,
    contentSecurityPolicy:
      headerValue(input.contentSecurityPolicy, 'contentSecurityPolicy') ?? DEFAULT_CONTENT_SECURITY_POLICY,
    contentDispositionType: contentDisposition(input.contentDispositionType),
    maximumResponseBody:
      integer(input.maximumResponseBody, 'maximumResponseBody', 1, Number.MAX_SAFE_INTEGER) ??
      DEFAULT_MAXIMUM_RESPONSE_BODY,
    dangerouslyAllowLocalIP: boolean(input.dangerouslyAllowLocalIP, 'dangerouslyAllowLocalIP') ?? false,
    localOrigin: origin(input.localOrigin),
  };
}

/**
 * The configuration in `env[IMAGE_OPTIMIZER_CONFIG_ENV]` (defaults when unset). Throws
 * `InvalidImageOptimizerConfigError` when it is not valid JSON or not a valid configuration.
 */
export function imageOptimizerConfigFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ImageOptimizerConfig {
  const json = env[IMAGE_OPTIMIZER_CONFIG_ENV];
  if (json === undefined || json.trim() === '') return resolveImageOptimizerConfig({});
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw new InvalidImageOptimizerConfigError(`${IMAGE_OPTIMIZER_CONFIG_ENV} is not valid JSON`, { cause });
  }
  return resolveImageOptimizerConfig(parsed as ImageOptimizerConfigInput);
}

/**
 * The configuration as the construct writes it into the environment: only the fields that differ
 * from the defaults, because Lambda allows 4 KB of environment variables in all.
 */
export function serializeImageOptimizerConfig(config: ImageOptimizerConfig): string {
  const defaults = resolveImageOptimizerConfig({});
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_FIELDS) {
    const value = config[key];
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(defaults[key])) out[key] = value;
  }
  return JSON.stringify(out);
}

/**
 * The `images` fields Vercel documents for a project (vercel.json and the Build Output API,
 * https://vercel.com/docs/project-configuration/vercel-json#images), under the same names here.
 */
export const VERCEL_IMAGES_FIELDS = [
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
] as const satisfies readonly (keyof ImageOptimizerConfig)[];

// Vercel's fields plus this optimizer's own (limits and the deployment's origin).
const CONFIG_FIELDS: readonly (keyof ImageOptimizerConfig)[] = [
  ...VERCEL_IMAGES_FIELDS,
  'maximumResponseBody',
  'dangerouslyAllowLocalIP',
  'localOrigin',
];

function integer(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be a whole number from ${min} to ${max}`, value);
  }
  return value;
}

function integerList(
  value: unknown,
  field: string,
  min: number,
  max: number,
  maxLength: number,
): number[] | undefined {
  const items = list(value, field, maxLength, (item, where) => {
    if (item === undefined) {
      throw new InvalidImageOptimizerConfigError(
        `${where} must be a whole number from ${min} to ${max}, got undefined`,
      );
    }
    return integer(item, where, min, max)!;
  });
  if (items === undefined) return undefined;
  const duplicate = items.find((item, i) => items.indexOf(item) !== i);
  if (duplicate !== undefined) throw invalid(`${field} lists ${duplicate} twice`, value);
  return [...items].sort((a, b) => a - b);
}

function list<T>(
  value: unknown,
  field: string,
  maxLength: number,
  item: (value: unknown, where: string) => T,
): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid(`${field} must be an array`, value);
  if (value.length > maxLength) {
    throw invalid(`${field} may have at most ${maxLength} entries, got ${value.length}`, undefined);
  }
  return value.map((entry, i) => item(entry, `${field}[${i}]`));
}

function boolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalid(`${field} must be true or false`, value);
  return value;
}

function formats(value: unknown): ImageFormat[] {
  const items =
    list(value, 'formats', FORMATS.length, (item, where) => {
      if (!FORMATS.includes(item as ImageFormat)) {
        throw invalid(`${where} must be one of ${FORMATS.map((f) => `'${f}'`).join(', ')}`, item);
      }
      return item as ImageFormat;
    }) ?? (['image/webp'] as ImageFormat[]);
  if (new Set(items).size !== items.length) throw invalid('formats lists a format twice', value);
  return items;
}

const HOSTNAME = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;
const HOSTNAME_PATTERN = /^(\*\*\.)?([a-z0-9-]+|\*)(\.([a-z0-9-]+|\*))*$/;

function domains(value: unknown): string[] {
  return (
    list(value, 'domains', MAX_PATTERNS, (item, where) => {
      if (typeof item !== 'string' || !HOSTNAME.test(item.toLowerCase())) {
        throw invalid(
          `${where} must be a host name such as 'images.example.com' (no scheme, port or path)`,
          item,
        );
      }
      return item.toLowerCase();
    }) ?? []
  );
}

function remotePattern(value: unknown, where: string): RemotePattern {
  const fields = record(value, where, ['protocol', 'hostname', 'port', 'pathname', 'search']);
  if (fields.protocol !== undefined && fields.protocol !== 'http' && fields.protocol !== 'https') {
    throw invalid(`${where}.protocol must be 'http' or 'https'`, fields.protocol);
  }
  const hostname = fields.hostname;
  if (typeof hostname !== 'string' || !HOSTNAME_PATTERN.test(hostname.toLowerCase())) {
    throw invalid(
      `${where}.hostname must be a host name, optionally with * for one label or a leading ** for any number of them (e.g. '**.example.com')`,
      hostname,
    );
  }
  if (fields.port !== undefined && (typeof fields.port !== 'string' || !/^\d{0,5}$/.test(fields.port))) {
    throw invalid(`${where}.port must be a string of digits ('' for the default port)`, fields.port);
  }
  return {
    protocol: fields.protocol as RemotePattern['protocol'],
    hostname: hostname.toLowerCase(),
    port: fields.port as string | undefined,
    pathname: pathname(fields.pathname, `${where}.pathname`),
    search: search(fields.search, `${where}.search`),
  };
}

function localPattern(value: unknown, where: string): LocalPattern {
  const fields = record(value, where, ['pathname', 'search']);
  return {
    pathname: pathname(fields.pathname, `${where}.pathname`),
    search: search(fields.search, `${where}.search`),
  };
}

function pathname(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw invalid(`${where} must be a path starting with '/'`, value);
  }
  return value;
}

function search(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (value !== '' && !value.startsWith('?'))) {
    throw invalid(`${where} must be '' (no query) or a query starting with '?'`, value);
  }
  return value;
}

function record(value: unknown, where: string, fields: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${where} must be an object`, value);
  }
  const unknown = Object.keys(value).find((key) => !fields.includes(key));
  if (unknown !== undefined) {
    throw invalid(`${where} has an unknown field '${unknown}' (known: ${fields.join(', ')})`, undefined);
  }
  return value as Record<string, unknown>;
}

function headerValue(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  // Visible ASCII and spaces: what a header value can carry unencoded.
  if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value)) {
    throw invalid(`${field} must be a string of printable ASCII characters`, value);
  }
  return value;
}

function contentDisposition(value: unknown): ContentDispositionType {
  if (value === undefined) return 'attachment';
  if (value !== 'inline' && value !== 'attachment') {
    throw invalid("contentDispositionType must be 'inline' or 'attachment'", value);
  }
  return value;
}

function origin(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const url = typeof value === 'string' ? URL.parse(value) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== value) {
    throw invalid(
      "localOrigin must be an http(s) origin without a path, e.g. 'http://localhost:3000'",
      value,
    );
  }
  return value;
}

function invalid(message: string, value: unknown): InvalidImageOptimizerConfigError {
  return new InvalidImageOptimizerConfigError(
    value === undefined ? message : `${message}, got ${describe(value)}`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return JSON.stringify(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
