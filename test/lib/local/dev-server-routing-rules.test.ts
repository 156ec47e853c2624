import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DevServer, startDevServer } from '../../../lib/local/dev-server';

// `npm start` with vercel.json redirects, rewrites, headers and trailingSlash: the dev server runs
// the synthesized CloudFront Functions in the CloudFront emulation in front of the functions, so
// what a viewer gets here is what the deployed distribution gives it.

const servers: DevServer[] = [];
const folders: string[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

// Answers with the URL and query the function received.
const ECHO = `
export function GET(request: Request) {
  const url = new URL(request.url);
  return Response.json({ name: NAME, path: url.pathname, query: Object.fromEntries(url.searchParams) });
}
`;

const VERCEL_JSON = {
  redirects: [
    { source: '/old/:slug', destination: '/new/:slug' },
    {
      source: '/beta',
      destination: '/api/hello',
      permanent: false,
      has: [{ type: 'cookie', key: 'beta', value: '1' }],
    },
  ],
  rewrites: [
    { source: '/rw/:path*', destination: '/api/echo' },
    { source: '/(.*)', destination: '/api' },
  ],
  headers: [{ source: '/api/hello', headers: [{ key: 'X-Frame-Options', value: 'DENY' }] }],
  trailingSlash: false,
};

// Content and a later mtime, so no filesystem's timestamp granularity can hide the change.
let tick = 0;
function rewrite(dir: string, file: string, contents: string): void {
  writeFileSync(join(dir, file), contents);
  const later = new Date(Date.now() + ++tick * 1000);
  utimesSync(join(dir, file), later, later);
}

async function start(
  files: Record<string, string> = {
    'api/index.ts': `const NAME = 'app';${ECHO}`,
    'api/echo.ts': `const NAME = 'echo';${ECHO}`,
    'api/hello.ts': `const NAME = 'hello';${ECHO}`,
    'vercel.json': JSON.stringify(VERCEL_JSON),
  },
): Promise<DevServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dev-server-routing-rules-'));
  folders.push(dir);
  for (const [file, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), contents);
  }
  const server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: () => undefined });
  servers.push(server);
  return server;
}

// The folder a server serves.
const folderOf = (): string => folders[folders.length - 1];

describe('startDevServer with vercel.json routing rules', () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await start();
  });

  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { redirect: 'manual', ...init });

  test('redirects with the substituted destination and the query passed on', async () => {
    const res = await get('/old/post-1?ref=a');
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/new/post-1?ref=a');
  });

  test('redirects only when a has condition holds', async () => {
    const res = await get('/beta', { headers: { cookie: 'beta=1' } });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('/api/hello');
    expect((await get('/beta')).status).toBe(200);
  });

  test('rewrites a Hono-style catch-all to one function, keeping the URL the viewer asked for', async () => {
    const res = await get('/users/7?page=2');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'app', path: '/users/7', query: { page: '2' } });
  });

  test("gives the rewritten function the rewrite's parameters in the query", async () => {
    const res = await get('/rw/a/b');
    expect(await res.json()).toEqual({ name: 'echo', path: '/rw/a/b', query: { path: 'a/b' } });
  });

  test('serves a path a function serves from that function, with the headers rules applied', async () => {
    const res = await get('/api/hello');
    expect(await res.json()).toMatchObject({ name: 'hello', path: '/api/hello' });
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  test('redirects a trailing slash away (trailingSlash: false)', async () => {
    const res = await get('/api/hello/');
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/api/hello');
  });
});

describe('startDevServer with vercel.json rules on what the edge answers itself', () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await start({
      'api/hello.ts': `const NAME = 'hello';${ECHO}`,
      'api/search/[term].ts': `const NAME = 'search';${ECHO}`,
      'vercel.json': JSON.stringify({
        rewrites: [{ source: '/search', has: [{ type: 'query', key: 'q' }], destination: '/api/search/:q' }],
        headers: [
          {
            source: '/(.*)',
            headers: [
              { key: 'Set-Cookie', value: 'seen=1; Path=/' },
              { key: 'Cache-Control', value: 'public, max-age=3600' },
            ],
          },
        ],
        trailingSlash: false,
      }),
    });
  });

  const get = (path: string) => fetch(`${server.url}${path}`, { redirect: 'manual' });

  test('redirects //host/ to a path on this site, never a protocol-relative Location', async () => {
    const res = await get('//evil.com/');
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/evil.com');
  });

  test("sends a headers rule's Set-Cookie with the edge's 404, which keeps its own Cache-Control", async () => {
    const res = await get('/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('set-cookie')).toBe('seen=1; Path=/');
    expect(res.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  test("rewrites with a query condition's value percent-encoded into the path", async () => {
    const res = await get('/search?q=red%20shoes');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'search', path: '/search', query: { q: 'red shoes' } });
  });
});

describe('startDevServer when the routing rules of vercel.json change', () => {
  test('applies edited redirects and headers rules at once, as a new deployment would', async () => {
    const server = await start({
      'api/hello.ts': `const NAME = 'hello';${ECHO}`,
      'vercel.json': JSON.stringify({ redirects: [{ source: '/a', destination: '/api/hello' }] }),
    });
    const get = (path: string) => fetch(`${server.url}${path}`, { redirect: 'manual' });
    expect((await get('/a')).status).toBe(308);
    expect((await get('/b')).status).toBe(404);
    rewrite(
      folderOf(),
      'vercel.json',
      JSON.stringify({
        redirects: [{ source: '/b', destination: '/api/hello' }],
        headers: [{ source: '/api/hello', headers: [{ key: 'X-Frame-Options', value: 'DENY' }] }],
      }),
    );
    const b = await get('/b');
    expect(b.status).toBe(308);
    expect(b.headers.get('location')).toBe('/api/hello');
    expect((await get('/a')).status).toBe(404);
    expect((await get('/api/hello')).headers.get('x-frame-options')).toBe('DENY');
  });

  test('applies an edited trailingSlash at once', async () => {
    const server = await start({
      'api/hello.ts': `const NAME = 'hello';${ECHO}`,
      'vercel.json': JSON.stringify({ trailingSlash: false }),
    });
    const get = (path: string) => fetch(`${server.url}${path}`, { redirect: 'manual' });
    expect((await get('/api/hello/')).headers.get('location')).toBe('/api/hello');
    rewrite(folderOf(), 'vercel.json', JSON.stringify({ trailingSlash: true }));
    const res = await get('/api/hello');
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/api/hello/');
  });
});

describe('startDevServer on a folder with vercel.json rules and no functions', () => {
  test('applies the redirects and headers rules on the edge 404, as the edge does for any path no function serves', async () => {
    const server = await start({
      'vercel.json': JSON.stringify({
        redirects: [{ source: '/docs', destination: 'https://docs.example.com/', permanent: false }],
        headers: [{ source: '/(.*)', headers: [{ key: 'X-Frame-Options', value: 'DENY' }] }],
      }),
    });
    const get = (path: string) => fetch(`${server.url}${path}`, { redirect: 'manual' });
    const redirect = await get('/docs');
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('location')).toBe('https://docs.example.com/');
    const notFound = await get('/nothing');
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-frame-options')).toBe('DENY');
  });

  test('answers 500 naming the problem for rewrites, which have no function to go to', async () => {
    const server = await start({
      'vercel.json': JSON.stringify({ rewrites: [{ source: '/(.*)', destination: '/api' }] }),
    });
    const res = await fetch(`${server.url}/x`);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('need the edge router');
  });
});

describe('startDevServer with a headers rule value beyond Latin-1 from a condition', () => {
  test("leaves that header out of the edge's 404 and the function's response alike, keeping the others", async () => {
    const server = await start({
      'api/hello.ts': `const NAME = 'hello';${ECHO}`,
      'vercel.json': JSON.stringify({
        headers: [
          {
            source: '/(.*)',
            has: [{ type: 'query', key: 'lang', value: '(?<lang>.*)' }],
            headers: [
              { key: 'Content-Language', value: ':lang' },
              { key: 'X-Frame-Options', value: 'DENY' },
            ],
          },
        ],
      }),
    });
    for (const path of ['/nope', '/api/hello']) {
      const euro = await fetch(`${server.url}${path}?lang=%E2%82%AC`);
      expect([path, euro.status]).toEqual([path, path === '/nope' ? 404 : 200]);
      expect(euro.headers.get('content-language')).toBeNull();
      expect(euro.headers.get('x-frame-options')).toBe('DENY');
    }
    const latin1 = await fetch(`${server.url}/nope?lang=fr%C3%A9`);
    expect(latin1.headers.get('content-language')).toBe('fr\u00e9');
  });
});

describe('startDevServer with headers rule values in Latin-1 beyond ASCII', () => {
  test("sends a literal value and a condition's value as their Latin-1 bytes on a function's response and the edge's 404 alike", async () => {
    const server = await start({
      'api/hello.ts': `const NAME = 'hello';${ECHO}`,
      'vercel.json': JSON.stringify({
        headers: [
          { source: '/(.*)', headers: [{ key: 'Content-Language', value: 'fr\u00e9' }] },
          {
            source: '/(.*)',
            has: [{ type: 'query', key: 'name', value: '(?<name>.*)' }],
            headers: [{ key: 'X-Name', value: 'caf\u00e9 :name' }],
          },
        ],
      }),
    });
    for (const path of ['/api/hello', '/nope']) {
      // fetch reads each header byte as one character (a header value is a byte string), so `é`
      // here is the single byte E9, as Node on Vercel sends it; its UTF-8 bytes would read `Ã©`.
      const res = await fetch(`${server.url}${path}?name=Ren%C3%A9`);
      expect([path, res.status]).toEqual([path, path === '/nope' ? 404 : 200]);
      expect(res.headers.get('content-language')).toBe('fr\u00e9');
      expect(res.headers.get('x-name')).toBe('caf\u00e9 Ren\u00e9');
      await res.arrayBuffer();
    }
  });
});
