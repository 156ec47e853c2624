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
      'cache-control': status === 404 ? 'public, max-age=0, must-revalidate' : 'no-store',
      ...headers,
    },
  });
}
