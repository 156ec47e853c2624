import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BundlingError, bundleFunction } from '../../../lib/bundling';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

describe('bundleFunction', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vfa-bundle-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeEntry(source: string, name = 'hello.ts'): string {
    const entry = path.join(dir, 'api', name);
    mkdirSync(path.dirname(entry), { recursive: true });
    writeFileSync(entry, source);
    return entry;
  }

  test('writes a CommonJS index.js with handler index.handler when given a Vercel-style module', async () => {
    const entry = writeEntry("export default { fetch: () => new Response('hi') };\n");
    const result = await bundleFunction({ entry, outdir: path.join(dir, 'out') });

    expect(result).toEqual({
      outfile: path.join(dir, 'out', 'index.js'),
      handler: 'index.handler',
      inputs: expect.arrayContaining([
        entry,
        expect.stringMatching(/runtime[/\\]handler[/\\]create-handler\.ts$/),
      ]),
    });
    const output = readFileSync(result.outfile, 'utf8');
    expect(output).toMatch(/module\.exports = __toCommonJS/);
    expect(output).toContain("new Response('hi')".replaceAll("'", '"'));
    expect(output).toContain('createHandler(');
    expect(JSON.parse(readFileSync(path.join(dir, 'out', 'package.json'), 'utf8'))).toEqual({
      type: 'commonjs',
    });
  });

  test('aliases @vercel/functions to the runtime shim when the project has no copy of its own', async () => {
    const entry = writeEntry(
      "import { waitUntil } from '@vercel/functions';\nexport default { fetch: () => { waitUntil(Promise.resolve()); return new Response(''); } };\n",
    );
    const { outfile } = await bundleFunction({ entry, outdir: path.join(dir, 'out') });
    const output = readFileSync(outfile, 'utf8');
    expect(output).toContain('runtime/wait-until.ts');
    expect(output).not.toContain('node_modules/@vercel/functions');
  });

  test('bundles the real package when the project has its own copy', async () => {
    mkdirSync(path.join(dir, 'node_modules', '@vercel'), { recursive: true });
    symlinkSync(
      path.join(REPO_ROOT, 'node_modules', '@vercel', 'functions'),
      path.join(dir, 'node_modules', '@vercel', 'functions'),
    );
    const entry = writeEntry(
      "import { ipAddress } from '@vercel/functions';\nexport default { fetch: (r: Request) => new Response(ipAddress(r)) };\n",
    );
    const { outfile } = await bundleFunction({ entry, outdir: path.join(dir, 'out'), projectDir: dir });
    expect(readFileSync(outfile, 'utf8')).toContain('node_modules/@vercel/functions/headers.js');
  });

  test('still aliases the OIDC entry points, @vercel/functions/oidc included, when the project has its own copy', async () => {
    mkdirSync(path.join(dir, 'node_modules', '@vercel'), { recursive: true });
    symlinkSync(
      path.join(REPO_ROOT, 'node_modules', '@vercel', 'functions'),
      path.join(dir, 'node_modules', '@vercel', 'functions'),
    );
    const entry = writeEntry(
      [
        "import { getVercelOidcToken } from '@vercel/functions/oidc';",
        "import { getVercelOidcTokenSync } from '@vercel/oidc';",
        "import { awsCredentialsProvider } from '@vercel/oidc-aws-credentials-provider';",
        'export default { fetch: async () => new Response(String([getVercelOidcToken, getVercelOidcTokenSync, awsCredentialsProvider])) };',
        '',
      ].join('\n'),
    );
    const { outfile } = await bundleFunction({ entry, outdir: path.join(dir, 'out'), projectDir: dir });
    const output = readFileSync(outfile, 'utf8');
    // The real one's awsCredentialsProvider needs a token only Vercel injects (see aliases.ts).
    expect(output).not.toContain('node_modules/@vercel/functions/oidc/');
    expect(output).toContain('runtime/vercel-oidc/get-vercel-oidc-token.ts');
    expect(output).toContain('runtime/oidc-aws-credentials-provider/aws-credentials-provider.ts');
    expect(output).not.toContain('node_modules/@vercel/oidc/');
  });

  test('minifies, writes a source map and leaves externals out when asked', async () => {
    const entry = writeEntry(
      "import { S3Client } from '@aws-sdk/client-s3';\nexport default { fetch: () => new Response(String(S3Client)) };\n",
    );
    const { outfile } = await bundleFunction({
      entry,
      outdir: path.join(dir, 'out'),
      minify: true,
      sourcemap: true,
      external: ['@aws-sdk/*'],
    });
    const output = readFileSync(outfile, 'utf8');
    expect(output).toContain('require("@aws-sdk/client-s3")');
    expect(output).toContain('//# sourceMappingURL=index.js.map');
    expect(JSON.parse(readFileSync(`${outfile}.map`, 'utf8')).version).toBe(3);
  });

  test('keeps the origin secret check, the route check and the headers rules in by default', async () => {
    const entry = writeEntry("export default { fetch: () => new Response('hi') };\n");
    const { outfile } = await bundleFunction({ entry, outdir: path.join(dir, 'out') });
    const output = readFileSync(outfile, 'utf8');
    expect(output).toContain('// runtime/handler/origin-secret.ts');
    expect(output).toContain('// runtime/handler/route.ts');
    expect(output).toContain('// runtime/handler/route-headers.ts');
  });

  test.each([
    ['originSecretCheck', 'runtime/handler/origin-secret.ts', 'runtime/handler/route.ts'],
    ['routeCheck', 'runtime/handler/route.ts', 'runtime/handler/origin-secret.ts'],
    ['routeHeaders', 'runtime/handler/route-headers.ts', 'runtime/handler/route.ts'],
  ] as const)('leaves a check out when %s is false', async (option, leftOut, kept) => {
    const entry = writeEntry("export default { fetch: () => new Response('hi') };\n");
    const { outfile } = await bundleFunction({ entry, outdir: path.join(dir, 'out'), [option]: false });
    const output = readFileSync(outfile, 'utf8');
    expect(output).not.toContain(`// ${leftOut}`);
    expect(output).toContain(`// ${kept}`);
    expect(output).toContain('// runtime/handler/request-guard.ts');
  });

  // Minified there are no module comments: the log line of an invalid x-vfa-route-headers value
  // (route-headers.ts) stands for the module.
  test('leaves the headers rules code out of a minified bundle when routeHeaders is false', async () => {
    const entry = writeEntry("export default { fetch: () => new Response('hi') };\n");
    const message = 'the vercel.json headers rules are not applied to this response';
    const build = async (routeHeaders: boolean) => {
      const outdir = path.join(dir, `out-${routeHeaders}`);
      const { outfile } = await bundleFunction({ entry, outdir, minify: true, routeHeaders });
      return readFileSync(outfile, 'utf8');
    };
    expect(await build(true)).toContain(message);
    const lean = await build(false);
    expect(lean).not.toContain(message);
    // What stays: reading the header off the event, to refuse the request (request-guard.ts).
    expect(lean).toContain('x-vfa-route-headers');
  });

  test('throws a BundlingError naming the option when a check switch is not a boolean', async () => {
    const entry = writeEntry("export default { fetch: () => new Response('hi') };\n");
    const options = { entry, outdir: path.join(dir, 'out'), routeCheck: 'no' as unknown as boolean };
    await expect(bundleFunction(options)).rejects.toThrow(
      new BundlingError('adapterDefines: routeCheck must be a boolean, got "no"'),
    );
  });

  test('throws a BundlingError naming the entry when the entry does not exist', async () => {
    const entry = path.join(dir, 'api', 'missing.ts');
    await expect(bundleFunction({ entry, outdir: path.join(dir, 'out') })).rejects.toThrow(
      new BundlingError(`bundleFunction: entry '${entry}' is not a file (resolved to ${entry})`),
    );
  });

  test('throws when outdir is empty', async () => {
    const entry = writeEntry('export default {};\n');
    await expect(bundleFunction({ entry, outdir: '' })).rejects.toThrow(
      /bundleFunction: 'outdir' must be a non-empty path, got ""/,
    );
  });

  test('throws a BundlingError naming the entry and the esbuild error when the code does not compile', async () => {
    const entry = writeEntry("import { nope } from './does-not-exist';\nexport default { fetch: nope };\n");
    const error = await bundleFunction({ entry, outdir: path.join(dir, 'out') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundlingError);
    expect((error as Error).name).toBe('BundlingError');
    expect((error as Error).message).toContain(`could not bundle '${entry}'`);
    expect((error as Error).message).toMatch(/hello\.ts:1:\d+: Could not resolve "\.\/does-not-exist"/);
    expect((error as Error).cause).toBeDefined();
  });
});
