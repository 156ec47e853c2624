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
  'viewer-request': ['viewer-request.js', 'shared/sanitize-request.js'],
  'viewer-response': ['viewer-response.js'],
  'not-found': ['not-found.js', 'shared/not-found-response.js'],
  router: [
    'router.js',
    'shared/sanitize-request.js',
    'shared/route-lookup.js',
    'shared/not-found-response.js',
  ],
  // The image optimizer's behaviour: the usual sanitising, then Accept → x-vfa-image-format.
  'image-viewer-request': ['image-viewer-request.js', 'shared/sanitize-request.js'],
};

/** CloudFront's limit on a function's code, in bytes. */
export const MAX_FUNCTION_CODE_BYTES = 10_240;

/**
 * The code of a CloudFront Function as deployed: its files from `lib/private/cloudfront-functions/`
 * concatenated, without whole-line comments (the 10 KB limit counts them), with `placeholders`
 * (each must occur exactly once in the code, quoted: `'__NAME__'`) replaced by the given values.
 *
 * @throws Error when a placeholder is missing, or the code exceeds 10 KB
 */
export function cloudFrontFunctionSource(
  name: CloudFrontFunctionName,
  placeholders: Readonly<Record<string, string>> = {},
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
  if (Buffer.byteLength(code) > MAX_FUNCTION_CODE_BYTES) {
    throw new Error(
      `CloudFront Function ${name} is ${Buffer.byteLength(code)} bytes; CloudFront allows ${MAX_FUNCTION_CODE_BYTES}`,
    );
  }
  return code;
}

// The sources explain themselves in comments; only code is deployed.
function withoutLineComments(source: string): string {
  return `${source
    .split('\n')
    .filter((line) => !/^\s*\/\//.test(line))
    .join('\n')
    .trim()}\n`;
}
