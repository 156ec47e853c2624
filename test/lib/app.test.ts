import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const REPO = path.join(__dirname, '..', '..');

describe('bin/app.ts', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'vercel-functions-aws-synth-'));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  // The real CLI, as `npm run synth` runs it: offline, no credentials, CloudFormation template
  // validation on (CDK_VALIDATION unset), assets bundled by the local esbuild.
  test('synthesizes offline with the built-in template validation on', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CDK_DISABLE_VERSION_CHECK: '1',
      CDK_DISABLE_CLI_TELEMETRY: '1',
    };
    for (const name of [
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
      timeout: 120_000,
    });
    const template = JSON.parse(
      readFileSync(path.join(outdir, 'VercelFunctionsExample.template.json'), 'utf8'),
    );
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    // The eight routes of examples/api and the image optimizer of examples/vercel.json.
    expect(types.filter((t) => t === 'AWS::Lambda::Url')).toHaveLength(9);
    const patterns = Object.values(
      template.Resources as Record<
        string,
        { Type: string; Properties?: { DistributionConfig?: { CacheBehaviors: { PathPattern: string }[] } } }
      >,
    ).flatMap((r) => r.Properties?.DistributionConfig?.CacheBehaviors.map((b) => b.PathPattern) ?? []);
    expect(patterns).toContain('/_vercel/image*');
    expect(template.Outputs.Url).toBeDefined();
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(
      report.pluginReports.filter((r: { summary?: { status?: string } }) => r.summary?.status === 'failure'),
    ).toEqual([]);
  }, 120_000);
});
