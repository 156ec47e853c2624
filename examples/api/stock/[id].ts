import { getCache } from '@vercel/functions';

// Data from a slow lookup, kept in the runtime cache (`getCache()`, a DynamoDB table on AWS) for an
// hour and tagged `product-<id>`, so `/api/revalidate` can expire it. The response itself is not
// cached by the CDN; `cached` tells whether the runtime cache answered.
export async function GET(request: Request): Promise<Response> {
  const id = new URL(request.url).searchParams.get('id') ?? '';
  const cache = getCache();
  const key = `stock:${id}`;
  const cached = await cache.get(key);
  if (cached !== null) return Response.json({ id, ...(cached as object), cached: true });
  const stock = { units: 40 + (id.length % 7), checkedAt: new Date().toISOString() };
  await cache.set(key, stock, { ttl: 3600, tags: [`product-${id}`] });
  return Response.json({ id, ...stock, cached: false });
}
