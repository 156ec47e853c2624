import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type DevServer, startDevServer } from '../../../lib/local/dev-server';
import { synthesizeDevDistribution, synthMessageLines } from '../../../lib/local/dev-server-synth';
import { discoverRoutes } from '../../../lib/local/routes';
import { VercelProject } from '../../../lib/vercel-project';

// The dev server's synth prints the warnings `cdk synth` would: a vercel.json typo (`"rewrite"` for
// `"rewrites"`) is ignored by the constructs, and without the warning nothing would say so.

const HELLO = `export function GET() { return new Response('hello'); }\n`;
const TYPO = JSON.stringify({ rewrite: [{ source: '/u/:id', destination: '/api/hello' }] });

const folders: string[] = [];
const servers: DevServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-server-synth-'));
  folders.push(dir);
  for (const [file, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), contents);
  }
  return dir;
}

function synthLines(dir: string): string[] {
  const lines: string[] = [];
  const outdir = mkdtempSync(join(tmpdir(), 'dev-server-synth-out-'));
  folders.push(outdir);
  synthesizeDevDistribution(dir, discoverRoutes(dir), outdir, (line) => lines.push(line));
  return lines;
}

const IGNORED_WARNING = /^\[Warning at \/VercelDevServer\/Project\] \S*vercel\.json sets rewrite, /;

describe('synthesizeDevDistribution', () => {
  test('logs the ignored vercel.json key with its construct path when the project has functions', () => {
    const lines = synthLines(project({ 'api/hello.ts': HELLO, 'vercel.json': TYPO }));
    expect(lines).toEqual([expect.stringMatching(IGNORED_WARNING)]);
    expect(lines[0]).toContain('[ack: vercel-functions-aws:vercelJsonKeysIgnored]');
  });

  test('logs the ignored vercel.json key when the project has no functions yet', () => {
    const lines = synthLines(project({ 'vercel.json': TYPO }));
    expect(lines).toEqual([expect.stringMatching(IGNORED_WARNING)]);
  });

  test('logs nothing when the synth has no warnings', () => {
    expect(synthLines(project({ 'api/hello.ts': HELLO }))).toEqual([]);
  });

  // The dev server brings a placeholder function for every route (and sets its timeout from
  // vercel.json itself), so VercelProject's "matches only functions you bring" would be said of every
  // vercel.json `functions` entry, though the entries do take effect under the dev server.
  test('does not warn that vercel.json functions match only brought-in functions', () => {
    const functions = { 'api/report.ts': { maxDuration: 2 }, 'api/**/*.ts': { memory: 1024 } };
    const dir = project({
      'api/hello.ts': HELLO,
      'api/report.ts': HELLO,
      'vercel.json': JSON.stringify({ functions }),
    });
    expect(synthLines(dir)).toEqual([]);
  });

  test("still logs vercel.json functions' other warnings", () => {
    const functions = { 'api/report.ts': { maxDuration: 2, includeFiles: 'data/**' } };
    const dir = project({ 'api/report.ts': HELLO, 'vercel.json': JSON.stringify({ functions }) });
    const lines = synthLines(dir);
    expect(lines).toEqual([expect.stringContaining("functions 'api/report.ts' sets includeFiles")]);
    expect(lines[0]).toContain('[ack: vercel-functions-aws:vercelJsonFunctionKeysIgnored]');
  });
});

describe('a cdk synth of VercelProject with functions the user brings', () => {
  test('still warns that a vercel.json functions entry matching only them has no effect', () => {
    const functions = { 'api/report.ts': { maxDuration: 2 } };
    const dir = project({ 'api/report.ts': HELLO, 'vercel.json': JSON.stringify({ functions }) });
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'dev-server-synth-out-')) });
    folders.push(app.outdir);
    const stack = new Stack(app, 'Stack', { env: { region: 'us-east-1' } });
    const report = new lambda.Function(stack, 'Report', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    new VercelProject(stack, 'Project', {
      projectDir: dir,
      functions: { '/api/report': report },
      enableInvalidationSweeper: false,
    });
    expect(synthMessageLines(app.synth())).toEqual([
      expect.stringMatching(
        /^\[Warning at \/Stack\/Project\] \S*vercel\.json: functions 'api\/report\.ts' matches only routes served by functions you bring .*\[ack: vercel-functions-aws:vercelJsonFunctionsOwnOnly\]$/,
      ),
    ]);
  });
});

describe('the dev server log', () => {
  test('prints the synth warning once per build when vercel.json has a typo', async () => {
    const dir = project({ 'api/hello.ts': HELLO, 'vercel.json': TYPO });
    const lines: string[] = [];
    const server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: (line) => lines.push(line) });
    servers.push(server);
    const warnings = () => lines.filter((line) => IGNORED_WARNING.test(line));
    expect(warnings()).toHaveLength(1);

    // No new build: the warning is not repeated per request.
    expect((await fetch(`${server.url}/api/hello`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/hello`)).status).toBe(200);
    expect(warnings()).toHaveLength(1);

    // A changed vercel.json is a new build, and still has the typo.
    writeFileSync(join(dir, 'vercel.json'), JSON.stringify({ rewrite: [], trailingSlash: false }));
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'vercel.json'), later, later);
    expect((await fetch(`${server.url}/api/hello`)).status).toBe(200);
    expect(warnings()).toHaveLength(2);
  });
});
