import { CacheTagsAlreadySentError } from '../errors';
import type { RequestContext } from '../handler/request-context';
import { provideContextServices } from '../handler/service-registry';
import { provideTagOverflowRecording } from './overflow';
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

/** The part of a request context that holds its cache tags (see `RequestContext.cacheTags`). */
export type CacheTagHolder = Pick<RequestContext, 'cacheTags' | 'cacheTagsClosed'>;

/**
 * The request's tag collection, created on first use. One created after the adapter wrote the
 * response headers starts closed, so `add` rejects with `CacheTagsAlreadySentError` as it would
 * had it existed all along.
 */
export function responseCacheTags(context: CacheTagHolder): ResponseCacheTags {
  if (context.cacheTags === undefined) {
    const tags = new ResponseCacheTags();
    if (context.cacheTagsClosed) tags.take();
    context.cacheTags = tags;
  }
  return context.cacheTags;
}

/**
 * Registers `addCacheTag()` with the adapter (handler/service-registry.ts): the request context
 * then carries each request's `addCacheTag`, the adapter writes the collected tags into the
 * response, and tags beyond CloudFront's 50 are recorded in the tag table. Idempotent.
 */
export function provideCacheTags(): void {
  provideContextServices({ addCacheTag: (context) => responseCacheTags(context).add });
  provideTagOverflowRecording();
}
