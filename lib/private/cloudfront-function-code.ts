import { readFileSync } from 'node:fs';
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
  'not-found': ['not-found.js', 'shared/vercel-routes.js', 'shared/not-found-response.js'],
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

// The placeholder of shared/vercel-routes.js, replaced by a JSON literal (not a string).
const VERCEL_ROUTES_PLACEHOLDER = "'__VFA_VERCEL_ROUTES__'";

/** vercel.json routing rules in the compact form shared/vercel-routes.js evaluates (lib/private/vercel-json-routes.ts). */
export interface EdgeRouteList {
  /** The routes before the filesystem: redirects, headers, trailingSlash. */
  readonly b: readonly object[];
  /** The rewrites, after the filesystem. */
  readonly r: readonly object[];
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
 * concatenated, without whole-line comments (the 10 KB limit counts them), with `placeholders`
 * (each must occur exactly once in the code, quoted: `'__NAME__'`) replaced by the given values, and
 * the vercel.json routes of the functions that evaluate them (`vercelRoutes`, default none) spliced
 * in as a JSON literal.
 *
 * @throws Error when a placeholder is missing
 * @throws FunctionCodeTooLargeError when the code exceeds 10 KB
 */
export function cloudFrontFunctionSource(
  name: CloudFrontFunctionName,
  placeholders: Readonly<Record<string, string>> = {},
  vercelRoutes: EdgeRouteList = { b: [], r: [] },
): string {
  let code = SOURCES[name]
    .map((file) =>
      withoutLineComments(readFileSync(privateSourceFile(`cloudfront-functions/${file}`), 'utf8')),
    )
    .join('\n');
  for (const [placeholder, value] of Object.entries(placeholders)) {
    const quoted = `'${placeholder}'`;
    if (code.split(quoted).length !== 2) {
      throw new Error(`CloudFront Function ${name} must contain ${quoted} exactly once`);
    }
    // A value spliced into a single-quoted string literal; tokens stay intact for CloudFormation.
    code = code.replace(quoted, () => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  }
  if (code.includes(VERCEL_ROUTES_PLACEHOLDER)) {
    // JSON is a JavaScript expression once U+2028/U+2029 are escaped; the rules hold no tokens.
    const literal = JSON.stringify(vercelRoutes)
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029');
    code = code.replace(VERCEL_ROUTES_PLACEHOLDER, () => literal);
  }
  const bytes = Buffer.byteLength(code);
  if (bytes > MAX_FUNCTION_CODE_BYTES) throw new FunctionCodeTooLargeError(name, bytes);
  return code;
}

// The sources explain themselves in comments and indent their code; only code is deployed, without
// the indentation (the sources have no multi-line string or template literal it could change).
function withoutLineComments(source: string): string {
  return `${source
    .split('\n')
    .map((line) => line.trimStart())
    .filter((line) => line !== '' && !line.startsWith('//'))
    .join('\n')}\n`;
}
