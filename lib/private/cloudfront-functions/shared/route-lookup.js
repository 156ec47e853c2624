// Shared by router.js (concatenated by lib/private/cloudfront-function-code.ts): finds the origin of
// the route serving a request path in the route table, a CloudFront KeyValueStore written at synth by
// lib/private/route-table.ts. Matches exactly like runtime/handler/route.ts (the adapter and the dev
// server), which the tests check on the same paths:
// - a `[name]` segment matches one non-empty path segment, a literal one its percent-decoded value;
// - at the first position where routes differ, a literal segment beats a dynamic one;
// - one trailing slash is tolerated; `/api/hello.ts` falls back to `/api/hello`.
//
// The table holds one key per route prefix: '/' + the segments so far, each dynamic one written `*`
// (`/api`, `/api/users`, `/api/users/*`). Its value is JSON: `o` = the origin id when a route ends
// there; `l` / `d` = 1 when a longer route continues with a literal / dynamic segment. The lookup
// walks the path one segment at a time, literal first, backtracking to the dynamic branch — a few
// KeyValueStore reads per request, whatever the number of routes.

const ROUTE_EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs'];

function decodeRouteSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch (_error) {
    // A malformed escape cannot name a file; kept raw, it can still fill a dynamic segment.
    return segment;
  }
}

function splitRoutePath(uri) {
  const trimmed = uri.length > 1 && uri.charAt(uri.length - 1) === '/' ? uri.slice(0, -1) : uri;
  return trimmed.split('/').slice(1).map(decodeRouteSegment);
}

// A missing key throws; so does an unreadable store, which then routes nothing rather than guessing.
async function readRouteNode(store, key) {
  try {
    return JSON.parse(await store.get(key));
  } catch (_error) {
    return undefined;
  }
}

async function findRouteOrigin(store, prefix, node, segments, index) {
  if (index === segments.length) return node && node.o !== undefined ? node.o : undefined;
  const segment = segments[index];
  if (segment === '') return undefined;
  // Literal route segments never hold `/` or `*` (the constructs reject them), and `*` marks dynamic keys.
  if ((node === undefined || node.l) && segment.indexOf('/') === -1 && segment.indexOf('*') === -1) {
    const key = `${prefix}/${segment}`;
    const child = await readRouteNode(store, key);
    if (child !== undefined) {
      const found = await findRouteOrigin(store, key, child, segments, index + 1);
      if (found !== undefined) return found;
    }
  }
  if (node === undefined || node.d) {
    const key = `${prefix}/*`;
    const child = await readRouteNode(store, key);
    if (child !== undefined) return findRouteOrigin(store, key, child, segments, index + 1);
  }
  return undefined;
}

// biome-ignore lint/correctness/noUnusedVariables: called by the handler it is concatenated with.
async function lookupRouteOrigin(store, uri) {
  const segments = splitRoutePath(uri);
  const found = await findRouteOrigin(store, '', undefined, segments, 0);
  if (found !== undefined) return found;
  const last = segments[segments.length - 1];
  let extension;
  for (let i = 0; i < ROUTE_EXTENSIONS.length && extension === undefined; i++) {
    if (last.slice(-ROUTE_EXTENSIONS[i].length) === ROUTE_EXTENSIONS[i]) extension = ROUTE_EXTENSIONS[i];
  }
  if (extension === undefined || last === extension) return undefined;
  const stripped = segments.slice(0, -1);
  stripped.push(last.slice(0, -extension.length));
  return findRouteOrigin(store, '', undefined, stripped, 0);
}
