import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const REPO = path.resolve(__dirname, '..', '..', '..');

/**
 * Synthesizes bin/app.ts into `outdir` with the real CDK CLI, as `npm run synth` and `cdk deploy`
 * do: the cdk.json context, assets bundled by the local esbuild, CloudFormation template validation
 * and cdk-nag on, offline and without credentials. What lands in `outdir` is exactly what a
 * deployment would upload.
 */
export async function synthesizeApp(outdir: string): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: '1',
  };
  // The stack's region must not depend on the machine; no credential may reach the CLI; validation
  // stays on even when a test file in this worker turned it off for its in-process synths.
  for (const name of [
    'CDK_DEFAULT_REGION',
    'CDK_VALIDATION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
  ]) {
    delete env[name];
  }
  await promisify(execFile)('npx', ['cdk', 'synth', '-q', '--no-notices', '--output', outdir], {
    cwd: REPO,
    env,
    timeout: 180_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}
