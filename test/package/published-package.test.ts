import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { bundleFunction, vercelPackageAliases } from '../../lib/bundling';
import { cloudFrontFunctionSource } from '../../lib/private/cloudfront-function-code';
import { imageViewerRequestSource } from '../../lib/private/image-cloudfront-function';
import {
  PACKAGE_NAME,
  type PackedConsumer,
  packConsumer,
  REPO_ROOT,
  runConsumerScript,
  typeCheckConsumer,
} from './packed-consumer';

// The package as a consumer gets it from the registry: every `exports` entry resolves to a shipped
// file with the names its source exports, a CDK app synthesizes a VercelProject from it (bundling the
// runtime from its shipped TypeScript sources and reading the CloudFront Functions and the Lambda@Edge
// signer from the shipped files), functions bundled from it are tree-shaken like functions bundled in
// this repository, and TypeScript consumers type-check against the shipped declarations.

const HELLO = `import { geolocation, waitUntil } from '@vercel/functions';

export default {
  fetch(request: Request) {
    waitUntil(Promise.resolve());
    return Response.json({ marker: 'consumer-hello', city: geolocation(request).city });
  },
};
`;

// bundleFunction from the installed package, as VercelFunction calls it (the AWS SDK left to Lambda).
const BUNDLE_SCRIPT = `const { bundleFunction } = require('${PACKAGE_NAME}/bundling');
bundleFunction({ entry: 'api/hello.ts', outdir: process.argv[2], external: ['@aws-sdk/*'] }).then(
  ({ outfile }) => process.stdout.write(outfile),
);
`;

// Code a hello world never reaches, by names that survive bundling: the runtime cache, the CDN
// invalidation manager (and its tag table) and the database pools. Bundled from CommonJS (the compiled
// dist/runtime), every one of them is in.
const UNREACHED_BY_HELLO = [
  'DynamoDBRuntimeCache',
  'CorruptCacheEntryError',
  'InvalidationManager',
  'InvalidationFailedError',
  'VERCEL_FUNCTIONS_AWS_TAG_TABLE',
  'UnsupportedDatabasePoolError',
];

// Every subpath through require() and import(): the keys each exposes, and where it resolved.
const EXPORTS_SCRIPT = `const specifiers = JSON.parse(process.argv[2]);
(async () => {
  const out = {};
  for (const specifier of specifiers) {
    const loaded = require(specifier);
    const imported = await import(specifier);
    out[specifier] = {
      resolved: require.resolve(specifier),
      require: Object.keys(loaded).sort(),
      import: Object.keys(imported).filter((key) => !['default', 'module.exports', '__esModule'].includes(key)).sort(),
    };
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

// The consumer's CDK app. One stack with the default origin protection (its Lambda@Edge signer is
// bundled from the shipped source into a us-east-1 stack); one with the variants that read more files
// at synth: the edge router's CloudFront Function and the image optimizer (its compiled Lambda entry
// bundled, sharp installed by \`npm ci\` from the local npm cache — x86_64, the binaries this machine has).
const SYNTH_SCRIPT = `const { App, Stack } = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const { ImageOptimizer, OriginProtection, Routing, VercelProject } = require('${PACKAGE_NAME}');

const path = require('node:path');

const projectDir = path.join(__dirname, '..');
const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Consumer', { env: { region: 'eu-central-1' } });
new VercelProject(stack, 'P', { projectDir });
const variants = new Stack(app, 'Variants');
new VercelProject(variants, 'P', {
  projectDir,
  originProtection: OriginProtection.secretHeader(),
  routing: Routing.edgeRouter(),
  imageOptimizer: new ImageOptimizer(variants, 'Images', {
    architecture: lambda.Architecture.X86_64,
    formats: ['image/avif', 'image/webp'],
  }),
});
app.synth();
`;

const CONSUMER_TS = `import { App, Stack } from 'aws-cdk-lib';
import { ImageOptimizer, OriginProtection, VercelProject, type VercelProjectProps } from '${PACKAGE_NAME}';
import { vercelPackageAliases } from '${PACKAGE_NAME}/bundling';
import { startDevServer } from '${PACKAGE_NAME}/local';
import { geolocation, getCache, type Geo, waitUntil } from '${PACKAGE_NAME}/runtime';
import { createHandler } from '${PACKAGE_NAME}/runtime/handler';
import { ipAddress } from '${PACKAGE_NAME}/runtime/headers';
import { createImageOptimizerHandler } from '${PACKAGE_NAME}/runtime/image-optimizer';

const app = new App();
const stack = new Stack(app, 'Typed', { env: { region: 'eu-central-1' } });
const props: VercelProjectProps = {
  projectDir: __dirname,
  originProtection: OriginProtection.secretHeader(),
  imageOptimizer: new ImageOptimizer(stack, 'Images', { sizes: [640] }),
};
export const url: string = new VercelProject(stack, 'P', props).url;
export const aliases: Record<string, string> = vercelPackageAliases();
export const handler = createHandler({
  default: {
    fetch(request: Request): Response {
      waitUntil(getCache().set('visits', 1));
      const geo: Geo = geolocation(request);
      return Response.json({ city: geo.city, ip: ipAddress(request) });
    },
  },
});
export const images = createImageOptimizerHandler;
export const serve = startDevServer;
`;

// A Vercel-style route type-checked without the real @vercel/functions: the README's `paths` mapping
// to the package's runtime declarations, for every @vercel/functions entry point (the default import
// included), @vercel/oidc and @vercel/oidc-aws-credentials-provider.
const VERCEL_ROUTE_TS = `import vercel, { geolocation, getCache, waitUntil } from '@vercel/functions';
import { attachDatabasePool } from '@vercel/functions/db-connections';
import { ipAddress } from '@vercel/functions/headers';
import { next } from '@vercel/functions/middleware';
import { getVercelOidcToken } from '@vercel/functions/oidc';
import { getVercelOidcTokenSync } from '@vercel/oidc';
import { awsCredentialsProvider } from '@vercel/oidc-aws-credentials-provider';

export const used = [attachDatabasePool, next, getVercelOidcToken, getVercelOidcTokenSync, vercel.getEnv];
export const credentials = awsCredentialsProvider({ roleArn: 'arn:aws:iam::123456789012:role/reader' });
export function GET(request: Request): Response {
  waitUntil(getCache().set('visits', 1));
  return Response.json({ city: geolocation(request).city, ip: ipAddress(request) });
}
`;

// The README's tsconfig recipe, read from the README itself so the two cannot drift: the
// `compilerOptions` of its first JSON block mapping `@vercel/functions`.
function readmeCompilerOptions(): { readonly paths: Record<string, string[]> } & Record<string, unknown> {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/^```json\n([\s\S]*?)^```$/gm)]
    .map((match) => match[1])
    .find((json) => json.includes('"@vercel/functions"'));
  if (block === undefined) throw new Error('README.md has no tsconfig.json block mapping @vercel/functions');
  return (JSON.parse(block) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions;
}

// The README's options over a strict nodenext setup: CommonJS in the consumer (its package.json has no
// "type"), ESM under esm/ (a package.json with "type": "module").
const pathsTsconfig = (file: string) =>
  `${JSON.stringify({
    compilerOptions: {
      target: 'ES2023',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      lib: ['ES2023', 'DOM'],
      strict: true,
      noEmit: true,
      ...readmeCompilerOptions(),
    },
    files: [file],
  })}\n`;

// middy's own declarations name an optional peer of @middy/core, so this one skips library checks.
const MIDDY_TS = `import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import { vercelExecutionMode, vercelRequestContext } from '${PACKAGE_NAME}/runtime/handler/middy';

export const handler = middy(async () => ({ statusCode: 200, body: 'hello' }), {
  executionMode: vercelExecutionMode(executionModeStreamifyResponse),
}).use(vercelRequestContext());
`;

const tsconfig = (module: string, moduleResolution: string, file: string, skipLibCheck: boolean) =>
  `${JSON.stringify({
    compilerOptions: {
      target: 'ES2023',
      module,
      moduleResolution,
      lib: ['ES2023', 'DOM'],
      strict: true,
      noEmit: true,
      skipLibCheck,
      types: ['node'],
    },
    files: [file],
  })}\n`;

type ExportEntry = string | { readonly types: string; readonly default: string };
type LoadedExports = Record<string, { resolved: string; require: string[]; import: string[] }>;
interface SynthesizedResource {
  readonly Type: string;
  readonly Properties: {
    readonly Description?: string;
    readonly Code?: { readonly S3Key?: string };
    readonly FunctionConfig?: { readonly Comment?: string };
    readonly FunctionCode?: unknown;
  };
}

let consumer: PackedConsumer;

beforeAll(() => {
  consumer = packConsumer({
    files: {
      'package.json': `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true })}\n`,
      // A consumer's lock file names sharp (a dependency of the package): NodejsFunction needs a lock
      // file, and the image optimizer's `npm ci` installs sharp from it.
      'package-lock.json': readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8'),
      'api/hello.ts': HELLO,
      'exports.cjs': EXPORTS_SCRIPT,
      'bundle.cjs': BUNDLE_SCRIPT,
      'bin/synth.js': SYNTH_SCRIPT,
      'consumer.ts': CONSUMER_TS,
      'middy.ts': MIDDY_TS,
      'tsconfig.node16.json': tsconfig('node16', 'node16', 'consumer.ts', false),
      'tsconfig.bundler.json': tsconfig('preserve', 'bundler', 'consumer.ts', false),
      'tsconfig.middy.json': tsconfig('preserve', 'bundler', 'middy.ts', true),
      'vercel-route.ts': VERCEL_ROUTE_TS,
      'tsconfig.paths.json': pathsTsconfig('vercel-route.ts'),
      'esm/package.json': `${JSON.stringify({ type: 'module' })}\n`,
      'esm/vercel-route.ts': VERCEL_ROUTE_TS,
      'tsconfig.paths-esm.json': pathsTsconfig('esm/vercel-route.ts'),
    },
  });
}, 120_000);
afterAll(() => {
  if (consumer) rmSync(consumer.root, { recursive: true, force: true });
});

const subpaths = () => Object.keys(consumer.manifest.exports).filter((key) => key !== './package.json');
const specifier = (subpath: string) =>
  subpath === '.' ? PACKAGE_NAME : `${PACKAGE_NAME}/${subpath.slice(2)}`;
const targets = (entry: ExportEntry) => (typeof entry === 'string' ? [entry] : [entry.types, entry.default]);

// The source module an `exports` entry is compiled from: ./dist/lib/index.js → <repo>/lib/index.
function sourceModule(entry: ExportEntry): string {
  const compiled = typeof entry === 'string' ? entry : entry.default;
  return path.join(REPO_ROOT, compiled.replace(/^\.\/dist\//, '').replace(/\.js$/, ''));
}

let loadedExports: LoadedExports | undefined;

// Loaded once, by a child process of the consumer.
function loadExports(): LoadedExports {
  loadedExports ??= JSON.parse(
    runConsumerScript(consumer, 'exports.cjs', [JSON.stringify(subpaths().map(specifier))]),
  ) as LoadedExports;
  return loadedExports;
}

describe('published package', () => {
  test('ships the compiled code, the runtime sources and the files read at synth, and no tests, benchmarks, examples or cdk.out', () => {
    const files = consumer.files;
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/runtime/index.js',
        'dist/runtime/image-optimizer/lambda.js',
        'dist/runtime/cdn/sweeper.js',
        'runtime/index.ts',
        'runtime/handler/create-handler.ts',
        'lib/private/edge/content-sha256.ts',
        'lib/private/cloudfront-functions/viewer-request.js',
        'lib/private/cloudfront-functions/shared/sanitize-request.js',
      ]),
    );
    const unwanted = files.filter(
      (file) =>
        /^(test|bench|examples|bin|cdk\.out|node_modules)\//.test(file) ||
        /\.test\.|\.tsbuildinfo$/.test(file) ||
        // TypeScript sources: dist/ holds the compiled code; only the runtime (functions are bundled
        // from it) and the edge signer ship as source.
        (/\.tsx?$/.test(file) &&
          !file.endsWith('.d.ts') &&
          !file.startsWith('lib/private/edge/') &&
          !file.startsWith('runtime/')) ||
        (file.startsWith('runtime/') && !file.endsWith('.ts')),
    );
    expect(unwanted).toEqual([]);
  });

  test('ships every runtime source file, so bundles resolve the whole runtime from the package', () => {
    const sources = readdirSync(path.join(REPO_ROOT, 'runtime'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => `runtime/${file.split(path.sep).join('/')}`);
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.filter((file) => !consumer.files.includes(file))).toEqual([]);
  });

  test('points every exports entry at a file in the tarball', () => {
    const missing = Object.values(consumer.manifest.exports)
      .flatMap(targets)
      .map((target) => target.replace(/^\.\//, ''))
      .filter((file) => !consumer.files.includes(file));
    expect(missing).toEqual([]);
  });

  test('exposes the names of its source on every subpath to require and import when used from the consumer', () => {
    const loaded = loadExports();
    for (const subpath of subpaths()) {
      const name = specifier(subpath);
      const expected = Object.keys(require(sourceModule(consumer.manifest.exports[subpath]))).sort();
      expect(expected.length).toBeGreaterThan(0);
      expect({ name, keys: loaded[name].require }).toEqual({ name, keys: expected });
      expect({ name, keys: loaded[name].import }).toEqual({ name, keys: expected });
      // Loaded from the unpacked package, never from this repository.
      expect(loaded[name].resolved.startsWith(`${consumer.packageDir}${path.sep}`)).toBe(true);
    }
  });

  test('exposes exactly the keys of the real @vercel/functions on the runtime subpaths when used from the consumer', () => {
    const loaded = loadExports();
    // The same comparison as test/runtime/index.test.ts, on the shipped files.
    for (const upstream of ['', '/headers', '/middleware', '/db-connections', '/oidc']) {
      const upstreamKeys = Object.keys(require(`@vercel/functions${upstream}`)).sort();
      expect(loaded[`${PACKAGE_NAME}/runtime${upstream}`].require).toEqual(upstreamKeys);
    }
  });

  test('exports every name the README imports or lists as a construct', () => {
    const readme = readFileSync(path.join(consumer.packageDir, 'README.md'), 'utf8');
    const loaded = loadExports();
    const documented: [string, string][] = [];
    for (const match of readme.matchAll(/import \{([^}]+)\} from '(vercel-functions-aws[^']*)'/g)) {
      for (const name of match[1].split(',')) documented.push([match[2], name.trim().replace(/^type /, '')]);
    }
    // The construct table's first column: `| \`VercelProject\` | …`, `| \`OidcRole\`, \`OidcIssuer\` | …`.
    const table = readme.slice(readme.indexOf('\n| construct ')).split('\n\n')[0];
    for (const row of table.matchAll(/^\| (`\w+`(?:, `\w+`)*) +\|/gm)) {
      for (const name of row[1].matchAll(/`(\w+)`/g)) documented.push([PACKAGE_NAME, name[1]]);
    }
    expect(documented.length).toBeGreaterThan(10);
    const missing = documented.filter(([from, name]) => !loaded[from]?.require.includes(name));
    expect(missing).toEqual([]);
  });

  test('resolves every package import path that the shipped doc comments show', () => {
    const shown = new Set<string>();
    for (const file of consumer.files.filter((file) => file.endsWith('.d.ts'))) {
      const text = readFileSync(path.join(consumer.packageDir, file), 'utf8');
      for (const match of text.matchAll(/from '(vercel-functions-aws(?:\/[\w/-]+)?)'/g)) shown.add(match[1]);
    }
    expect(shown.size).toBeGreaterThan(2);
    const exported = new Set(subpaths().map(specifier));
    expect([...shown].filter((name) => !exported.has(name))).toEqual([]);
  });

  test('synthesizes a VercelProject with its bundled function, signer and CloudFront Functions when a consumer bin runs', () => {
    const outdir = path.join(consumer.root, 'cdk.out');
    runConsumerScript(consumer, 'bin/synth.js', [outdir]);
    const template = (stack: string) =>
      JSON.parse(readFileSync(path.join(outdir, `${stack}.template.json`), 'utf8')) as {
        Resources: Record<string, SynthesizedResource>;
      };
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string }>;
    };
    const stacks = Object.keys(manifest.artifacts).filter(
      (id) => manifest.artifacts[id].type === 'aws:cloudformation:stack',
    );
    const edgeStack = stacks.find((id) => id.startsWith('edge-lambda-stack-'));
    expect(edgeStack).toBeDefined();
    const resources = (stack: string, type: string) =>
      Object.values(template(stack).Resources).filter((resource) => resource.Type === type);
    const lambdaAsset = (stack: string, description: string) => {
      const fn = resources(stack, 'AWS::Lambda::Function').find((resource) =>
        String(resource.Properties.Description).startsWith(description),
      );
      expect([stack, description, fn !== undefined]).toEqual([stack, description, true]);
      return path.join(outdir, `asset.${String(fn!.Properties.Code?.S3Key).replace(/\.zip$/, '')}`);
    };
    const bundle = (dir: string) => readFileSync(path.join(dir, 'index.js'), 'utf8');

    for (const stack of ['Consumer', 'Variants']) {
      // The user's module and the runtime it was aliased to, bundled from the shipped runtime sources
      // and so tree-shaken.
      const hello = bundle(lambdaAsset(stack, 'Vercel function api/hello.ts'));
      expect(hello).toContain('consumer-hello');
      expect(hello).toContain('@vercel/request-context');
      expect(UNREACHED_BY_HELLO.filter((name) => hello.includes(name))).toEqual([]);
      expect(bundle(lambdaAsset(stack, 'vercel-functions-aws: sends the invalidations'))).toContain(
        'VERCEL_FUNCTIONS_AWS_TAG_TABLE',
      );
    }
    expect(bundle(lambdaAsset(edgeStack!, 'Sets x-amz-content-sha256'))).toContain('x-amz-content-sha256');
    const images = lambdaAsset('Variants', 'Vercel-style image optimizer');
    expect(bundle(images).length).toBeGreaterThan(1000);
    expect(existsSync(path.join(images, 'node_modules', 'sharp', 'package.json'))).toBe(true);

    // The CloudFront Functions read from the shipped lib/private/cloudfront-functions, exactly as the
    // source tree builds them.
    const functionCode = (stack: string, name: string) =>
      resources(stack, 'AWS::CloudFront::Function').find(
        (resource) => resource.Properties.FunctionConfig?.Comment === `vercel-functions-aws ${name}`,
      )?.Properties.FunctionCode;
    for (const name of ['viewer-request', 'viewer-response', 'not-found'] as const) {
      expect(functionCode('Consumer', name)).toBe(cloudFrontFunctionSource(name));
    }
    expect(functionCode('Variants', 'image viewer-request')).toBe(
      imageViewerRequestSource(['image/avif', 'image/webp']),
    );
    // The router's code carries the KeyValueStore's id as a token, so it is joined at deploy time.
    const router = JSON.stringify(functionCode('Variants', 'router'));
    expect(router).toContain('function handler(');
  }, 180_000);

  test('bundles a hello world from the installed package to within a few KB of the same bundle from this repository', async () => {
    const installed = readFileSync(
      runConsumerScript(consumer, 'bundle.cjs', [path.join(consumer.root, 'installed-bundle')]),
      'utf8',
    );
    const fromRepo = await bundleFunction({
      entry: path.join(consumer.consumerDir, 'api', 'hello.ts'),
      outdir: path.join(consumer.root, 'repo-bundle'),
      projectDir: consumer.consumerDir,
      external: ['@aws-sdk/*'],
    });
    const repo = readFileSync(fromRepo.outfile, 'utf8');
    // The runtime came from the installed package's sources, never from dist/runtime or this repository.
    expect(installed).toContain('node_modules/vercel-functions-aws/runtime/handler/create-handler.ts');
    expect(installed).not.toContain('dist/runtime/');
    for (const built of [installed, repo]) {
      expect(built).toContain('consumer-hello');
      expect(UNREACHED_BY_HELLO.filter((name) => built.includes(name))).toEqual([]);
    }
    // Only esbuild's path comments differ (node_modules/vercel-functions-aws/runtime/… against runtime/…).
    expect(Math.abs(installed.length - repo.length)).toBeLessThan(4096);
  }, 60_000);

  test('ships the vercel-functions-aws-dev bin, whose --help names it, when the consumer runs it', () => {
    const bin = consumer.manifest.bin?.['vercel-functions-aws-dev'];
    expect(bin).toBe('dist/lib/local/dev-server-bin.js');
    expect(consumer.files).toContain(bin);
    const file = path.join(consumer.packageDir, bin!);
    // npm links the file into node_modules/.bin and runs it directly: it needs its interpreter line.
    expect(readFileSync(file, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const help = runConsumerScript(consumer, file, ['--help']);
    expect(help).toMatch(/^Usage: vercel-functions-aws-dev \[dir\] \[options\]\n/);
    expect(help).toContain('project folder (default: .)');
  });

  test('serves the consumer folder from the shipped bin when started without a folder', async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(consumer.packageDir, consumer.manifest.bin!['vercel-functions-aws-dev']),
        '--port',
        '0',
        '--host',
        '127.0.0.1',
      ],
      { cwd: consumer.consumerDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          const match = / on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(output);
          if (match) resolve(match[1]);
        };
        child.stdout!.on('data', read);
        child.stderr!.on('data', read);
        child.once('exit', (code) => reject(new Error(`the bin exited with ${code}:\n${output}`)));
      });
      expect(output).toContain(`Serving ${consumer.consumerDir} on ${url}`);
      const response = await fetch(`${url}/api/hello`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ marker: 'consumer-hello' });
    } finally {
      // SIGTERM lets it remove its build folder; SIGKILL if it has not exited 10 s later.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(kill);
      }
    }
  }, 60_000);

  test('type-checks a TypeScript consumer against the shipped declarations with node16 resolution', () => {
    expect(typeCheckConsumer(consumer, 'tsconfig.node16.json')).toBe('');
  });

  test('type-checks a TypeScript consumer against the shipped declarations with bundler resolution', () => {
    expect(typeCheckConsumer(consumer, 'tsconfig.bundler.json')).toBe('');
  });

  test('maps in the README tsconfig every Vercel entry point the bundler aliases, to the declarations of the aliased module', () => {
    const paths = readmeCompilerOptions().paths;
    const runtimeDir = path.join(REPO_ROOT, 'runtime');
    const aliased = Object.entries(vercelPackageAliases())
      .filter(([specifier]) => specifier.startsWith('@vercel/'))
      .map(([specifier, file]) => [
        specifier,
        [
          `./node_modules/${PACKAGE_NAME}/dist/runtime/${path.relative(runtimeDir, file).replace(/\.ts$/, '.d.ts')}`,
        ],
      ]);
    expect(aliased.length).toBeGreaterThan(5);
    expect(paths).toEqual(Object.fromEntries(aliased));
    // Every target is a declaration file the package ships.
    const targets = Object.values(paths).flat();
    expect(
      targets.filter(
        (target) => !consumer.files.includes(target.replace(`./node_modules/${PACKAGE_NAME}/`, '')),
      ),
    ).toEqual([]);
  });

  test('type-checks a CommonJS route importing every Vercel entry point without the real package when tsconfig maps them as the README shows', () => {
    expect(existsSync(path.join(consumer.consumerDir, 'node_modules', '@vercel', 'functions'))).toBe(false);
    expect(typeCheckConsumer(consumer, 'tsconfig.paths.json')).toBe('');
  });

  test('type-checks an ESM ("type": "module", nodenext) route importing every Vercel entry point when tsconfig maps them as the README shows', () => {
    expect(typeCheckConsumer(consumer, 'tsconfig.paths-esm.json')).toBe('');
  });

  test('type-checks a middy handler using the middy subpath', () => {
    expect(typeCheckConsumer(consumer, 'tsconfig.middy.json')).toBe('');
  });
});
