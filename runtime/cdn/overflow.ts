import { TAG_TABLE_ENV } from '../constructs-contract';
import { logError, logWarning } from '../handler/log';
import { provideContextServices, type TagOverflow } from '../handler/service-registry';
import { sharedCacheLifetimeSeconds } from './cache-control';
import { toInvalidationPath } from './invalidation-path';
import { recordOverflowRows } from './overflow-rows';

// Overflow rows outlive the object by this much: CloudFront's clock and ours may differ.
const OVERFLOW_TTL_SLACK_SECONDS = 60;

/**
 * Registers the recording of tags beyond CloudFront's 50 per object with the adapter
 * (handler/service-registry.ts). Idempotent.
 */
export function provideTagOverflowRecording(): void {
  provideContextServices({ recordTagOverflow });
}

/**
 * Records `overflow.tags` → the response's path in the tag table (`VERCEL_FUNCTIONS_AWS_TAG_TABLE`),
 * for as long as CloudFront may keep the response, in the request's `waitUntil` drain. Nothing to
 * record when CloudFront will not cache the response (not GET/HEAD, or its headers forbid it).
 */
export function recordTagOverflow({ context, request, headers, tags }: TagOverflow): void {
  // CloudFront caches only GET and HEAD responses, and only what the cache headers allow.
  if (request.method !== 'GET' && request.method !== 'HEAD') return;
  const lifetime = sharedCacheLifetimeSeconds(headers);
  if (lifetime === 0) return;
  const path = toInvalidationPath(pathAndQuery(request.url));
  const table = process.env[TAG_TABLE_ENV];
  if (!table) {
    logWarning(
      context.requestId,
      `${tags.length} cache tag(s) of ${path} exceed CloudFront's 50 per object and there is no tag table to record them: invalidating them will not evict this response (${tags.join(', ')})`,
    );
    return;
  }
  context.awaiter.waitUntil(
    recordOverflowRows(table, tags, path, lifetime + OVERFLOW_TTL_SLACK_SECONDS).catch((error: unknown) => {
      logError(
        context.requestId,
        `Could not record ${tags.length} cache tag(s) beyond CloudFront's 50 for ${path}: invalidating them will not evict this response`,
        error,
      );
    }),
  );
}

/**
 * The path and query of `url` as they are written, not re-parsed: CloudFront keys the object on the
 * query as the viewer sent it, and a URL parser re-encodes some characters (`'` → `%27`), which
 * would name another object. Given the event's raw URL, that is the viewer's path and query.
 */
function pathAndQuery(url: string): string {
  const path = url.indexOf('/', url.indexOf('//') + 2);
  return path === -1 ? '/' : url.slice(path);
}
