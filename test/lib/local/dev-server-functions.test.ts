import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DevServer, startDevServer } from '../../../lib/local/dev-server';
import { synthesizeDevDistribution } from '../../../lib/local/dev-server-synth';
import { discoverRoutes } from '../../../lib/local/routes';
import { ROUTE_ENV } from '../../../lib/private/constructs-contract';

// `npm start` with vercel.json `functions`: a route's maxDuration becomes its function's Timeout in
// the synthesized template, and the dev server runs the function with that timeout — read here
// through getDeadline(), so no assertion depends on how fast the machine is.

const servers: DevServer[] = [];
const folders: string[] = [];
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-server-functions-'));
  folders.push(dir);
  for (const [file, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), contents);
  }
  return dir;
}

// Answers how many milliseconds the invocation has left.
const TIME_LEFT = `
import { getDeadline } from '@vercel/functions';
export function GET() {
  return Response.json({ msLeft: getDeadline()!.getTime() - Date.now() });
}
`;

const vercelJson = (maxDuration: unknown) =>
  JSON.stringify({ functions: { 'api/report.ts': { maxDuration, memory: 3008 } } });

async function msLeft(server: DevServer, path: string): Promise<number> {
  const res = await fetch(`${server.url}${path}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { msLeft: number }).msLeft;
}

describe('synthesizeDevDistribution with functions in vercel.json', () => {
  test("sets a route's Timeout from its entry's maxDuration and leaves other routes without one", () => {
    const dir = project({
      'api/report.ts': TIME_LEFT,
      'api/hello.ts': TIME_LEFT,
      'vercel.json': vercelJson(60),
    });
    const stack = synthesizeDevDistribution(dir, discoverRoutes(dir), project({}));
    const timeouts = Object.fromEntries(
      Object.values(stack.template.Resources)
        .filter((resource) => resource.Type === 'AWS::Lambda::Function')
        .map((resource) => {
          const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> })
            ?.Variables;
          return [variables?.[ROUTE_ENV], resource.Properties?.Timeout];
        })
        .filter(([route]) => route !== undefined),
    );
    expect(timeouts).toEqual({ '/api/report': 60, '/api/hello': undefined });
  });
});

describe('startDevServer with functions in vercel.json', () => {
  test('runs each function with its maxDuration, and the server timeout for the others', async () => {
    const dir = project({
      'api/report.ts': TIME_LEFT,
      'api/hello.ts': TIME_LEFT,
      'vercel.json': vercelJson(60),
    });
    const server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: () => undefined });
    servers.push(server);

    const report = await msLeft(server, '/api/report');
    expect(report).toBeGreaterThan(0);
    expect(report).toBeLessThanOrEqual(60_000);
    // The dev server's default, 300 s.
    expect(await msLeft(server, '/api/hello')).toBeGreaterThan(60_000);

    // A changed vercel.json is a new deployment: the distribution is synthesized again.
    await sleep(20);
    writeFileSync(join(dir, 'vercel.json'), vercelJson(20));
    const changed = await msLeft(server, '/api/report');
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(20_000);
  });

  test('answers 500 naming the pattern when vercel.json has one that matches no function', async () => {
    const dir = project({
      'api/hello.ts': TIME_LEFT,
      'vercel.json': JSON.stringify({ functions: { 'api/reports/*.ts': { memory: 512 } } }),
    });
    const logs: string[] = [];
    const server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: (line) => logs.push(line) });
    servers.push(server);
    const res = await fetch(`${server.url}/api/hello`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('The project cannot be deployed as it is');
    expect(text).toContain("functions has the pattern 'api/reports/*.ts', which matches no function in api/");
    expect(logs.join('\n')).toContain('The project cannot be deployed as it is');
  });
});
