// Shared by viewer-request.js, not-found.js and router.js (concatenated by
// lib/private/cloudfront-function-code.ts): vercel.json `redirects`, `headers`, `trailingSlash` and
// `rewrites`, as the route list @vercel/routing-utils compiles them to (lib/private/vercel-json-routes.ts
// writes the compact form below at synth). Evaluated like Vercel's router
// (vercel/vercel packages/cli/src/util/dev/router.ts and route-conditions.ts, Next.js' matchHas):
// - `b` = the routes before the filesystem, in order: a match with `c` (continue) adds its headers and
//   goes on; a match with `t` (status) ends with that response (a redirect's Location is among its
//   headers); any other match ends the list (trailingSlash's /.well-known exemption).
// - `r` = the rewrites (spliced into router.js only), tried only when no function serves the path
//   (`check`): each match moves the request to its destination, which either a function serves, or
//   the next rewrite sees.
// - A route is `{ s: source regex, d?: destination, h?: headers, t?: status, c?: 1, y?: has, n?: missing }`;
//   a condition is `[type, key, value]` (`value` a regex anchored at synth to match the whole value;
//   named groups become `$name` parameters, as does the key of a condition without a value). The
//   regexes are literals compiled with the code, not built per request.
// - `$1` / `$name` take the source's groups (raw: the URI is percent-encoded already) and the
//   conditions' parameters (decoded values, encoded again where they go). In a path a condition's
//   value is percent-encoded as one component; in a query value everything is decoded and re-encoded
//   (`/rw/a/b` through `/rw/:path*` → `?path=a%2Fb`, as measured on Vercel); only query-string values
//   read `+` as a space.
// - Query: the viewer's parameters are kept and win over a destination parameter of the same name, as
//   `vercel dev` merges them; a redirect passes the viewer's query on to its Location, before the
//   destination's fragment.
// - Header values are what the adapter takes (HEADER_VALUE in runtime/handler/route-headers.ts):
//   a Location percent-encodes anything else; a headers rule's header whose value would hold a
//   control character or one beyond Latin-1 (from a condition's value) is left out, keeping the
//   others, since a header value cannot carry it and encoding would change what the value means.
//   The edge's own responses and the function's then carry the same headers.

const VERCEL_ROUTES = '__VFA_VERCEL_ROUTES__';

// A header value: tab, printable ASCII and Latin-1, as the adapter's HEADER_VALUE.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// What a Location may not hold literally, percent-encoded as a browser would: controls, spaces and
// non-ASCII characters (a surrogate pair as one code point).
const UNSAFE_LOCATION_CHARACTERS = /[\ud800-\udbff][\udc00-\udfff]|[^\u0021-\u007e]/g;
// `$1`, `$10` (group 10) and `$name`, the names routing-utils writes (digits, or identifiers with `_`).
const ROUTE_PARAMETER = /\$(\d+|[A-Za-z_][A-Za-z0-9_]*)/g;
// Where a substituted value goes.
const IN_PATH = 0;
const IN_QUERY = 1;
const IN_HEADER = 2;

function decodeRouteValue(value, plusIsSpace) {
  try {
    return decodeURIComponent(plusIsSpace ? value.replace(/\+/g, ' ') : value);
  } catch (_error) {
    return value;
  }
}

function encodeRouteValue(value) {
  try {
    return encodeURIComponent(value);
  } catch (_error) {
    // A lone surrogate (possible in a header value) has no encoding: it fills nothing.
    return '';
  }
}

// `event` is the function's event: its request (sanitised) and its viewer.
function conditionValue(event, condition) {
  const type = condition[0];
  const request = event.request;
  const headers = request.headers;
  const name = condition[1];
  const header = type === 'header';
  if (type === 'host')
    return headers.host ? headers.host.value.replace(/:\d+$/, '').toLowerCase() : undefined;
  // The headers Vercel's proxy sets (which sanitize-request.js drops as a viewer's) are read from what
  // CloudFront vouches for, as the adapter derives them (runtime/handler/viewer-headers.ts): the
  // viewer's address here, and each x-vercel-ip-* geo header from the CloudFront-Viewer-* header
  // the behaviour's policy has CloudFront add before this function runs, whose name the condition
  // holds instead (EDGE_GEO_HEADERS in lib/private/vercel-json-routes.ts, which refuses the others at
  // synth). Geo rules work at the edge, and no viewer can satisfy one by sending the header.
  if (header && /^x-(forwarded-for|real-ip)$/.test(name)) return event.viewer.ip;
  const entry = (header ? headers : type === 'cookie' ? request.cookies : request.querystring)[name];
  if (!entry) return undefined;
  if (header) return entry.value;
  // A repeated query parameter is matched by its last value, as Next.js does.
  const values = entry.multiValue || [entry];
  return decodeRouteValue(values[values.length - 1].value, type === 'query');
}

// The value, or the regex's match on all of it; `undefined` when the condition does not hold. A value
// with CR or LF never matches a value regex: CloudFront's Perl-compatible `$` matches before a final
// newline, which would let one through (and Node's would not).
function matchCondition(event, condition) {
  const value = conditionValue(event, condition);
  if (value === undefined || condition[2] === undefined) return value;
  if (/[\r\n]/.test(value)) return undefined;
  return condition[2].exec(value) || undefined;
}

// The source's match and the conditions' parameters, or undefined when the route does not apply.
function matchVercelRoute(event, route, path) {
  const match = route.s.exec(path);
  if (!match) return undefined;
  const params = {};
  const holds = (condition) => {
    const found = matchCondition(event, condition);
    if (typeof found === 'string') params[condition[1]] = found;
    else if (found) Object.assign(params, found.groups, condition[0] === 'host' ? { host: found[0] } : {});
    return found !== undefined;
  };
  const applies =
    (route.y || []).every(holds) && !(route.n || []).some((c) => matchCondition(event, c) !== undefined);
  return applies ? { match, params } : undefined;
}

// `$name` / `$1` in `template`, with each value encoded for where it goes (IN_PATH, IN_QUERY,
// IN_HEADER); an unknown parameter is empty, as on Vercel. (Values are strings: a `typeof` check
// skips what objects inherit, such as `constructor`.)
function substituteRoute(template, found, where) {
  return template.replace(ROUTE_PARAMETER, (_all, name) => {
    const value = found.params[name];
    if (typeof value === 'string') return where === IN_HEADER ? value : encodeRouteValue(value);
    const groups = found.match.groups;
    let raw = groups ? groups[name] : undefined;
    if (typeof raw !== 'string') raw = /^\d+$/.test(name) ? found.match[+name] : undefined;
    if (typeof raw !== 'string') return '';
    return where === IN_QUERY ? encodeRouteValue(decodeRouteValue(raw, false)) : raw;
  });
}

// A destination (`/api/x?path=$1#top`, `https://host/$1`) substituted: its path (with any scheme and
// host), its query as a querystring object of percent-encoded values, and its fragment (`#…` or '').
function vercelDestination(template, found) {
  const hash = template.indexOf('#');
  const beforeHash = hash < 0 ? template : template.slice(0, hash);
  const mark = beforeHash.indexOf('?');
  const query = {};
  (mark < 0 ? '' : beforeHash.slice(mark + 1)).split('&').forEach((pair) => {
    const at = pair.indexOf('=');
    if (pair !== '')
      query[at < 0 ? pair : pair.slice(0, at)] = {
        value: substituteRoute(at < 0 ? '' : pair.slice(at + 1), found, IN_QUERY),
      };
  });
  return {
    path: substituteRoute(mark < 0 ? beforeHash : beforeHash.slice(0, mark), found, IN_PATH),
    query,
    hash: hash < 0 ? '' : substituteRoute(template.slice(hash), found, IN_PATH),
  };
}

// Adds a destination's query parameters to the request's, unless the viewer sent one of that name.
function mergeRouteQuery(querystring, query) {
  Object.keys(query).forEach((name) => {
    if (!querystring[name]) querystring[name] = query[name];
  });
  return querystring;
}

function redirectLocation(template, found, request) {
  const destination = vercelDestination(template, found);
  const querystring = mergeRouteQuery(Object.assign({}, request.querystring), destination.query);
  const parts = [];
  Object.keys(querystring).forEach((name) => {
    (querystring[name].multiValue || [querystring[name]]).forEach((item) => {
      parts.push(item.value === '' ? name : `${name}=${item.value}`);
    });
  });
  let path = destination.path;
  // A path template stays a path: `//evil.com/` (trailingSlash) or a `/$1` that starts with `/` must
  // not come out protocol-relative (`//host`, and `/\host`, which browsers read alike). Vercel
  // collapses duplicate slashes at its edge.
  if (template.charAt(0) === '/' && template.charAt(1) !== '/' && template.charAt(1) !== '\\')
    path = path.replace(/^[/\\]+/, '/');
  const location = path + (parts.length > 0 ? `?${parts.join('&')}` : '') + destination.hash;
  return location.replace(UNSAFE_LOCATION_CHARACTERS, encodeRouteValue);
}

// biome-ignore lint/correctness/noUnusedVariables: called by the handler it is concatenated with.
function vercelRoutesBeforeFilesystem(event) {
  const request = event.request;
  const headers = {};
  const routes = VERCEL_ROUTES.b;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    const found = matchVercelRoute(event, route, request.uri);
    if (!found) continue;
    Object.keys(route.h || {}).forEach((name) => {
      if (route.t && name === 'Location') {
        headers.location = redirectLocation(route.h[name], found, request);
        return;
      }
      const value = substituteRoute(route.h[name], found, IN_HEADER);
      if (HEADER_VALUE.test(value)) headers[name.toLowerCase()] = value;
    });
    if (route.c) continue;
    if (route.t)
      return { response: withRouteHeaders({ statusCode: route.t, headers: {} }, headers), headers };
    break;
  }
  return { headers };
}

// The rules' headers on a response the edge answers with; the response's own headers (the 404's
// Content-Type and Cache-Control) win, as the adapter's do. A Set-Cookie goes to `cookies`, where
// CloudFront Functions take a generated response's cookies.
function withRouteHeaders(response, headers) {
  Object.keys(headers).forEach((name) => {
    if (name === 'set-cookie') {
      const cookie = headers[name];
      const semicolon = cookie.indexOf(';');
      const pair = semicolon < 0 ? cookie : cookie.slice(0, semicolon);
      const at = pair.indexOf('=');
      const entry = { value: at < 0 ? '' : pair.slice(at + 1).trim() };
      if (semicolon >= 0) entry.attributes = cookie.slice(semicolon + 1).trim();
      response.cookies = response.cookies || {};
      response.cookies[(at < 0 ? pair : pair.slice(0, at)).trim()] = entry;
    } else if (!response.headers[name]) response.headers[name] = { value: headers[name] };
  });
  return response;
}

// The headers rules' headers for the function's response, applied by the adapter
// (x-vfa-route-headers = ROUTE_HEADERS_HEADER in runtime/constructs-contract.ts). The JSON escapes
// every character beyond ASCII as \uXXXX (JSON.parse reads it back), so the header value is ASCII.
// biome-ignore lint/correctness/noUnusedVariables: called by the handler it is concatenated with.
function setRouteHeaders(request, headers) {
  if (Object.keys(headers).length > 0)
    request.headers['x-vfa-route-headers'] = {
      value: JSON.stringify(headers).replace(
        /[\u007f-\uffff]/g,
        (c) => `\\u${(c.charCodeAt(0) + 0x10000).toString(16).slice(1)}`,
      ),
    };
}
