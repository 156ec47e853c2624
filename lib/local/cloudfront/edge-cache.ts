// The emulated edge cache: responses by cache key, each with the path and cache tags invalidations
// match. Invalidation rules (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html,
// invalidation-specifying-tags.html): a path item matches an object's path exactly — query string
// included, case-sensitive — or, ending in `*`, every path it prefixes; `#tag` matches every object
// carrying the tag, compared case-insensitively, whatever its variant.

/** CloudFront keeps at most this many tags per object and ignores the rest. */
export const MAX_TAGS_PER_OBJECT = 50;

/** One cached response. */
export interface CachedObject {
  readonly statusCode: number;
  /** The origin's response headers as received, `[name, value]` in order. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** The request path it was cached under (`/api/products/1?x=1`), for path invalidations. */
  readonly path: string;
  /** Lower-case cache tags. */
  readonly tags: ReadonlySet<string>;
  /** Epoch ms. */
  readonly storedAt: number;
  /** Fresh until (epoch ms). */
  readonly freshUntil: number;
  /** Served stale while revalidating until (epoch ms). */
  readonly staleUntil: number;
  /** Served stale when the origin fails until (epoch ms). */
  readonly staleIfErrorUntil: number;
}

/** A cache lookup that found something. */
export interface CacheHit {
  readonly object: CachedObject;
  /** `stale`: past its TTL but within `stale-while-revalidate`; serve it and refresh in the background. */
  readonly state: 'fresh' | 'stale';
}

/** The cache of one emulated distribution. */
export class EdgeCache {
  private readonly objects = new Map<string, CachedObject>();

  /** The object under `key` that may still be served, if any. */
  lookup(key: string, now = Date.now()): CacheHit | undefined {
    const object = this.objects.get(key);
    if (!object) return undefined;
    if (now < object.freshUntil) return { object, state: 'fresh' };
    if (now < object.staleUntil) return { object, state: 'stale' };
    if (now >= object.staleIfErrorUntil) this.objects.delete(key);
    return undefined;
  }

  /** The expired object under `key` that `stale-if-error` still allows when the origin fails. */
  staleForError(key: string, now = Date.now()): CachedObject | undefined {
    const object = this.objects.get(key);
    return object && now < object.staleIfErrorUntil ? object : undefined;
  }

  store(key: string, object: CachedObject): void {
    this.objects.set(key, object);
  }

  /**
   * Evicts what the invalidation items match (paths, `path*` prefixes, `#tag`s).
   *
   * @returns the number of objects evicted
   */
  invalidate(items: readonly string[]): number {
    const tags = new Set(
      items.filter((item) => item.startsWith('#')).map((item) => item.slice(1).toLowerCase()),
    );
    const paths = items.filter((item) => !item.startsWith('#'));
    let evicted = 0;
    for (const [key, object] of this.objects) {
      const tagged = [...object.tags].some((tag) => tags.has(tag));
      const pathed = paths.some((path) =>
        path.endsWith('*') ? object.path.startsWith(path.slice(0, -1)) : object.path === path,
      );
      if (tagged || pathed) {
        this.objects.delete(key);
        evicted++;
      }
    }
    return evicted;
  }

  /** Empties the cache. */
  clear(): void {
    this.objects.clear();
  }

  /** How many objects are cached (expired ones not yet looked up included). */
  get size(): number {
    return this.objects.size;
  }
}

/** The tags of a cache tag header value: comma-separated, trimmed, lower-cased, the first 50. */
export function cacheTagsOf(value: string | undefined): Set<string> {
  const tags = new Set<string>();
  for (const part of (value ?? '').split(',')) {
    const tag = part.trim().toLowerCase();
    if (tag === '' || tags.has(tag)) continue;
    if (tags.size === MAX_TAGS_PER_OBJECT) break;
    tags.add(tag);
  }
  return tags;
}
