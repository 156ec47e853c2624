import type { RuntimeCache } from './types';
import {
  fitsValueLimit,
  serializeValue,
  validateCacheKey,
  validateExpireTags,
  validateSetOptions,
} from './validation';

interface Entry {
  /** The value as JSON text, so reads return fresh copies with JSON semantics. */
  readonly value: string;
  readonly tags: ReadonlySet<string>;
  /** Epoch milliseconds of the write. */
  readonly lastModified: number;
  /** Seconds; 0 or undefined means no expiry. */
  readonly ttl?: number;
}

/**
 * Process-local `RuntimeCache` with upstream's in-memory semantics: values round-trip through
 * JSON (`undefined` → `null`, `Date` → ISO string, `Map`/`Set` → `{}`), an entry older than its
 * `ttl` seconds is a miss, `expireTag` drops every entry carrying any of the tags at once.
 * No eviction; it lives as long as the process (one per worker thread).
 *
 * Keys, tags, ttl and values are validated like the DynamoDB-backed cache validates them, and a value
 * over 2 MB is skipped the same way (a warning, and the older entry deleted), so local development
 * rejects what the deployed cache would reject.
 */
export class InMemoryCache implements RuntimeCache {
  // A Map, not a plain object: a custom keyHashFunction may return keys such as '__proto__'.
  private readonly entries = new Map<string, Entry>();

  async get(key: string): Promise<unknown | null> {
    validateCacheKey(key);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.ttl && entry.lastModified + entry.ttl * 1000 < Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return JSON.parse(entry.value);
  }

  async set(
    key: string,
    value: unknown,
    options?: { name?: string; tags?: string[]; ttl?: number },
  ): Promise<void> {
    validateCacheKey(key);
    const { tags, ttl, name } = validateSetOptions(options);
    const label = name ?? key;
    // JSON.stringify returns undefined for a bare function or symbol; serializeValue stores null
    // instead of text that JSON.parse would reject on the next get (upstream's get throws there).
    const json = serializeValue(value, label);
    if (!fitsValueLimit(Buffer.byteLength(json, 'utf8'), label)) {
      this.entries.delete(key);
      return;
    }
    this.entries.set(key, {
      value: json,
      tags: new Set(tags),
      lastModified: Date.now(),
      ttl,
    });
  }

  async delete(key: string): Promise<void> {
    validateCacheKey(key);
    this.entries.delete(key);
  }

  async expireTag(tag: string | string[]): Promise<void> {
    const tags = validateExpireTags(tag);
    for (const [key, entry] of this.entries) {
      if (tags.some((t) => entry.tags.has(t))) this.entries.delete(key);
    }
  }
}
