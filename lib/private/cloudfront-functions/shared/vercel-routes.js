// Shared by viewer-request.js, not-found.js and router.js (concatenated by
// lib/private/cloudfront-function-code.ts): vercel.json `redirects`, `headers`, `trailingSlash` and
// `rewrites`, as the route list @vercel/routing-utils compiles them to (lib/private/vercel-json-routes.ts
// writes the compact form below at synth). Evaluated like Vercel's router
// (vercel/vercel packages/cli/src/util/dev/router.ts and route-conditions.ts, Next.js' matchHas):
// - `b` = the routes before the filesystem, in order: a match with `c` (continue) adds its headers and
//   goes on; a match with `t` (status) ends with that response (a redirect's Location is among its
//   headers); any other match ends the list (trailingSlash's /.well-known exemption).
// - `r` = the rewrites, tried by router.js only when no function serves the path (`check`): each match
//   moves the request to its destination, which either a function serves, or the next rewrite sees.
// - A route is `{ s: source regex, d?: destination, h?: headers, t?: status, c?: 1, y?: has, n?: missing }`;
//   a condition is `[type, key, value]` (`value` a regex matched against the whole value, as Next.js and
//   routing-utils anchor it; named groups become `$name` parameters, as does the key of a condition
//   without a value).
// - `$1` / `$name` take the source's groups and the conditions' parameters: raw in a path, decoded and
//   re-encoded in a query value (`/rw/a/b` through `/rw/:path*` → `?path=a%2Fb`, as measured on Vercel).
// - Query: the viewer's parameters are kept and win over a destination parameter of the same name, as
//   `vercel dev` merges them; a redirect passes the viewer's query on to its Location.

const VERCEL_ROUTES = '__VFA_VERCEL_ROUTES__';

function decodeRouteValue(value) {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch (_error) {
    return value;
  }
}

function conditionValue(request, condition) {
  const type = condition[0];
  const headers = request.headers;
  if (type === 'host')
    return headers.host ? headers.host.value.replace(/:\d+$/, '').toLowerCase() : undefined;
  const entry = (type === 'header' ? headers : type === 'cookie' ? request.cookies : request.querystring)[
    condition[1]
  ];
  if (!entry) return undefined;
  if (type === 'header') return entry.value;
  // A repeated query parameter is matched by its last value, as Next.js does.
  const values = entry.multiValue || [entry];
  return decodeRouteValue(values[values.length - 1].value);
}

// The value, or the regex's match on all of it; `undefined` when the condition does not hold.
function matchCondition(request, condition) {
  const value = conditionValue(request, condition);
  if (value === undefined || condition[2] === undefined) return value;
  return new RegExp(`^${condition[2]}$`).exec(value) || undefined;
}

// The source's match and the conditions' parameters, or undefined when the route does not apply.
function matchVercelRoute(request, route, path) {
  const match = new RegExp(route.s).exec(path);
  if (!match) return undefined;
  const params = Object.assign({}, match.groups);
  const holds = (condition) => {
    const found = matchCondition(request, condition);
    if (typeof found === 'string') params[condition[1]] = found;
    else if (found) Object.assign(params, found.groups, condition[0] === 'host' ? { host: found[0] } : {});
    return found !== undefined;
  };
  const applies =
    (route.y || []).every(holds) && !(route.n || []).some((c) => matchCondition(request, c) !== undefined);
  return applies ? { match, params } : undefined;
}

function substituteRoute(template, found, encode) {
  return template.replace(/\$([1-9a-zA-Z]+)/g, (_all, name) => {
    const value = name in found.params ? found.params[name] : found.match[parseInt(name, 10)];
    if (value === undefined) return '';
    return encode ? encodeURIComponent(decodeRouteValue(value)) : value;
  });
}

// A destination (`/api/x?path=$1`, `https://host/$1`) substituted: its path (with any scheme and
// host), and its query as a querystring object of percent-encoded values.
function vercelDestination(template, found) {
  const parts = template.split('?');
  const query = {};
  (parts[1] || '').split('&').forEach((pair) => {
    const at = pair.indexOf('=');
    if (pair !== '')
      query[at < 0 ? pair : pair.slice(0, at)] = {
        value: substituteRoute(pair.slice(at + 1 || pair.length), found, true),
      };
  });
  return { path: substituteRoute(parts[0], found, false), query };
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
  return destination.path + (parts.length > 0 ? `?${parts.join('&')}` : '');
}

// biome-ignore lint/correctness/noUnusedVariables: called by the handler it is concatenated with.
function vercelRoutesBeforeFilesystem(request) {
  const headers = {};
  const routes = VERCEL_ROUTES.b;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    const found = matchVercelRoute(request, route, request.uri);
    if (!found) continue;
    Object.keys(route.h || {}).forEach((name) => {
      const location = route.t && name === 'Location';
      headers[name.toLowerCase()] = location
        ? redirectLocation(route.h[name], found, request)
        : substituteRoute(route.h[name], found, false);
    });
    if (route.c) continue;
    if (route.t)
      return { response: withRouteHeaders({ statusCode: route.t, headers: {} }, headers), headers };
    break;
  }
  return { headers };
}

function withRouteHeaders(response, headers) {
  Object.keys(headers).forEach((name) => {
    response.headers[name] = { value: headers[name] };
  });
  return response;
}

// The headers rules' headers for the function's response, applied by the adapter
// (x-vfa-route-headers = ROUTE_HEADERS_HEADER in runtime/constructs-contract.ts).
// biome-ignore lint/correctness/noUnusedVariables: called by the handler it is concatenated with.
function setRouteHeaders(request, headers) {
  if (Object.keys(headers).length > 0)
    request.headers['x-vfa-route-headers'] = { value: JSON.stringify(headers) };
}
