import * as path from 'node:path';

// This file is lib/bundling/runtime-path.ts in the source tree and dist/lib/bundling/runtime-path.js
// once compiled; the runtime sits two folders up in both (runtime/*.ts, dist/runtime/*.js). Resolving
// from here rather than from the working directory keeps bundling correct wherever the app runs from.
const RUNTIME_DIR = path.resolve(__dirname, '..', '..', 'runtime');
const RUNTIME_EXTENSION = path.extname(__filename) === '.ts' ? '.ts' : '.js';

/**
 * Absolute path of a module of the Lambda runtime shim, e.g. `runtimeModulePath('handler/index')`.
 *
 * @param modulePath path inside `runtime/`, without extension
 */
export function runtimeModulePath(modulePath: string): string {
  return path.join(RUNTIME_DIR, `${modulePath}${RUNTIME_EXTENSION}`);
}
