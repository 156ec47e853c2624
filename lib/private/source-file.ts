import { existsSync } from 'node:fs';
import * as path from 'node:path';

// This file is lib/private/source-file.ts in the source tree and dist/lib/private/source-file.js once
// compiled. Files that tsc does not emit (the CloudFront Functions' .js, the edge handler's .ts
// source) stay in lib/private/, which the package ships next to dist/ — so look beside this file
// first, then in the source tree.
const CANDIDATE_DIRS = [__dirname, path.resolve(__dirname, '..', '..', '..', 'lib', 'private')];

/**
 * Absolute path of a file under `lib/private/`, from the source tree or a compiled `dist/`.
 *
 * @param relativePath path inside `lib/private/`, e.g. `cloudfront-functions/viewer-request.js`
 */
export function privateSourceFile(relativePath: string): string {
  for (const dir of CANDIDATE_DIRS) {
    const candidate = path.join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    `vercel-functions-aws is missing lib/private/${relativePath} (looked in ${CANDIDATE_DIRS.join(', ')}); reinstall the package`,
  );
}
