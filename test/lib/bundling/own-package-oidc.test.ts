import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { build } from 'esbuild';
import { projectAliases } from '../../../lib/bundling';
import {
  DATA_ROLE,
  type Federation,
  REGION,
  setEnv,
  startFederation,
} from '../../runtime/vercel-oidc/federation';
import { linkInstalledPackages } from './project-links';

// A project that installed its own @vercel/functions (the usual case) still gets the runtime's OIDC
// modules for `@vercel/functions/oidc`: the real awsCredentialsProvider reads a Vercel-only token
// and throws on AWS before anything can fall back. Bundled as bundleFunction bundles, then run in
// a Node process of its own (jest's module sandbox cannot run the bundle's lazy import() of the
// SDK) against the loopback STS with the function's execution-role credentials, as on AWS.

const REPO = path.resolve(__dirname, '..', '..', '..');

const ENTRY = [
  "export { awsCredentialsProvider as viaFunctionsOidc } from '@vercel/functions/oidc';",
  "export { awsCredentialsProvider as viaProviderPackage } from '@vercel/oidc-aws-credentials-provider';",
  "export { ipAddress } from '@vercel/functions';",
].join('\n');

// Calls one provider export of the bundle the way an SDK client does, and prints the credentials.
const CALL_PROVIDER = `
const [outfile, name, roleArn, region] = process.argv.slice(1);
require(outfile)[name]({ roleArn, roleSessionName: name })({ callerClientConfig: { region } }).then(
  (credentials) => process.stdout.write(JSON.stringify(credentials)),
  (error) => { process.stdout.write(JSON.stringify({ error: error.name + ': ' + error.message })); },
);`;

let dir: string;
let outfile: string;
let modules: string[];
let federation: Federation;

async function credentialsFromBundle(name: string) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-e', CALL_PROVIDER, outfile, name, DATA_ROLE, REGION],
    { env: process.env, timeout: 30_000 },
  );
  return JSON.parse(stdout) as {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    error?: string;
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vfa-own-package-oidc-'));
  // The project's own copy of the real package, and the AWS SDK the Lambda runtime would provide to
  // the bundle, which leaves it external.
  linkInstalledPackages(dir, ['@vercel/functions', '@aws-sdk']);
  const entry = path.join(dir, 'route.ts');
  writeFileSync(entry, ENTRY);
  outfile = path.join(dir, 'out', 'route.js');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    outfile,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    external: ['@aws-sdk/*', '@smithy/*'],
    alias: projectAliases(dir),
    metafile: true,
    logLevel: 'silent',
  });
  modules = Object.keys(result.metafile.inputs).map((file) => path.relative(REPO, path.resolve(file)));
  federation = await startFederation();
});

let restoreEnv: () => void = () => {};
// The function's environment on AWS: region, STS endpoint, execution-role credentials, no token.
beforeEach(() => {
  restoreEnv = setEnv(federation.functionEnv());
});
afterEach(() => restoreEnv());

afterAll(async () => {
  await federation?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a bundle of a project with its own @vercel/functions', () => {
  test('resolves @vercel/functions/oidc to the runtime when the project has its own copy', () => {
    expect(modules).toEqual(
      expect.arrayContaining([
        'runtime/oidc/index.ts',
        'runtime/oidc-aws-credentials-provider/aws-credentials-provider.ts',
      ]),
    );
    expect(modules.filter((file) => file.includes('@vercel/functions/oidc'))).toEqual([]);
    expect(modules.filter((file) => file.includes('node_modules/@vercel/oidc'))).toEqual([]);
  });

  test('keeps the project copy for the @vercel/functions index when it imports it', () => {
    expect(modules).toContain('node_modules/@vercel/functions/index.js');
    expect(modules).not.toContain('runtime/index.ts');
  });

  test.each(['viaFunctionsOidc', 'viaProviderPackage'])(
    'gets credentials for the role through %s when no Vercel token exists on AWS',
    async (name) => {
      const { error, accessKeyId, secretAccessKey, sessionToken } = await credentialsFromBundle(name);
      expect(error).toBeUndefined();
      const credentials = { accessKeyId, secretAccessKey, sessionToken };
      const caller = await new STSClient({ region: REGION, credentials }).send(
        new GetCallerIdentityCommand({}),
      );
      expect(caller.Arn).toBe(`arn:aws:sts::123456789012:assumed-role/data-reader/${name}`);
    },
  );
});
