import { getTransformedRoutes, type HasField, type Route } from '@vercel/routing-utils';
import type { EdgeRoute, EdgeRouteList } from './cloudfront-function-code';
import { describe, isObject, VercelJsonError } from './vercel-json-error';

// vercel.json `redirects`, `rewrites`, `headers` and `trailingSlash`, compiled at synth into the
// route list the CloudFront Functions evaluate (cloudfront-functions/shared/vercel-routes.js). The
// conversion is Vercel's own (@vercel/routing-utils `getTransformedRoutes`), so sources, destinations
// and `has`/`missing` mean what they mean on Vercel; this file validates what Vercel's CLI validates
// with its JSON schema, refuses what the edge cannot do (yet), and writes the compact form.

/** The vercel.json keys this file applies. */
export const ROUTING_KEYS = ['redirects', 'rewrites', 'headers', 'trailingSlash'] as const;

/** vercel.json's routing rules as written (its `redirects`, `rewrites`, `headers`, `trailingSlash`). */
export type RoutingRulesInput = Partial<Record<(typeof ROUTING_KEYS)[number], unknown>>;

/** Routing rules compiled for the CloudFront Functions. */
export interface CompiledRoutingRules {
  /** Where the rules come from (the vercel.json path), for messages. */
  readonly file: string;
  /** The rules as written. */
  readonly input: RoutingRulesInput;
  /** The route list, spliced into the functions' code. */
  readonly routes: EdgeRouteList;
  /** How many rules the file sets: its redirects, rewrites and headers entries, and trailingSlash. */
  readonly ruleCount: number;
  /** Whether there are rewrites, which need the edge router's origin selection. */
  readonly hasRewrites: boolean;
  /** Whether a rule can set response headers of a function's response (headers rules). */
  readonly hasHeaders: boolean;
}

const CONDITION_TYPES = ['header', 'cookie', 'query', 'host'];

/**
 * The `x-vercel-ip-*` headers a `has`/`missing` condition may test, each with the CloudFront viewer
 * header the adapter derives it from (GEO_HEADERS in runtime/handler/viewer-headers.ts). A condition
 * names the CloudFront header in the compiled routes, so the edge reads what CloudFront vouches for
 * (sanitize-request.js drops a viewer's x-vercel-*). Vercel also sets `x-vercel-ip-continent`, but
 * CloudFront has no continent header, so a condition on it could hold only for a viewer who sends
 * one: refused.
 */
export const EDGE_GEO_HEADERS: ReadonlyMap<string, string> = new Map([
  ['x-vercel-ip-country', 'cloudfront-viewer-country'],
  ['x-vercel-ip-country-region', 'cloudfront-viewer-country-region'],
  ['x-vercel-ip-city', 'cloudfront-viewer-city'],
  ['x-vercel-ip-latitude', 'cloudfront-viewer-latitude'],
  ['x-vercel-ip-longitude', 'cloudfront-viewer-longitude'],
  ['x-vercel-ip-postal-code', 'cloudfront-viewer-postal-code'],
  ['x-vercel-ip-timezone', 'cloudfront-viewer-time-zone'],
]);
// What no header value (a Location included) may carry.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
// What a header value the adapter sets on a response may not carry (beyond CONTROL_CHARACTERS).
// (Without the u flag a character beyond U+FFFF is two surrogates, both matched.)
const BEYOND_LATIN_1 = /[\u0100-\uffff]/;
const FIELDS: Readonly<Record<'redirects' | 'rewrites' | 'headers', readonly string[]>> = {
  redirects: ['source', 'destination', 'permanent', 'statusCode', 'has', 'missing'],
  rewrites: ['source', 'destination', 'has', 'missing'],
  headers: ['source', 'headers', 'has', 'missing'],
};
// Fields Vercel accepts that the edge does not apply (yet): refused, so nothing silently differs.
const UNSUPPORTED_FIELDS: Readonly<Record<string, string>> = {
  env: 'environment-dependent rules are not supported',
  transforms: 'request and response transforms are not supported',
  statusCode: 'a rewrite with its own status code is not supported',
  respectOriginCacheControl: 'it concerns external rewrites, which are not supported',
};
// Regular expression syntax JavaScript has but CloudFront Functions do not document (their runtime
// runs ES 5.1 expressions, Perl-compatible, plus ES 2018 named groups:
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html),
// or that a Perl-compatible engine reads differently (`[^]`, `[]`).
const UNSUPPORTED_SYNTAX: readonly { token: string; name: string }[] = [
  { token: '(?<=', name: 'lookbehind (?<=…)' },
  { token: '(?<!', name: 'negative lookbehind (?<!…)' },
  { token: '\\p{', name: 'Unicode property escapes \\p{…}' },
  { token: '\\P{', name: 'Unicode property escapes \\P{…}' },
  { token: '\\k<', name: 'named backreferences \\k<…>' },
  { token: '\\u{', name: 'code point escapes \\u{…}' },
  { token: '[^]', name: 'the empty negated class [^]' },
  { token: '[]', name: 'the empty class []' },
];

/**
 * Validates and compiles the routing rules of `file` (vercel.json): `undefined` when it sets none.
 *
 * @throws VercelJsonError naming the file and the entry, for a malformed rule, one Vercel refuses, one
 *   the CloudFront Functions cannot run (an external rewrite, `transforms`, …) or a regular expression
 *   they cannot run
 */
export function compileRoutingRules(
  file: string,
  input: RoutingRulesInput,
): CompiledRoutingRules | undefined {
  const { redirects, rewrites, headers, trailingSlash } = input;
  if ([redirects, rewrites, headers, trailingSlash].every((value) => value === undefined)) return undefined;
  if (trailingSlash !== undefined && typeof trailingSlash !== 'boolean') {
    throw new VercelJsonError(file, `trailingSlash must be true or false, got ${describe(trailingSlash)}`);
  }
  const entries = {
    redirects: ruleEntries(file, 'redirects', redirects),
    rewrites: ruleEntries(file, 'rewrites', rewrites),
    headers: ruleEntries(file, 'headers', headers),
  };
  // routing-utils lower-cases `has` header keys in place: it gets a copy.
  const { routes, error } = getTransformedRoutes(
    structuredClone({ redirects, rewrites, headers, trailingSlash }) as Parameters<
      typeof getTransformedRoutes
    >[0],
  );
  if (error || !routes) {
    throw new VercelJsonError(file, error?.message ?? 'its routing rules cannot be converted', {
      cause: error,
    });
  }
  // getTransformedRoutes lists trailingSlash's routes, then redirects and headers, then (after the
  // filesystem marker) rewrites: one route per entry, which lets messages name the entry.
  const handle = routes.findIndex((route) => 'handle' in route);
  const before = handle === -1 ? routes : routes.slice(0, handle);
  const after = handle === -1 ? [] : routes.slice(handle + 1);
  const slashRoutes = before.length - entries.redirects.length - entries.headers.length;
  if (after.length !== entries.rewrites.length || slashRoutes < 0) {
    throw new Error(`@vercel/routing-utils returned an unexpected route list for ${file}`);
  }
  const labels = [
    ...Array.from({ length: slashRoutes }, () => 'trailingSlash'),
    ...entries.redirects.map((_entry, i) => `redirects[${i}]`),
    ...entries.headers.map((_entry, i) => `headers[${i}]`),
  ];
  return {
    file,
    input: { redirects, rewrites, headers, trailingSlash },
    routes: {
      b: before.map((route, i) => edgeRoute(file, labels[i], route)),
      r: after.map((route, i) => edgeRoute(file, `rewrites[${i}]`, route)),
    },
    ruleCount:
      entries.redirects.length +
      entries.rewrites.length +
      entries.headers.length +
      (trailingSlash === undefined ? 0 : 1),
    hasRewrites: entries.rewrites.length > 0,
    hasHeaders: entries.headers.length > 0,
  };
}

/**
 * The first syntax of `pattern` CloudFront Functions cannot run, by name; `undefined` when it has
 * none. Escaped characters and the inside of character classes are read as such.
 */
export function unsupportedRegexSyntax(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const rest = pattern.slice(i);
    const found = UNSUPPORTED_SYNTAX.find(
      ({ token }) => rest.startsWith(token) && (token.startsWith('\\') || !inClass),
    );
    if (found) return found.name;
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '[') inClass = true;
    else if (pattern[i] === ']') inClass = false;
  }
  return undefined;
}

type Kind = keyof typeof FIELDS;

function ruleEntries(file: string, kind: Kind, value: unknown): Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new VercelJsonError(file, `${kind} must be an array, got ${describe(value)}`);
  return value.map((entry, index) => {
    const field = `${kind}[${index}]`;
    if (!isObject(entry))
      throw new VercelJsonError(file, `${field} must be an object, got ${describe(entry)}`);
    for (const key of Object.keys(entry)) {
      if (FIELDS[kind].includes(key)) continue;
      const reason = UNSUPPORTED_FIELDS[key];
      throw new VercelJsonError(
        file,
        reason
          ? `${field}.${key}: ${reason} on AWS (yet); remove it or serve this rule from a function`
          : `${field} has an unknown field '${key}' (known: ${FIELDS[kind].join(', ')})`,
      );
    }
    for (const key of kind === 'headers' ? ['source'] : ['source', 'destination']) {
      if (typeof entry[key] !== 'string' || entry[key] === '') {
        throw new VercelJsonError(
          file,
          `${field}.${key} must be a non-empty string, got ${describe(entry[key])}`,
        );
      }
    }
    if (!(entry.source as string).startsWith('/')) {
      throw new VercelJsonError(
        file,
        `${field}.source must start with '/' (it is matched against the request path), got ${describe(entry.source)}`,
      );
    }
    if (kind !== 'headers' && CONTROL_CHARACTERS.test(entry.destination as string)) {
      throw new VercelJsonError(
        file,
        `${field}.destination must not contain control characters (CR, LF, …), got ${describe(entry.destination)}`,
      );
    }
    if (kind === 'rewrites' && /^[a-z][a-z0-9+.-]*:|^\/\//i.test(entry.destination as string)) {
      throw new VercelJsonError(
        file,
        `${field}.destination '${entry.destination}' is an external URL: rewrites to other sites are not supported on AWS yet, only rewrites to the project's functions`,
      );
    }
    if (kind === 'redirects') redirectStatus(file, field, entry);
    if (kind === 'headers') headerList(file, field, entry.headers);
    conditions(file, `${field}.has`, entry.has);
    conditions(file, `${field}.missing`, entry.missing);
    return entry;
  });
}

function redirectStatus(file: string, field: string, entry: Record<string, unknown>): void {
  if (entry.permanent !== undefined && typeof entry.permanent !== 'boolean') {
    throw new VercelJsonError(
      file,
      `${field}.permanent must be true or false, got ${describe(entry.permanent)}`,
    );
  }
  const status = entry.statusCode;
  if (
    status !== undefined &&
    (!Number.isInteger(status) || (status as number) < 300 || (status as number) > 399)
  ) {
    throw new VercelJsonError(
      file,
      `${field}.statusCode must be a redirect status (300-399), got ${describe(status)}`,
    );
  }
}

function headerList(file: string, field: string, headers: unknown): void {
  if (!Array.isArray(headers) || headers.length === 0) {
    throw new VercelJsonError(
      file,
      `${field}.headers must be a non-empty array of { "key", "value" }, got ${describe(headers)}`,
    );
  }
  headers.forEach((header, i) => {
    if (
      !isObject(header) ||
      typeof header.key !== 'string' ||
      !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header.key) ||
      typeof header.value !== 'string' ||
      Object.keys(header).some((key) => key !== 'key' && key !== 'value')
    ) {
      throw new VercelJsonError(
        file,
        `${field}.headers[${i}] must be { "key": a header name, "value": a string }, got ${describe(header)}`,
      );
    }
    if (CONTROL_CHARACTERS.test(header.value as string)) {
      throw new VercelJsonError(
        file,
        `${field}.headers[${i}].value must not contain control characters (CR, LF, …): a header value cannot carry them, got ${describe(header.value)}`,
      );
    }
    // The adapter takes only printable ASCII and Latin-1 for a rule's header (HEADER_VALUE in
    // runtime/handler/route-headers.ts): it would leave such a header out of every response.
    if (BEYOND_LATIN_1.test(header.value as string)) {
      throw new VercelJsonError(
        file,
        `${field}.headers[${i}].value must hold only printable ASCII or Latin-1 characters (up to U+00FF): a response header cannot carry others, got ${describe(header.value)}`,
      );
    }
  });
}

function conditions(file: string, field: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value))
    throw new VercelJsonError(file, `${field} must be an array, got ${describe(value)}`);
  value.forEach((condition, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(condition) || !CONDITION_TYPES.includes(condition.type as string)) {
      throw new VercelJsonError(
        file,
        `${at} must be an object whose type is ${CONDITION_TYPES.join(', ')}, got ${describe(condition)}`,
      );
    }
    const host = condition.type === 'host';
    if (!host && (typeof condition.key !== 'string' || condition.key === '')) {
      throw new VercelJsonError(file, `${at}.key must be a non-empty string, got ${describe(condition.key)}`);
    }
    if (host && condition.value === undefined) {
      throw new VercelJsonError(file, `${at}: a host condition needs a value`);
    }
    const key = typeof condition.key === 'string' ? condition.key.toLowerCase() : '';
    if (condition.type === 'header' && key.startsWith('x-vercel-ip-') && !EDGE_GEO_HEADERS.has(key)) {
      throw new VercelJsonError(
        file,
        `${at}.key is '${condition.key}', a location CloudFront does not provide (it has no such viewer header), so only a viewer sending the header itself could decide the condition. The x-vercel-ip-* headers a condition can test: ${[...EDGE_GEO_HEADERS.keys()].join(', ')}`,
      );
    }
    if (condition.value !== undefined && typeof condition.value !== 'string') {
      throw new VercelJsonError(
        file,
        `${at}.value must be a string (a regular expression); operator objects (eq, inc, re, …) are not supported on AWS yet, got ${describe(condition.value)}`,
      );
    }
    const unknown = Object.keys(condition).find((key) => !['type', 'key', 'value'].includes(key));
    if (unknown !== undefined) throw new VercelJsonError(file, `${at} has an unknown field '${unknown}'`);
  });
}

// One route of routing-utils' list, in the compact form vercel-routes.js reads.
function edgeRoute(file: string, label: string, route: Route): EdgeRoute {
  if ('handle' in route) throw new Error(`unexpected ${route.handle} marker in the routes of ${file}`);
  runnable(file, label, 'source', route.src);
  const compact: Record<string, unknown> = { s: encodedSource(file, label, route.src) };
  if (route.dest !== undefined) compact.d = route.dest;
  if (route.headers) compact.h = route.headers;
  if (route.status !== undefined) compact.t = route.status;
  if (route.continue) compact.c = 1;
  const has = edgeConditions(file, `${label}.has`, route.has);
  const missing = edgeConditions(file, `${label}.missing`, route.missing);
  if (has) compact.y = has;
  if (missing) compact.n = missing;
  return compact as unknown as EdgeRoute;
}

function edgeConditions(file: string, label: string, list: HasField | undefined): string[][] | undefined {
  if (!list || list.length === 0) return undefined;
  return list.map((condition, i) => {
    const value = condition.value as string | undefined;
    if (value !== undefined) runnable(file, `${label}[${i}]`, 'value', `^${value}$`);
    // routing-utils has lower-cased a header key; a geo header is read from CloudFront's.
    const written = 'key' in condition ? condition.key : '';
    const key = (condition.type === 'header' && EDGE_GEO_HEADERS.get(written)) || written;
    return value === undefined ? [condition.type, key] : [condition.type, key, value];
  });
}

// A regular expression the CloudFront Functions can compile and run as Node does.
function runnable(file: string, label: string, what: string, pattern: string): void {
  try {
    new RegExp(pattern);
  } catch (error) {
    throw new VercelJsonError(
      file,
      `${label}.${what} is not a valid regular expression: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const syntax = unsupportedRegexSyntax(pattern);
  if (syntax !== undefined) {
    throw new VercelJsonError(
      file,
      `${label}.${what} uses ${syntax}, which CloudFront Functions' regular expressions do not support (ES 5.1 syntax plus named groups): rewrite the pattern without it`,
    );
  }
}

// CloudFront hands functions the URI as the viewer sent it, percent-encoded: a source's literal space
// or non-ASCII character (`/café`) would never match. Each is written as the UTF-8 percent-encoding
// browsers send (`/caf%C3%A9`); where that would change the pattern's meaning (inside a character
// class, or under a quantifier, which would then repeat only the last byte) the source is refused.
function encodedSource(file: string, label: string, pattern: string): string {
  let encoded = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const escaped = pattern[i] === '\\';
    const at = escaped ? i + 1 : i;
    const char = String.fromCodePoint(pattern.codePointAt(at) ?? 0);
    const next = at + char.length;
    if (at < pattern.length && /[^\x21-\x7e]/.test(char)) {
      if (inClass || /^[?*+{]/.test(pattern.slice(next))) {
        throw new VercelJsonError(
          file,
          `${label}.source has the character ${JSON.stringify(char)} in a character class or under a quantifier: the request path CloudFront matches is percent-encoded, so write it percent-encoded (${encodeURIComponent(char)}) or leave it out`,
        );
      }
      encoded += encodeURIComponent(char);
      i = next - 1;
      continue;
    }
    encoded += escaped ? pattern.slice(i, i + 2) : pattern[i];
    if (escaped) i++;
    else if (pattern[i] === '[') inClass = true;
    else if (pattern[i] === ']') inClass = false;
  }
  return encoded;
}
