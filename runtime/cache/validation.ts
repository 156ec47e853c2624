import {
  InvalidCacheInputError,
  InvalidCacheKeyError,
  InvalidCacheOptionError,
  InvalidCacheTagError,
  InvalidCacheTtlError,
  TooManyCacheTagsError,
  UnserializableCacheValueError,
} from '../errors';

// Input rules shared by every Runtime Cache backend, so local development (in-memory) rejects what
// the deployed cache (DynamoDB) would reject. The tag limits are the ones Vercel documents for
// `getCache()` (128 tags, 256 bytes each); upstream's production client sends an entry's tags
// comma-joined in one header (`x-vercel-cache-tags`), hence no commas.

/** Most tags one cache entry may carry. */
export const MAX_TAGS_PER_ENTRY = 128;

/** Longest tag, in UTF-8 bytes. */
export const MAX_TAG_BYTES = 256;

/** Longest stored key, in UTF-8 bytes: DynamoDB's limit for a partition key value. */
export const MAX_KEY_BYTES = 2048;

/**
 * Longest entry name stored, in UTF-8 bytes. The name only labels the entry (nothing reads it back),
 * and `getCache()` defaults it to the original key, which may be any length: unbounded, it could fill
 * the item and leave no room for the value.
 */
export const MAX_NAME_BYTES = 1024;

/** Longest entry label in a log line, in UTF-8 bytes: enough to recognise the entry. */
export const MAX_LOG_LABEL_BYTES = 256;

/** Largest value stored, as UTF-8 JSON before compression: Vercel's Runtime Cache item limit (2 MB). */
// A literal, not `2 * 1024 * 1024`: esbuild keeps computed constants in bundles that do not use them.
export const MAX_VALUE_BYTES = 2_097_152; // 2 MB

/** `set` options after validation: tags deduplicated, ttl absent when it means "never expires". */
export interface NormalizedSetOptions {
  readonly tags: readonly string[];
  /** Seconds, > 0; `undefined` when no ttl or ttl 0 was given (upstream: never expires). */
  readonly ttl?: number;
  /** `undefined` when no name or `''` was given (upstream: `''` means "send no name"). */
  readonly name?: string;
}

const utf8 = /* @__PURE__ */ new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ELLIPSIS_BYTES = 3; // '…', U+2026
// A ttl string taken as a number: digits with an optional fraction; no sign, exponent, hex or spaces.
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

function byteLength(text: string): number {
  return utf8.encode(text).byteLength;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The error for a key `getCache()` was given that is not a string. Upstream's default hash reads
 * `key.length` and hashes any other value like `''`, so `get(42)` would return the `''` entry.
 */
export function nonStringKeyError(key: unknown): InvalidCacheKeyError {
  const type = key === null ? 'null' : Array.isArray(key) ? 'array' : typeof key;
  const shown = describe(key);
  return new InvalidCacheKeyError(
    `cache key must be a string, got ${shown === type ? type : `${type} ${shown}`}`,
  );
}

/**
 * Throws {@link InvalidCacheKeyError} unless `key` is a non-empty, well-formed string of at most
 * 2048 bytes.
 */
export function validateCacheKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidCacheKeyError(`cache key must be a non-empty string, got ${describe(key)}`);
  }
  if (LONE_SURROGATE.test(key)) {
    // UTF-8 has no form for it: DynamoDB would store U+FFFD, so '\uD800x' and '\uDC00x' would be one key.
    throw new InvalidCacheKeyError(
      `cache key ${describe(key)} is not well-formed Unicode (a lone surrogate)`,
    );
  }
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short keys (every hashed one) skip the encoding.
  if (key.length * 3 <= MAX_KEY_BYTES) return;
  const bytes = byteLength(key);
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidCacheKeyError(
      `cache key ${describe(key)} is ${bytes} bytes after namespacing and hashing; the limit is ${MAX_KEY_BYTES} bytes (shorten the namespace or the keyHashFunction's output)`,
    );
  }
}

/**
 * `text` cut to at most `maxBytes` UTF-8 bytes at a character boundary, ending in `…` when cut;
 * unchanged when it fits. A lone surrogate counts as the 3 bytes of the U+FFFD it becomes.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || byteLength(text) <= maxBytes) return text;
  const budget = maxBytes - ELLIPSIS_BYTES;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return `${text.slice(0, end)}…`;
}

function validateTag(tag: unknown): asserts tag is string {
  if (typeof tag !== 'string') {
    throw new InvalidCacheTagError(`cache tags must be strings, got ${describe(tag)}`);
  }
  if (tag.length === 0) throw new InvalidCacheTagError('cache tags must not be empty strings');
  if (LONE_SURROGATE.test(tag)) {
    // UTF-8 has no form for it: DynamoDB would store U+FFFD, merging distinct tags.
    throw new InvalidCacheTagError(
      `cache tag ${describe(tag)} is not well-formed Unicode (a lone surrogate)`,
    );
  }
  if (tag.includes(',')) {
    throw new InvalidCacheTagError(
      `cache tag ${describe(tag)} contains a comma; commas separate tags, so a tag cannot contain one`,
    );
  }
  const bytes = byteLength(tag);
  if (bytes > MAX_TAG_BYTES) {
    throw new InvalidCacheTagError(
      `cache tag ${describe(tag)} is ${bytes} bytes (UTF-8); the limit is ${MAX_TAG_BYTES} bytes`,
    );
  }
}

/**
 * Whether a Runtime Cache entry can carry `tag`, i.e. whether `set` accepts it. A purge call takes
 * tags the Runtime Cache refuses (over 256 bytes: CloudFront hashes them), and skips these there.
 */
export function isRuntimeCacheTag(tag: string): boolean {
  try {
    validateTag(tag);
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates the tags passed to `expireTag` (one tag or an array; no count limit) and returns them
 * deduplicated.
 */
export function validateExpireTags(tag: unknown): string[] {
  const tags = Array.isArray(tag) ? tag : [tag];
  for (const t of tags) validateTag(t);
  return [...new Set(tags as string[])];
}

/** Validates `set`'s options and returns them normalized. Throws an {@link InvalidCacheInputError}. */
export function validateSetOptions(options: unknown): NormalizedSetOptions {
  if (options === undefined || options === null) return { tags: [] };
  if (typeof options !== 'object') {
    throw new InvalidCacheInputError(`cache set options must be an object, got ${describe(options)}`);
  }
  const { ttl: givenTtl, tags, name } = options as { ttl?: unknown; tags?: unknown; name?: unknown };

  // Upstream sends `String(ttl)` as a header and its in-memory cache computes `ttl * 1000`, so on
  // Vercel `ttl: '60'` works: a plain decimal string is taken as its number.
  const ttl = typeof givenTtl === 'string' && DECIMAL.test(givenTtl) ? Number(givenTtl) : givenTtl;
  if (ttl !== undefined && ttl !== null) {
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
      throw new InvalidCacheTtlError(
        `cache ttl must be a finite number of seconds >= 0 (0 means no expiry), or a decimal string of one, got ${describe(givenTtl)}`,
      );
    }
  }

  let unique: string[] = [];
  if (tags !== undefined && tags !== null) {
    if (!Array.isArray(tags)) {
      throw new InvalidCacheTagError(`cache tags must be an array of strings, got ${describe(tags)}`);
    }
    for (const tag of tags) validateTag(tag);
    unique = [...new Set(tags as string[])];
    if (unique.length > MAX_TAGS_PER_ENTRY) {
      throw new TooManyCacheTagsError(
        `a cache entry can carry at most ${MAX_TAGS_PER_ENTRY} tags, got ${unique.length}`,
      );
    }
  }

  if (name !== undefined && name !== null && typeof name !== 'string') {
    throw new InvalidCacheInputError(`cache entry name must be a string, got ${describe(name)}`);
  }

  return {
    tags: unique,
    ttl: typeof ttl === 'number' && ttl > 0 ? ttl : undefined,
    name: typeof name === 'string' && name !== '' ? name : undefined,
  };
}

/**
 * The value as JSON text with upstream's semantics (`undefined` → `null`; a bare function or symbol,
 * for which `JSON.stringify` returns `undefined`, also → `null`). Throws
 * {@link UnserializableCacheValueError} naming the entry when JSON cannot represent the value.
 */
export function serializeValue(value: unknown, label: string): string {
  try {
    return JSON.stringify(value ?? null) ?? 'null';
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new UnserializableCacheValueError(
      `cannot cache the value of ${describe(label)}: JSON cannot represent it (${reason})`,
      { cause },
    );
  }
}

/**
 * Upstream's size rule, "items larger than 2 MB will not be cached": whether a value whose JSON is
 * `jsonBytes` long may be stored. It is not an input error, so when it may not, this warns (naming the
 * entry by `label`) and the caller resolves `set` after deleting the key's older entry, so readers do
 * not keep getting a value the writer has replaced.
 */
export function fitsValueLimit(jsonBytes: number, label: string): boolean {
  if (jsonBytes <= MAX_VALUE_BYTES) return true;
  console.warn(
    `[vercel-functions-aws] Runtime Cache: '${truncateUtf8(label, MAX_LOG_LABEL_BYTES)}' was not cached: its JSON is ${jsonBytes} bytes, over the 2 MB (${MAX_VALUE_BYTES} bytes) item limit`,
  );
  return false;
}

/**
 * Throws {@link InvalidCacheOptionError} unless `value` is a finite number of milliseconds ≥ 0 (the
 * `tagExpiryMemoMs` option of a table-backed cache); returns it.
 */
export function validateTagExpiryMemoMs(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidCacheOptionError(
      `tagExpiryMemoMs must be a finite number of milliseconds >= 0 (0 disables the memo), got ${describe(value)}`,
    );
  }
  return value;
}
