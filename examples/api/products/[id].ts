import { addCacheTag } from '@vercel/functions';

// A page the CDN caches: `s-maxage=60` lets CloudFront keep it for a minute (browsers still
// revalidate every time), and the `product-<id>` cache tag lets `/api/revalidate` evict it sooner.
// `renderedAt` tells a cached copy from a fresh one; so does the `x-cache` response header.
export async function GET(request: Request): Promise<Response> {
  const id = new URL(request.url).searchParams.get('id') ?? '';
  await addCacheTag(`product-${id}`);
  return Response.json(
    { id, name: `Product ${id}`, renderedAt: new Date().toISOString() },
    { headers: { 'cache-control': 'public, s-maxage=60' } },
  );
}
