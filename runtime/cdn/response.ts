import { logError, logWarning } from '../handler/log';
import type { ResponsePrelude } from '../handler/response-stream';
import { contextServices } from '../handler/service-registry';
import { applyCdnCacheControl } from './cache-control';
import type { ResponseCacheTags } from './response-tags';
import { mergeCacheTags } from './tag-header';
import { MAX_TAGS_PER_RESPONSE } from './vercel-tags';

/*
 * The CDN step every response of the adapter goes through. It stays small — cache headers and the
 * canonical tag header — because every function bundles it. What only some functions need reaches
 * it through services those features register (handler/service-registry.ts): recording tags
 * beyond CloudFront's 50 in the tag table (with `addCacheTag()` and the purge calls) and the
 * invalidation manager's sweep (with the purge calls).
 */

// Whether this process has warned about a response kept out of CloudFront's cache (its cookies, the
// request's Authorization or its Vary) yet: the warning is about the code.
let uncachedWarned = false;

/** What the CDN response step needs from the request context. */
export interface CdnResponseContext {
  readonly requestId: string;
  /** The request's headers (lower-case names) as the handler saw them. */
  readonly headers: Readonly<Record<string, string>>;
  /** Tags `addCacheTag()` collected, when it was called during the request. */
  readonly cacheTags?: Pick<ResponseCacheTags, 'take'>;
  /** Set by this step: `addCacheTag()` rejects from then on. */
  cacheTagsClosed?: boolean;
  /** Epoch milliseconds at which the invocation ends. */
  readonly deadline: number;
  readonly awaiter: { readonly waitUntil: (promise: Promise<unknown>) => void };
}

/**
 * Rewrites a response's prelude for CloudFront, just before it is sent:
 * `Vercel-CDN-Cache-Control` / `CDN-Cache-Control` become what CloudFront honours, a cacheable
 * response that sets cookies, answers a request carrying `Authorization` (which CloudFront does not
 * key on) or varies on a request header outside CloudFront's cache key is kept
 * out of its cache (with a warning, once per process), and the tags
 * from `addCacheTag()` merge with a handler-set `Vercel-Cache-Tag` header into that header as
 * canonical CloudFront tags. Later `addCacheTag()` calls reject.
 *
 * Returns what to start once the response has been sent, or `undefined` when there is nothing:
 * recording the tags that did not fit into the header (beyond CloudFront's 50 per object) as
 * tag → path rows in the tag table, and the registered `afterResponse` service (the sweep of due
 * pending invalidations in functions that purge). Both run in the `waitUntil` drain.
 */
export function prepareCdnResponse(
  prelude: ResponsePrelude,
  context: CdnResponseContext,
  request: { readonly method: string; readonly url: string },
): (() => void) | undefined {
  let overflow: readonly string[] = [];
  try {
    const setsCookies = prelude.cookies.length > 0;
    const authorized = 'authorization' in context.headers;
    if (
      applyCdnCacheControl(prelude.headers, prelude.statusCode, setsCookies || authorized) &&
      !uncachedWarned
    ) {
      // Once per process is once per route: every route of a VercelProject is its own function,
      // and the dev server loads each route's bundle on its own.
      uncachedWarned = true;
      logWarning(
        context.requestId,
        `${new URL(request.url).pathname} is not cached by CloudFront: ${setsCookies ? 'it sets cookies' : authorized ? 'the request has Authorization' : `its cache key ignores Vary: ${prelude.headers.vary}`}`,
      );
    }
    const merged = mergeCacheTags(prelude.headers, takeCacheTags(context));
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
  const { afterResponse, recordTagOverflow } = contextServices();
  if (overflow.length === 0 && afterResponse === undefined) return undefined;
  return () => {
    try {
      if (overflow.length > 0) {
        if (recordTagOverflow)
          recordTagOverflow({ context, request, headers: prelude.headers, tags: overflow });
        // CloudFront caches only GET and HEAD responses: for others the tags do not matter.
        else if (request.method === 'GET' || request.method === 'HEAD') {
          reportUnrecordedOverflow(context.requestId, overflow);
        }
      }
      afterResponse?.(context);
    } catch (error) {
      logError(context.requestId, 'Could not start the CDN bookkeeping after the response', error);
    }
  };
}

/**
 * For responses the CDN step cannot reach (a middy response without a `{ statusCode, headers }`
 * prelude, or to an event that did not come over HTTP): logs the tags collected for this request,
 * so they are not dropped silently, and makes later `addCacheTag()` calls reject.
 */
export function reportUnsentCacheTags(
  context: Pick<CdnResponseContext, 'requestId' | 'cacheTags' | 'cacheTagsClosed'>,
): void {
  const tags = takeCacheTags(context);
  if (tags.length === 0) return;
  logWarning(
    context.requestId,
    `addCacheTag() tags are not applied to a middy response without a { statusCode, headers } prelude or to an event that did not come over HTTP (not applied: ${tags.join(', ')})`,
  );
}

const NO_TAGS: readonly string[] = [];

function takeCacheTags(
  context: Pick<CdnResponseContext, 'cacheTags' | 'cacheTagsClosed'>,
): readonly string[] {
  context.cacheTagsClosed = true;
  return context.cacheTags?.take() ?? NO_TAGS;
}

/**
 * Without the tag table code in the bundle (the function neither calls `addCacheTag()` nor a purge
 * call, and sets more than 50 tags through the header), the tags beyond CloudFront's 50 cannot be
 * recorded: say so, as for a function without a tag table.
 */
function reportUnrecordedOverflow(requestId: string, overflow: readonly string[]): void {
  logWarning(
    requestId,
    `${overflow.length} cache tag(s) beyond CloudFront's 50 per object are not applied; importing addCacheTag records them in the tag table (${overflow.join(', ')})`,
  );
}
