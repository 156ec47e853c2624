import type { RuntimeCache } from './types';
import { serializeValue, validateExpireTags, validateSetOptions } from './validation';

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
 * No size limit and no eviction; it lives as long as the process (one per worker thread).
 *
 * Tags, ttl and values are validated like the DynamoDB-backed cache validates them, so local
 * development rejects what the deployed cache would reject.
 */
export class InMemoryCache implements RuntimeCache {
  // A Map, not a plain object: a custom keyHashFunction may return keys such as '__proto__'.
  private readonly entries = new Map<string, Entry>();

  async get(key: string): Promise<unknown | null> {
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
    const { tags, ttl, name } = validateSetOptions(options);
    this.entries.set(key, {
      // JSON.stringify returns undefined for a bare function or symbol; serializeValue stores null
      // instead of text that JSON.parse would reject on the next get (upstream's get throws there).
      value: serializeValue(value, name ?? key),
      tags: new Set(tags),
      lastModified: Date.now(),
      ttl,
    });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async expireTag(tag: string | string[]): Promise<void> {
    const tags = validateExpireTags(tag);
    for (const [key, entry] of this.entries) {
      if (tags.some((t) => entry.tags.has(t))) this.entries.delete(key);
    }
  }
}
