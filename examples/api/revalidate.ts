import { getCache, invalidateByTag } from '@vercel/functions';

// POST `{ "tag": "product-1" }`: evicts the CDN's cached responses carrying the tag
// (`invalidateByTag`, a CloudFront invalidation by cache tag on AWS) and expires the runtime cache
// entries tagged with it (`getCache().expireTag`).
export async function POST(request: Request): Promise<Response> {
  let tag: unknown;
  try {
    tag = ((await request.json()) as { tag?: unknown } | null)?.tag;
  } catch {
    tag = undefined;
  }
  if (typeof tag !== 'string' || tag === '') {
    return Response.json({ error: 'Send a JSON body like {"tag":"product-1"}.' }, { status: 400 });
  }
  await Promise.all([invalidateByTag(tag), getCache().expireTag(tag)]);
  return Response.json({ revalidated: tag });
}
