import { CacheTagsAlreadySentError } from '../errors';
import { checkTagCount, tagsToAdd } from './vercel-tags';

/**
 * The cache tags `addCacheTag()` collects for one response. One instance per request context;
 * the adapter takes the tags when it writes the response headers, after which adding more fails
 * (they could no longer reach the header CloudFront reads).
 */
export class ResponseCacheTags {
  private readonly tags = new Set<string>();
  private sent = false;

  /**
   * `addCacheTag(tag | tag[])` for this response. Rejects — never throws synchronously, the
   * function returns a promise like upstream's — with `InvalidCacheTagError` or
   * `TooManyCacheTagsError` on bad input (nothing of that call is added), and with
   * `CacheTagsAlreadySentError` once the headers are out.
   */
  readonly add = (tag: string | string[]): Promise<void> => {
    try {
      const tags = tagsToAdd(tag);
      if (this.sent) {
        throw new CacheTagsAlreadySentError(
          `addCacheTag(${JSON.stringify(tag)}) was called after the response headers were sent; call it before returning the Response`,
        );
      }
      const fresh = new Set(tags.filter((value) => !this.tags.has(value)));
      checkTagCount(this.tags.size, fresh.size);
      for (const value of fresh) this.tags.add(value);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  };

  /** The tags collected so far, in the order they were first added; later `add` calls reject. */
  take(): string[] {
    this.sent = true;
    return [...this.tags];
  }
}
