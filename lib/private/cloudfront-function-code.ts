import { readFileSync } from 'node:fs';
import { Token } from 'aws-cdk-lib';
import { transformSync } from 'esbuild';
import { privateSourceFile } from './source-file';

/** The CloudFront Functions the constructs deploy. */
export type CloudFrontFunctionName =
  | 'viewer-request'
  | 'viewer-response'
  | 'not-found'
  | 'router'
  | 'image-viewer-request';

// CloudFront Functions cannot import code (only the built-in `cloudfront` module), so each one is
// deployed as its handler file followed by the shared files it calls. Tests load the same
// concatenation, so what they run is what CloudFront runs.
const SOURCES: Readonly<Record<CloudFrontFunctionName, readonly string[]>> = {
  'viewer-request': ['viewer-request.js', 'shared/sanitize-request.js', 'shared/vercel-routes.js'],
  'viewer-response': ['viewer-response.js'],
  'not-found': [
    'not-found.js',
    'shared/sanitize-request.js',
    'shared/vercel-routes.js',
    'shared/not-found-response.js',
  ],
  router: [
    'router.js',
    'shared/sanitize-request.js',
    'shared/vercel-routes.js',
    'shared/route-lookup.js',
    'shared/not-found-response.js',
  ],
  // The image optimizer's behaviour: the usual sanitising, then Accept → x-vfa-image-format.
  'image-viewer-request': ['image-viewer-request.js', 'shared/sanitize-request.js'],
};

/** CloudFront's limit on a function's code, in bytes. */
export const MAX_FUNCTION_CODE_BYTES = 10_240;

// CloudFront's rule for the `cloudfront` module: the import is the code's first line.
const CLOUDFRONT_IMPORT = "import cf from 'cloudfront';\n";

// The placeholder of shared/vercel-routes.js, replaced by a JavaScript literal (not a string).
const VERCEL_ROUTES_PLACEHOLDER = '__VFA_VERCEL_ROUTES__';

/** One vercel.json route in the compact form shared/vercel-routes.js evaluates. */
export interface EdgeRoute {
  /** The source, a regular expression matched against the request path. */
  readonly s: string;
  /** A rewrite's destination. */
  readonly d?: string;
  /** Headers (a redirect's `Location` among them). */
  readonly h?: Readonly<Record<string, string>>;
  /** The status of a response the route answers with (a redirect's). */
  readonly t?: number;
  /** 1 when the list goes on after a match (headers rules). */
  readonly c?: 1;
  /**
   * `has` and `missing` conditions: `[type, key]` or `[type, key, value regex]`; an `x-vercel-ip-*`
   * header's key is the CloudFront viewer header it is read from.
   */
  readonly y?: readonly (readonly string[])[];
  readonly n?: readonly (readonly string[])[];
}

/** vercel.json routing rules in the compact form shared/vercel-routes.js evaluates (lib/private/vercel-json-routes.ts). */
export interface EdgeRouteList {
  /** The routes before the filesystem: redirects, headers, trailingSlash. */
  readonly b: readonly EdgeRoute[];
  /** The rewrites, after the filesystem (only the edge router applies them). */
  readonly r: readonly EdgeRoute[];
}

/**
 * A placeholder's value known only at deploy time: a CloudFormation token (a KeyValueStore id) that
 * CloudFormation resolves into the code, so the code at synth holds the token's own text instead.
 */
export interface DeployTimeValue {
  /** The unresolved token, spliced into the code as it is for CloudFormation to resolve. */
  readonly token: string;
  /**
   * The most bytes the token can resolve to, counted against the 10 KB limit instead of the
   * token's text. The resolved value must need no escaping in a string literal.
   */
  readonly maxBytes: number;
}

/** A CloudFront Function's code would exceed {@link MAX_FUNCTION_CODE_BYTES}. */
export class FunctionCodeTooLargeError extends Error {
  constructor(
    readonly functionName: CloudFrontFunctionName,
    readonly bytes: number,
  ) {
    super(
      `CloudFront Function ${functionName} is ${bytes} bytes; CloudFront allows ${MAX_FUNCTION_CODE_BYTES}`,
    );
    this.name = 'FunctionCodeTooLargeError';
  }
}

/**
 * The code of a CloudFront Function as deployed: its files from `lib/private/cloudfront-functions/`
 * concatenated and minified (the 10 KB limit counts every byte), with `placeholders` (each must occur
 * exactly once in the code as a string literal `'__NAME__'`) replaced by the given values, and the
 * vercel.json routes of the functions that evaluate them (`vercelRoutes`, default none; the
 * rewrites only in the router) spliced in as a literal whose regular expressions are regex literals.
 * A value CloudFormation resolves at deploy time is a {@link DeployTimeValue}: the size checked is
 * the code's once every token is its longest value, so code that fits at synth fits when deployed.
 *
 * @throws Error when a placeholder is missing, or a plain string value is an unresolved token
 * @throws FunctionCodeTooLargeError when the deployed code can exceed 10 KB
 */
export function cloudFrontFunctionSource(
  name: CloudFrontFunctionName,
  placeholders: Readonly<Record<string, string | DeployTimeValue>> = {},
  vercelRoutes: EdgeRouteList = { b: [], r: [] },
): string {
  let code = minifiedTemplate(name);
  // What the deployed code weighs beyond the synthesized code: each token's longest value less its text.
  let resolvedExtraBytes = 0;
  for (const [placeholder, value] of Object.entries(placeholders)) {
    const at = placeholderPattern(placeholder);
    if ((code.match(at) ?? []).length !== 1) {
      throw new Error(`CloudFront Function ${name} must contain '${placeholder}' exactly once`);
    }
    const text = typeof value === 'string' ? value : value.token;
    if (typeof value === 'string' && Token.isUnresolved(value)) {
      // Its deployed length is unknown, so the 10 KB check could pass here and fail at deploy.
      throw new Error(
        `CloudFront Function ${name}: the value of '${placeholder}' is a token; pass it as { token, maxBytes }`,
      );
    }
    // A value spliced into a string literal; tokens stay intact for CloudFormation.
    const literal = `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    if (typeof value !== 'string') resolvedExtraBytes += value.maxBytes + 2 - Buffer.byteLength(literal);
    code = code.replace(at, () => literal);
  }
  const routes = placeholderPattern(VERCEL_ROUTES_PLACEHOLDER);
  if (routes.test(code)) {
    // Only the router applies rewrites (it alone selects origins): the others do not carry them.
    const list = name === 'router' ? vercelRoutes : { b: vercelRoutes.b, r: [] };
    code = code.replace(routes, () => edgeRoutesLiteral(list));
  }
  const bytes = Buffer.byteLength(code) + resolvedExtraBytes;
  if (bytes > MAX_FUNCTION_CODE_BYTES) throw new FunctionCodeTooLargeError(name, bytes);
  return code;
}

/**
 * The routes as the JavaScript literal spliced into the functions: JSON, except that sources and
 * condition values are regular expression literals. CloudFront documents no state kept between
 * invocations, and its compute utilization counts all the work of one, so nothing is cached at run
 * time: a literal is compiled with the code instead of one `new RegExp` per route per request.
 */
export function edgeRoutesLiteral(routes: EdgeRouteList): string {
  const list = (items: readonly EdgeRoute[]) => `[${items.map(edgeRouteLiteral).join(',')}]`;
  return `{b:${list(routes.b)},r:${list(routes.r)}}`;
}

function edgeRouteLiteral(route: EdgeRoute): string {
  const fields = Object.entries(route).map(([key, value]) => {
    if (key === 's') return `s:${regexLiteral(value as string)}`;
    if (key === 'y' || key === 'n') {
      // A condition's value matches the whole value, as Next.js and routing-utils anchor it.
      const conditions = (value as string[][]).map(([type, name, pattern]) =>
        pattern === undefined
          ? jsonLiteral([type, name])
          : `[${jsonLiteral(type)},${jsonLiteral(name)},${regexLiteral(`^${pattern}$`)}]`,
      );
      return `${key}:[${conditions.join(',')}]`;
    }
    return `${key}:${jsonLiteral(value)}`;
  });
  return `{${fields.join(',')}}`;
}

// RegExp's `source` escapes `/` and line terminators, so `/source/` is a literal of the same regex.
function regexLiteral(pattern: string): string {
  return `/${new RegExp(pattern).source}/`;
}

// JSON is a JavaScript expression once U+2028/U+2029 are escaped.
function jsonLiteral(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

// esbuild may re-quote a string literal: either quote matches.
function placeholderPattern(placeholder: string): RegExp {
  return new RegExp(`(['"])${placeholder}\\1`, 'g');
}

// The files never change while a process runs: each function is minified once.
const minified = new Map<CloudFrontFunctionName, string>();

// The sources explain themselves in comments; only minified code is deployed. esbuild renames a
// module's top-level names, not a script's, so the code is minified as a module exporting `handler`,
// and the export becomes the `handler` function CloudFront calls (async when the source's is); the
// `cf` the import binds stays a free name, and the import goes back on the first line. es2017 is the
// oldest target for the sources' async functions, and lowers anything newer esbuild could emit
// (`??`, `?.`, `||=`) that cloudfront-js-2.0 (ES 5.1 plus a documented list of later features)
// does not run.
function minifiedTemplate(name: CloudFrontFunctionName): string {
  const cached = minified.get(name);
  if (cached !== undefined) return cached;
  const source = SOURCES[name]
    .map((file) => readFileSync(privateSourceFile(`cloudfront-functions/${file}`), 'utf8'))
    .join('\n');
  const imports = source.startsWith(CLOUDFRONT_IMPORT);
  const { code } = transformSync(
    `${imports ? source.slice(CLOUDFRONT_IMPORT.length) : source}\nexport { handler };\n`,
    { minify: true, format: 'esm', target: 'es2017', legalComments: 'none', charset: 'ascii' },
  );
  const exported = /export\{([A-Za-z_$][\w$]*)(?: as handler)?\};\n$/.exec(code);
  if (!exported) throw new Error(`esbuild did not export the handler of CloudFront Function ${name}`);
  const body = code.slice(0, exported.index);
  const handler =
    exported[1] === 'handler'
      ? ''
      : /\basync function handler\(/.test(source)
        ? `async function handler(e){return ${exported[1]}(e)}`
        : `function handler(e){return ${exported[1]}(e)}`;
  const deployed = (imports ? CLOUDFRONT_IMPORT : '') + body + handler;
  minified.set(name, deployed);
  return deployed;
}
