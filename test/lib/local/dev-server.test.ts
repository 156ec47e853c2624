import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { type DevServer, startDevServer } from '../../../lib/local/dev-server';

const REPO = resolve(__dirname, '..', '..', '..');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const servers: DevServer[] = [];
const folders: string[] = [];

/** A Vercel-style project in a temp folder. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-server-test-'));
  folders.push(dir);
  for (const [file, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), contents);
  }
  return dir;
}

async function serve(dir: string, viewer = {}): Promise<{ server: DevServer; logs: string[] }> {
  const logs: string[] = [];
  const server = await startDevServer({
    dir,
    port: 0,
    host: '127.0.0.1',
    viewer,
    log: (line) => logs.push(line),
  });
  servers.push(server);
  return { server, logs };
}

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('startDevServer on examples/', () => {
  let server: DevServer;
  let logs: string[];
  beforeAll(async () => {
    ({ server, logs } = await serve(join(REPO, 'examples'), { country: 'FR', city: 'Paris' }));
  });

  test('lists the example routes when started', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.routes().map((route) => route.path)).toEqual([
      '/api/after',
      '/api/hello',
      '/api/photo',
      '/api/revalidate',
      '/api/stream',
      '/api/products/[id]',
      '/api/stock/[id]',
      '/api/users/[id]',
    ]);
  });

  test('derives geolocation from CloudFront viewer headers when the client sends them', async () => {
    const res = await fetch(`${server.url}/api/hello`, {
      headers: { 'CloudFront-Viewer-Country': 'DE', 'CloudFront-Viewer-City': 'M%C3%BCnchen' },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.geo).toMatchObject({ city: 'München', country: 'DE', flag: '🇩🇪', region: 'dev1' });
    expect(body.region).toBe('dev1');
    expect(body.env).toBe('development');
  });

  test('applies the configured viewer defaults when the client sends no viewer headers', async () => {
    const body = await (await fetch(`${server.url}/api/hello`)).json();
    expect(body.geo).toMatchObject({ city: 'Paris', country: 'FR' });
  });

  test('ignores a spoofed x-real-ip when a client sends one', async () => {
    const res = await fetch(`${server.url}/api/hello`, {
      headers: { 'x-real-ip': '6.6.6.6', 'x-forwarded-for': '6.6.6.6', 'x-vercel-ip-country': 'KP' },
    });
    const body = await res.json();
    expect(body.ip).toBe('127.0.0.1');
    expect(body.geo.country).toBe('FR');
  });

  test('delivers /api/stream in several chunks over time', async () => {
    const res = await fetch(`${server.url}/api/stream`);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const arrivals: number[] = [];
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push(Date.now());
      text += Buffer.from(value).toString();
    }
    expect(text.trim().split('\n')).toHaveLength(5);
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
    expect(arrivals.at(-1)! - arrivals[0]).toBeGreaterThanOrEqual(600);
  });

  test('routes /api/users/42 with id=42 when the path has a dynamic segment', async () => {
    const get = await fetch(`${server.url}/api/users/42?id=spoofed`);
    expect(await get.json()).toEqual({ id: '42', name: 'User 42' });
    const post = await fetch(`${server.url}/api/users/42`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    expect(await post.json()).toEqual({ name: 'Ada', id: '42', updated: true });
    const del = await fetch(`${server.url}/api/users/42`, { method: 'DELETE' });
    expect(del.status).toBe(405);
  });

  test('answers paths no function serves with the edge 404 of the synthesized distribution', async () => {
    const res = await fetch(`${server.url}/api/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-cache')).toBe('FunctionGeneratedResponse from cloudfront');
    expect(await res.text()).toBe('The page could not be found.\n\nNOT_FOUND\n');
  });

  test('caches by s-maxage and evicts by tag when a function calls invalidateByTag', async () => {
    const first = await fetch(`${server.url}/api/products/5`);
    const firstBody = await first.json();
    expect(first.headers.get('x-cache')).toBe('Miss from cloudfront');
    const second = await fetch(`${server.url}/api/products/5`);
    expect(second.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(await second.json()).toEqual(firstBody);

    const purge = await fetch(`${server.url}/api/revalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tag: 'product-5' }),
    });
    expect(await purge.json()).toEqual({ revalidated: 'product-5' });
    const third = await fetch(`${server.url}/api/products/5`);
    expect(third.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect((await third.json()).renderedAt).not.toBe(firstBody.renderedAt);
  });

  test('serves /_vercel/image from the images in examples/vercel.json, resizing /api/photo', async () => {
    const url = `${server.url}/_vercel/image?url=%2Fapi%2Fphoto&w=640&q=75`;
    const first = await fetch(url, { headers: { accept: 'image/webp,*/*' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/webp');
    expect(first.headers.get('x-cache')).toBe('Miss from cloudfront');
    const metadata = await sharp(Buffer.from(await first.arrayBuffer())).metadata();
    expect(metadata).toMatchObject({ format: 'webp', width: 640, height: 427 });
    const second = await fetch(url, { headers: { accept: 'image/webp,*/*' } });
    expect(second.headers.get('x-cache')).toBe('Hit from cloudfront');
  });

  test('refuses bodies over 1 MB in the body-signing Lambda@Edge function, as deployed', async () => {
    const res = await fetch(`${server.url}/api/users/42`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-cache')).toBe('LambdaGeneratedResponse from cloudfront');
  });

  test('logs one line per request with method, path, status, duration and cache result', async () => {
    await (await fetch(`${server.url}/api/users/7?x=1`)).text();
    await sleep(20);
    expect(logs).toContainEqual(expect.stringMatching(/^GET \/api\/users\/7 200 \d+ms Miss$/));
  });
});

describe('startDevServer on other folders', () => {
  test('uses the real @vercel/functions when the folder has its own copy installed', async () => {
    const dir = project({
      'api/real-package.ts': `
        import { geolocation, getDeadline, ipAddress, waitUntil } from '@vercel/functions';
        const done = Symbol.for('dev-server-test/real-package-done');
        export default {
          fetch(request: Request) {
            waitUntil(new Promise((resolve) => setTimeout(resolve, 150)).then(() => {
              (globalThis as Record<symbol, unknown>)[done] = true;
            }));
            return Response.json({ geo: geolocation(request), ip: ipAddress(request), deadline: getDeadline()?.toISOString() });
          },
        };
      `,
    });
    mkdirSync(join(dir, 'node_modules', '@vercel'), { recursive: true });
    symlinkSync(
      join(REPO, 'node_modules', '@vercel', 'functions'),
      join(dir, 'node_modules', '@vercel', 'functions'),
    );
    const { server } = await serve(dir);

    const res = await fetch(`${server.url}/api/real-package`, {
      headers: { 'CloudFront-Viewer-Country': 'BR', 'CloudFront-Viewer-City': 'S%C3%A3o%20Paulo' },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.geo).toMatchObject({ city: 'São Paulo', country: 'BR', region: 'dev1' });
    expect(body.ip).toBe('127.0.0.1');
    expect(Date.parse(body.deadline)).toBeGreaterThan(Date.now());
    // The response came back before the background work ended; the work still ran.
    const slot = globalThis as Record<symbol, unknown>;
    expect(slot[Symbol.for('dev-server-test/real-package-done')]).toBeUndefined();
    await sleep(400);
    expect(slot[Symbol.for('dev-server-test/real-package-done')]).toBe(true);

    // The bundle holds the real package, not the runtime shim.
    const bundle = findBundle('api-real-package-');
    expect(bundle).toContain('node_modules/@vercel/functions/index.js');
    expect(bundle).not.toContain('runtime/index.ts');
  });

  test('keeps each request its own context when several functions run in one process', async () => {
    const route = (name: string) => `
      const key = Symbol.for('@vercel/request-context');
      export default {
        async fetch(request: Request) {
          const id = request.headers.get('x-test-id');
          await new Promise((resolve) => setTimeout(resolve, Number(id) % 7 * 5));
          const context = (globalThis as any)[key]?.get?.() ?? {};
          return Response.json({ fn: '${name}', id, contextId: context.headers?.['x-test-id'] ?? null });
        },
      };
    `;
    const dir = project({ 'api/a.ts': route('a'), 'api/b.ts': route('b') });
    const { server } = await serve(dir);
    const requests = Array.from({ length: 40 }, (_, i) =>
      fetch(`${server.url}/api/${i % 2 === 0 ? 'a' : 'b'}`, { headers: { 'x-test-id': String(i) } }).then(
        (res) => res.json(),
      ),
    );
    const results = await Promise.all(requests);
    results.forEach((result, i) => {
      expect(result).toEqual({ fn: i % 2 === 0 ? 'a' : 'b', id: String(i), contextId: String(i) });
    });
  });

  test('answers 500 with the esbuild message when a function does not compile', async () => {
    const dir = project({ 'api/broken.ts': 'export default { fetch( {\n' });
    const { server, logs } = await serve(dir);
    const res = await fetch(`${server.url}/api/broken`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('api/broken.ts');
    expect(text).toMatch(/Expected|Unexpected/);
    expect(logs.join('\n')).toContain('could not bundle');
  });

  test('rebuilds a function when its source changes', async () => {
    const version = (n: number) => `export default { fetch: () => new Response('version ${n}') };\n`;
    const dir = project({ 'api/v.ts': version(1) });
    const { server } = await serve(dir);
    expect(await (await fetch(`${server.url}/api/v`)).text()).toBe('version 1');
    await sleep(20);
    writeFileSync(join(dir, 'api/v.ts'), version(2));
    expect(await (await fetch(`${server.url}/api/v`)).text()).toBe('version 2');
  });

  test('empties the cache when a source changes, as a new deployment would', async () => {
    const version = (n: number) =>
      `export default { fetch: () => new Response('version ${n}', { headers: { 'cache-control': 's-maxage=600' } }) };\n`;
    const dir = project({ 'api/page.ts': version(1) });
    const { server } = await serve(dir);
    expect(await (await fetch(`${server.url}/api/page`)).text()).toBe('version 1');
    const hit = await fetch(`${server.url}/api/page`);
    expect(hit.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(await hit.text()).toBe('version 1');
    await sleep(20);
    writeFileSync(join(dir, 'api/page.ts'), version(2));
    const fresh = await fetch(`${server.url}/api/page`);
    expect(fresh.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(await fresh.text()).toBe('version 2');
  });

  test('serves a route added while running, after synthesizing the distribution again', async () => {
    const dir = project({ 'api/one.ts': "export default { fetch: () => new Response('one') };\n" });
    const { server } = await serve(dir);
    expect((await fetch(`${server.url}/api/two`)).status).toBe(404);
    await sleep(20);
    writeFileSync(join(dir, 'api/two.ts'), "export default { fetch: () => new Response('two') };\n");
    const res = await fetch(`${server.url}/api/two`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('two');
    expect(server.routes().map((route) => route.path)).toEqual(['/api/one', '/api/two']);
  });

  test('answers 500 naming the problem when the project could not be deployed as it is', async () => {
    const dir = project({ 'api/hello world.ts': "export default { fetch: () => new Response('hi') };\n" });
    const { server, logs } = await serve(dir);
    const res = await fetch(`${server.url}/api/hello%20world`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('The project cannot be deployed as it is');
    expect(text).toContain("'hello world'");
    expect(logs.join('\n')).toContain('The project cannot be deployed as it is');
  });

  test('loads .env and .env.local into the function environment when present', async () => {
    const dir = project({
      '.env': 'DEV_SERVER_TEST_GREETING=hello\nDEV_SERVER_TEST_TARGET=world\n',
      '.env.local': 'DEV_SERVER_TEST_TARGET=local\n',
      'api/env.ts': `export default { fetch: () => Response.json({
        greeting: process.env.DEV_SERVER_TEST_GREETING,
        target: process.env.DEV_SERVER_TEST_TARGET,
        vercel: process.env.VERCEL,
        env: process.env.VERCEL_ENV,
        region: process.env.VERCEL_REGION,
        url: process.env.VERCEL_URL,
      }) };`,
    });
    const { server } = await serve(dir);
    const body = await (await fetch(`${server.url}/api/env`)).json();
    expect(body).toEqual({
      greeting: 'hello',
      target: 'local',
      vercel: '1',
      env: 'development',
      region: 'dev1',
      // Another dev server in this process may have set it first: process.env is shared.
      url: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
    await server.close();
    expect(process.env.DEV_SERVER_TEST_GREETING).toBeUndefined();
  });

  test('throws when the folder does not exist', async () => {
    await expect(startDevServer({ dir: join(tmpdir(), 'no-such-dev-server-dir'), port: 0 })).rejects.toThrow(
      /dir must be an existing folder, got '.*no-such-dev-server-dir'/,
    );
  });

  test('throws when a viewer default has the wrong format', async () => {
    const dir = project({});
    await expect(startDevServer({ dir, port: 0, viewer: { country: 'Germany' } })).rejects.toThrow(
      "viewer.country must be an ISO 3166-1 alpha-2 code such as DE, got 'Germany'",
    );
    await expect(startDevServer({ dir, port: 0, viewer: { latitude: '91' } })).rejects.toThrow(
      "viewer.latitude must be a number from -90 to 90, got '91'",
    );
  });

  test('throws when the port is not an integer', async () => {
    await expect(startDevServer({ dir: project({}), port: Number('abc') })).rejects.toThrow(
      'port must be an integer from 0 to 65535, got NaN',
    );
  });

  test('throws when the port is taken', async () => {
    const { server } = await serve(project({}));
    const port = Number(new URL(server.url).port);
    await expect(startDevServer({ dir: project({}), port, host: '127.0.0.1' })).rejects.toThrow(
      `port ${port} on 127.0.0.1 is already in use`,
    );
  });
});

/** The newest bundle whose build folder starts with `prefix`. */
function findBundle(prefix: string): string {
  const root = join(tmpdir(), 'vercel-functions-aws-dev');
  const candidates = readdirSync(root)
    .map((server) => join(root, server, 'build'))
    .filter((build) => statSync(build, { throwIfNoEntry: false })?.isDirectory())
    .flatMap((build) =>
      readdirSync(build)
        .filter((entry) => entry.startsWith(prefix))
        .map((entry) => join(build, entry, 'index.js')),
    );
  const newest = candidates.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (newest === undefined) throw new Error(`no bundle named ${prefix}* under ${root}`);
  return readFileSync(newest, 'utf8');
}
