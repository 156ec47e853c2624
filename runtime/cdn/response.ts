import { logError, logWarning } from '../handler/log';
import type { ResponsePrelude } from '../handler/response-stream';
import { applyCdnCacheControl, sharedCacheLifetimeSeconds } from './cache-control';
import { toInvalidationPath } from './invalidation-path';
import type { ResponseCacheTags } from './response-tags';
import { invalidationManager } from './shared-manager';
import { mergeCacheTags } from './tag-header';
import { MAX_TAGS_PER_RESPONSE } from './vercel-tags';

/** What the CDN response step needs from the request context. */
export interface CdnResponseContext {
  readonly requestId: string;
  readonly cacheTags: ResponseCacheTags;
  /** Epoch milliseconds at which the invocation ends. */
  readonly deadline: number;
  readonly awaiter: { readonly waitUntil: (promise: Promise<unknown>) => void };
}

// Overflow rows outlive the object by this much: CloudFront's clock and ours may differ.
const OVERFLOW_TTL_SLACK_SECONDS = 60;

/**
 * Rewrites a response's prelude for CloudFront, just before it is sent:
 * `Vercel-CDN-Cache-Control` / `CDN-Cache-Control` become what CloudFront honours, and the tags
 * from `addCacheTag()` merge with a handler-set `Vercel-Cache-Tag` header into that header as
 * canonical CloudFront tags. Later `addCacheTag()` calls reject.
 *
 * Returns what to start once the response has been sent: recording the tags that did not fit
 * into the header (beyond CloudFront's 50 per object) as tag → path rows in the tag table, and
 * a sweep of due pending invalidations when one is due. Both run in the `waitUntil` drain.
 */
export function prepareCdnResponse(
  prelude: ResponsePrelude,
  context: CdnResponseContext,
  request: { readonly method: string; readonly url: string },
): () => void {
  let overflow: readonly string[] = [];
  try {
    applyCdnCacheControl(prelude.headers, prelude.statusCode);
    const merged = mergeCacheTags(prelude.headers, context.cacheTags.take());
    overflow = merged.overflow;
    const total = merged.inHeader.length + overflow.length;
    if (total > MAX_TAGS_PER_RESPONSE) {
      logWarning(
        context.requestId,
        `The response carries ${total} cache tags (addCacheTag() and the Vercel-Cache-Tag header together); Vercel allows ${MAX_TAGS_PER_RESPONSE}. All of them are applied.`,
      );
    }
  } catch (error) {
    // Never keep the response from going out; nothing here is worth a failed request.
    logError(
      context.requestId,
      'Could not apply the cache tags and CDN cache headers to the response',
      error,
    );
  }
  return () => {
    try {
      if (overflow.length > 0) recordOverflow(context, request, prelude.headers, overflow);
      const manager = invalidationManager();
      if (manager.sweepDue()) context.awaiter.waitUntil(manager.sweep({ deadline: context.deadline }));
    } catch (error) {
      logError(context.requestId, 'Could not start the CDN bookkeeping after the response', error);
    }
  };
}

/**
 * For response writers that cannot apply `addCacheTag()` tags (middy writes its own response):
 * logs the tags collected for this request, so they are not dropped silently, and makes later
 * `addCacheTag()` calls reject.
 */
export function reportUnsentCacheTags(context: Pick<CdnResponseContext, 'requestId' | 'cacheTags'>): void {
  const tags = context.cacheTags.take();
  if (tags.length === 0) return;
  logWarning(
    context.requestId,
    `addCacheTag() tags are not applied to responses written by middy; set the Vercel-Cache-Tag response header instead (not applied: ${tags.join(', ')})`,
  );
}

function recordOverflow(
  context: CdnResponseContext,
  request: { readonly method: string; readonly url: string },
  headers: Readonly<Record<string, string>>,
  overflow: readonly string[],
): void {
  // CloudFront caches only GET and HEAD responses, and only what the cache headers allow.
  if (request.method !== 'GET' && request.method !== 'HEAD') return;
  const lifetime = sharedCacheLifetimeSeconds(headers);
  if (lifetime === 0) return;
  const url = new URL(request.url);
  const path = toInvalidationPath(`${url.pathname}${url.search}`);
  const store = invalidationManager().store;
  if (!store) {
    logWarning(
      context.requestId,
      `${overflow.length} cache tag(s) of ${path} exceed CloudFront's 50 per object and there is no tag table to record them: invalidating them will not evict this response (${overflow.join(', ')})`,
    );
    return;
  }
  context.awaiter.waitUntil(
    store.recordOverflow(overflow, path, lifetime + OVERFLOW_TTL_SLACK_SECONDS).catch((error: unknown) => {
      logError(
        context.requestId,
        `Could not record ${overflow.length} cache tag(s) beyond CloudFront's 50 for ${path}: invalidating them will not evict this response`,
        error,
      );
    }),
  );
}
