import { VERCEL_DEFAULT_CACHE_CONTROL } from '../cdn/cache-control';
import { logError } from './log';

/**
 * A plain-text response the adapter sends by itself: a refusal (403, 404, 503) or an error (400,
 * 405, 500). `no-store`, so CloudFront never serves one viewer's refusal or a passing error to
 * others — except the 404 for a path the route does not serve, which carries Vercel's default
 * `Cache-Control` as Vercel's CDN sends it.
 */
export function plainText(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': status === 404 ? VERCEL_DEFAULT_CACHE_CONTROL : 'no-store',
      ...headers,
    },
  });
}

/** The adapter's logged 500: `why` (and the error) to the log, nothing of it to the client. */
export function serverError(requestId: string, why: string, error?: unknown): Response {
  logError(requestId, why, error);
  return plainText(500, 'Internal Server Error');
}
