import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DevServer, startDevServer } from '../../../lib/local/dev-server';

// `npm start` refuses a project with Vercel Routing Middleware as `cdk deploy` does (it synthesizes
// the same VercelProject): served without it, an API the middleware keeps private would answer
// anyone, locally as once deployed.

const SECRET = `export default { fetch() { return new Response('top secret data'); } };\n`;
const MIDDLEWARE = `import { next } from '@vercel/functions';
export const config = { matcher: '/api/:path*' };
export default function middleware(request: Request) {
  if (request.headers.get('authorization') !== 'Bearer s3cret') return new Response('Unauthorized', { status: 401 });
  return next();
}
`;

const folders: string[] = [];
const servers: DevServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

async function serve(
  files: Record<string, string>,
): Promise<{ dir: string; server: DevServer; logs: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'dev-server-middleware-'));
  folders.push(dir);
  for (const [file, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), contents);
  }
  const logs: string[] = [];
  const server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: (line) => logs.push(line) });
  servers.push(server);
  return { dir, server, logs };
}

describe('the dev server', () => {
  test('refuses to serve the functions when the project root has middleware.ts', async () => {
    const { dir, server, logs } = await serve({ 'api/secret.ts': SECRET, 'middleware.ts': MIDDLEWARE });
    const response = await fetch(`${server.url}/api/secret`);
    const body = await response.text();
    expect(response.status).toBe(500);
    expect(body).not.toContain('top secret data');
    expect(body).toContain(`${join(dir, 'middleware.ts')} is Vercel Routing Middleware`);
    expect(body).toContain('vercel-functions-aws does not support Routing Middleware on AWS');
    // Printed as it starts, not only to whoever sends a request.
    expect(logs[0]).toContain(`${join(dir, 'middleware.ts')} is Vercel Routing Middleware`);
  }, 60_000);

  test('refuses the functions once middleware.ts is added while it runs, and serves them once it is removed', async () => {
    const { dir, server, logs } = await serve({ 'api/secret.ts': SECRET });
    expect((await fetch(`${server.url}/api/secret`)).status).toBe(200);

    writeFileSync(join(dir, 'middleware.ts'), MIDDLEWARE);
    const added = await fetch(`${server.url}/api/secret`);
    const body = await added.text();
    expect(added.status).toBe(500);
    expect(body).not.toContain('top secret data');
    expect(body).toContain(`${join(dir, 'middleware.ts')} is Vercel Routing Middleware`);
    expect(
      logs.some((line) => line.includes(`${join(dir, 'middleware.ts')} is Vercel Routing Middleware`)),
    ).toBe(true);

    rmSync(join(dir, 'middleware.ts'));
    const removed = await fetch(`${server.url}/api/secret`);
    expect(removed.status).toBe(200);
    expect(await removed.text()).toBe('top secret data');
  }, 60_000);

  test('refuses to serve the functions when vercel.json sets proxy', async () => {
    const { server, logs } = await serve({
      'api/secret.ts': SECRET,
      'src/proxy.ts': MIDDLEWARE,
      'vercel.json': JSON.stringify({ proxy: { entrypoint: 'src/proxy.ts' } }),
    });
    const response = await fetch(`${server.url}/api/secret`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain("proxy configures Vercel Routing Middleware ('src/proxy.ts')");
    expect(logs[0]).toContain("proxy configures Vercel Routing Middleware ('src/proxy.ts')");
  }, 60_000);

  test('serves api/middleware.ts as an ordinary function when it is under api/', async () => {
    const { server } = await serve({
      'api/middleware.ts': `export default { fetch() { return new Response('a route'); } };\n`,
    });
    const response = await fetch(`${server.url}/api/middleware`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('a route');
  }, 60_000);
});
