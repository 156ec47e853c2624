import { InvalidCacheTagError, TooManyCacheTagsError } from '../errors';

/*
 * Vercel's cache-tag rules, as documented for `addCacheTag` and the `Vercel-Cache-Tag` header:
 * at most 128 tags per response, each at most 256 bytes of UTF-8. A comma separates tags on every
 * path — the header, the purge calls and `addCacheTag` (Vercel's own example is
 * `addCacheTag(\`product-${id},products\`)`), so no tag contains one. Tags are trimmed on every
 * path because the header's comma-separated form loses surrounding spaces; trimming everywhere
 * keeps `addCacheTag(' a ')` and `invalidateByTag('a')` naming the same tag.
 */

/** Vercel's maximum number of cache tags on one response. */
export const MAX_TAGS_PER_RESPONSE = 128;

/** Vercel's maximum length of one cache tag, in bytes of UTF-8. */
export const MAX_TAG_BYTES = 256;

/**
 * The tags `addCacheTag(tag)` adds, validated against Vercel's rules: all or none. Each string
 * may hold several comma-separated tags (`'product-1,products'`); surrounding spaces are trimmed and
 * empty entries dropped, as for purge calls.
 *
 * @throws InvalidCacheTagError naming the offending tag and rule, or when a string names no tag.
 */
export function tagsToAdd(input: string | string[]): string[] {
  return asList(input, 'addCacheTag').flatMap((value) => {
    if (typeof value !== 'string') {
      throw new InvalidCacheTagError(`addCacheTag(): a cache tag must be a string, got ${typeof value}`);
    }
    const tags = splitTagList(value);
    if (tags.length === 0) {
      throw new InvalidCacheTagError(
        `addCacheTag(): a cache tag must not be empty, got ${JSON.stringify(value)}`,
      );
    }
    for (const tag of tags) requireAddableTag(tag);
    return tags;
  });
}

/**
 * The tags a purge call names. A comma separates tags here, as in Vercel's purge requests
 * (`invalidateByTag('a,b')` invalidates `a` and `b`); surrounding spaces are trimmed. Tags longer
 * than 256 bytes are accepted: a handler-set `Vercel-Cache-Tag` header may carry them, and the
 * CloudFront mapping handles any length.
 *
 * @throws InvalidCacheTagError when the input is not a string or array of strings, or names no tag.
 */
export function tagsToPurge(input: string | string[], api: string): string[] {
  const tags = asList(input, api).flatMap((tag) => {
    if (typeof tag !== 'string') {
      throw new InvalidCacheTagError(`${api}(): a cache tag must be a string, got ${typeof tag}`);
    }
    return splitTagList(tag);
  });
  if (tags.length === 0) {
    throw new InvalidCacheTagError(`${api}(): no cache tag given, got ${JSON.stringify(input)}`);
  }
  return tags;
}

/**
 * The entries of a comma-separated header value (tags, and Cache-Control or Vary directives in
 * cache-control.ts): split, trimmed, empty entries dropped. An empty value (every response without
 * a Vary is checked as one) is answered without the three arrays.
 */
export function splitTagList(value: string): string[] {
  return value
    ? value
        .split(',')
        .map((tag) => tag.trim())
        .filter((tag) => tag !== '')
    : [];
}

/** Throws when adding `adding` tags to `current` distinct ones would pass Vercel's per-response limit. */
export function checkTagCount(current: number, adding: number): void {
  if (current + adding > MAX_TAGS_PER_RESPONSE) {
    throw new TooManyCacheTagsError(
      `addCacheTag(): the response would carry ${current + adding} cache tags; the maximum is ${MAX_TAGS_PER_RESPONSE}`,
    );
  }
}

function asList(input: unknown, api: string): unknown[] {
  if (Array.isArray(input)) return input;
  if (typeof input === 'string') return [input];
  throw new InvalidCacheTagError(
    `${api}(): expects a cache tag or an array of cache tags, got ${input === null ? 'null' : typeof input}`,
  );
}

/** Checks one trimmed, non-empty tag of `addCacheTag` against what a response may carry. */
function requireAddableTag(tag: string): void {
  if (LONE_SURROGATE.test(tag)) {
    throw new InvalidCacheTagError(
      `addCacheTag(): cache tag ${JSON.stringify(tag)} is not well-formed Unicode (a lone surrogate has no UTF-8 form)`,
    );
  }
  const bytes = Buffer.byteLength(tag, 'utf8');
  if (bytes > MAX_TAG_BYTES) {
    throw new InvalidCacheTagError(
      `addCacheTag(): cache tag ${JSON.stringify(abbreviate(tag))} is ${bytes} bytes of UTF-8; the maximum is ${MAX_TAG_BYTES}`,
    );
  }
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function abbreviate(tag: string): string {
  return tag.length > 40 ? `${tag.slice(0, 40)}…` : tag;
}
