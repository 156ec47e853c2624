// A dynamic route: `/api/users/42` runs this file with `id=42` in the query string, as Vercel does.
// Named method exports: other methods get 405, OPTIONS gets the allowed list.

function userId(request: Request): string {
  return new URL(request.url).searchParams.get('id') ?? '';
}

export function GET(request: Request): Response {
  return Response.json({ id: userId(request), name: `User ${userId(request)}` });
}

export async function POST(request: Request): Promise<Response> {
  let changes: unknown;
  try {
    changes = await request.json();
  } catch {
    return Response.json({ error: 'The body must be JSON.' }, { status: 400 });
  }
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
    return Response.json({ error: 'The body must be a JSON object.' }, { status: 400 });
  }
  return Response.json({ ...changes, id: userId(request), updated: true });
}
