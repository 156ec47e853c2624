import { statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type BuildFailure, build, type Message } from 'esbuild';
import { type AdapterFeatureOptions, adapterDefines } from './adapter-defines';
import { adapterEntrySource } from './adapter-entry';
import { projectAliases } from './aliases';
import { BundlingError } from './errors';

/**
 * Options for {@link bundleFunction}. The {@link AdapterFeatureOptions} decide which optional parts of
 * the adapter's request guard the bundle carries (all by default).
 */
export interface BundleFunctionOptions extends AdapterFeatureOptions {
  /** The user's function module (a file of a Vercel-style `api/` folder); relative to the working directory. */
  readonly entry: string;
  /** Folder that receives `index.js`; created when missing. */
  readonly outdir: string;
  /**
   * The user's project folder: when `<projectDir>/node_modules/@vercel/functions` exists, that real
   * package is bundled instead of the runtime shim, except `attachDatabasePool` and the OIDC entry
   * points (`@vercel/functions/oidc`, `@vercel/oidc`, `@vercel/oidc-aws-credentials-provider`), which
   * still come from the runtime: see `projectAliases`.
   *
   * @default - the entry's folder
   */
  readonly projectDir?: string;
  /**
   * Minify the output.
   *
   * @default false
   */
  readonly minify?: boolean;
  /**
   * Write `index.js.map` next to the bundle (Lambda reads it only with `NODE_OPTIONS=--enable-source-maps`).
   *
   * @default false
   */
  readonly sourcemap?: boolean;
  /**
   * Modules left out of the bundle (esbuild `external`), e.g. `['@aws-sdk/*']` to use the SDK that the
   * Lambda Node.js runtime provides.
   *
   * @default [] - everything is bundled, so the output also runs outside Lambda (harness, dev server)
   */
  readonly external?: string[];
  /**
   * Build for the local dev server: the adapter reports region `dev1`, as `vercel dev` does,
   * whatever `AWS_REGION` the shell sets; the function's code and SDK clients still see it.
   *
   * @default false - the region of the function's `AWS_REGION`, as on Lambda
   */
  readonly devRegion?: boolean;
}

/** What {@link bundleFunction} produced. */
export interface BundleFunctionResult {
  /** Absolute path of the bundle, `<outdir>/index.js`. */
  readonly outfile: string;
  /** The Lambda handler string for the bundle. */
  readonly handler: string;
  /** Absolute paths of the files esbuild read into the bundle (from its metafile), the entry included. */
  readonly inputs: readonly string[];
}

const OUTPUT_BASENAME = 'index';

/**
 * Bundles one function with esbuild (locally, never in Docker) into a Lambda-ready CommonJS file
 * `<outdir>/index.js` exporting `handler` (handler string `'index.handler'`), targeting Node 24.
 * `@vercel/functions` imports are aliased to the runtime shim unless the project has its own copy;
 * `attachDatabasePool`, `@vercel/oidc` and `@vercel/oidc-aws-credentials-provider` always are.
 *
 * @example
 * import { bundleFunction } from '../lib/bundling';
 * const { outfile, handler } = await bundleFunction({ entry: 'api/hello.ts', outdir: '.dev/hello' });
 */
export async function bundleFunction(options: BundleFunctionOptions): Promise<BundleFunctionResult> {
  const entry = path.resolve(requireText(options.entry, 'entry'));
  const outdir = path.resolve(requireText(options.outdir, 'outdir'));
  if (!isFile(entry)) {
    throw new BundlingError(`bundleFunction: entry '${options.entry}' is not a file (resolved to ${entry})`);
  }
  const projectDir = path.resolve(options.projectDir ?? path.dirname(entry));
  const define = adapterDefines(options);
  const outfile = path.join(outdir, `${OUTPUT_BASENAME}.js`);

  let inputs: string[];
  try {
    const result = await build({
      stdin: {
        contents: adapterEntrySource(entry, { devRegion: options.devRegion }),
        resolveDir: path.dirname(entry),
        sourcefile: `${path.basename(entry)}.lambda-entry.js`,
        loader: 'js',
      },
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      minify: options.minify ?? false,
      sourcemap: options.sourcemap ?? false,
      external: options.external ?? [],
      alias: projectAliases(projectDir),
      define,
      logLevel: 'silent',
      metafile: true,
    });
    // Relative to esbuild's working directory; `<stdin>` is the generated adapter entry.
    inputs = Object.keys(result.metafile.inputs)
      .filter((input) => input !== '<stdin>')
      .map((input) => path.resolve(input));
  } catch (error) {
    throw new BundlingError(`bundleFunction: could not bundle '${options.entry}':\n${describe(error)}`, {
      cause: error,
    });
  }
  // The bundle is CommonJS; pin that for Node so a `"type": "module"` package.json above `outdir` (a
  // user's ESM project) cannot make Node load index.js as ESM, where `exports.handler` does not exist.
  writeFileSync(path.join(outdir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  return { outfile, handler: `${OUTPUT_BASENAME}.handler`, inputs };
}

function requireText(value: string | undefined, name: keyof BundleFunctionOptions): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BundlingError(
      `bundleFunction: '${name}' must be a non-empty path, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  const messages = (error as Partial<BuildFailure>).errors;
  if (!Array.isArray(messages) || messages.length === 0) {
    return `  ${error instanceof Error ? error.message : String(error)}`;
  }
  return messages.map(formatMessage).join('\n');
}

function formatMessage(message: Message): string {
  const where = message.location
    ? `${message.location.file}:${message.location.line}:${message.location.column}: `
    : '';
  return `  ${where}${message.text}`;
}
