import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { synthesizeApp } from '../e2e/support/synth';

describe('bin/app.ts', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'vercel-functions-aws-synth-'));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  // The real CLI, as `npm run synth` runs it (synthesizeApp): offline, no credentials, template
  // validation and cdk-nag on, assets bundled by the local esbuild.
  test('synthesizes offline with the built-in template validation on', async () => {
    await synthesizeApp(outdir);
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
    expect(patterns).toContain('/_vercel/image');
    expect(template.Outputs.Url).toBeDefined();
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(
      report.pluginReports.filter((r: { summary?: { status?: string } }) => r.summary?.status === 'failure'),
    ).toEqual([]);
  }, 120_000);
});
