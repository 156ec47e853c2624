import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DevServer, startDevServer } from '../../lib/local/dev-server';

// Which function serves a path with one cache behaviour per route, end to end: `npm start` runs the
// distribution VercelProject synthesizes (Routing.auto() keeps these small projects on cache
// behaviours) in the CloudFront emulation, so a path lands where CloudFront's path patterns send
// it. Vercel serves a route's path with one trailing slash too, and vercel.json `trailingSlash: true`
// redirects every route's path to that form.

const servers: DevServer[] = [];
const folders: string[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

// Answers with its name and the query it received (a dynamic route's parameter is in it).
const echo = (name: string) => `
export function GET(request: Request) {
  const url = new URL(request.url);
  return Response.json({ name: ${JSON.stringify(name)}, query: Object.fromEntries(url.searchParams) });
}
`;

const FILES = {
  'api/index.ts': echo('index'),
  'api/hello.ts': echo('hello'),
  'api/[id].ts': echo('[id]'),
  'api/only/me.ts': echo('me'),
  'api/users/[id]/posts.ts': echo('posts'),
  'api/users/[id].ts': echo('user'),
};

async function start(files: Record<string, string>): Promise<(path: string) => Promise<Response>> {
  const dir = mkdtempSync(join(tmpdir(), 'vercel-project-paths-'));
  folders.push(dir);
  for (const [file, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), contents);
  }
  const server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: () => undefined });
  servers.push(server);
  return (path) => fetch(`${server.url}${path}`, { redirect: 'manual' });
}

async function served(response: Response): Promise<unknown> {
  expect(response.status).toBe(200);
  return response.json();
}

describe('VercelProject with a cache behaviour per route', () => {
  let get: (path: string) => Promise<Response>;
  beforeAll(async () => {
    get = await start(FILES);
  }, 60_000);

  test('serves a route with one trailing slash from its own function when a dynamic sibling could catch it', async () => {
    expect(await served(await get('/api/hello/'))).toEqual({ name: 'hello', query: {} });
    expect(await served(await get('/api/'))).toEqual({ name: 'index', query: {} });
    expect(await served(await get('/api/only/me/'))).toEqual({ name: 'me', query: {} });
    expect(await served(await get('/api/users/7/posts/'))).toEqual({ name: 'posts', query: { id: '7' } });
  });

  test('serves the other paths as before', async () => {
    expect(await served(await get('/api/hello'))).toEqual({ name: 'hello', query: {} });
    expect(await served(await get('/api'))).toEqual({ name: 'index', query: {} });
    expect(await served(await get('/api/7/'))).toEqual({ name: '[id]', query: { id: '7' } });
    expect(await served(await get('/api/users/7/'))).toEqual({ name: 'user', query: { id: '7' } });
    // The dynamic route matches before Vercel strips an extension, as the edge router does.
    expect(await served(await get('/api/hello.ts'))).toEqual({ name: '[id]', query: { id: 'hello.ts' } });
    expect((await get('/api/only/me/x')).status).toBe(404);
  });
});

describe('VercelProject with users.ts next to users/index.ts', () => {
  test('serves /api/users from the file, as Vercel does', async () => {
    const get = await start({ 'api/users.ts': echo('file'), 'api/users/index.ts': echo('index') });
    expect(await served(await get('/api/users'))).toEqual({ name: 'file', query: {} });
    expect(await served(await get('/api/users/'))).toEqual({ name: 'file', query: {} });
  }, 60_000);
});

describe('VercelProject with a cache behaviour per route and trailingSlash: true', () => {
  let get: (path: string) => Promise<Response>;
  beforeAll(async () => {
    get = await start({ ...FILES, 'vercel.json': JSON.stringify({ trailingSlash: true }) });
  }, 60_000);

  test.each([
    ['/api/hello', 'hello', {}],
    ['/api', 'index', {}],
    ['/api/only/me', 'me', {}],
    ['/api/users/7/posts', 'posts', { id: '7' }],
    ['/api/7', '[id]', { id: '7' }],
    ['/api/users/7', 'user', { id: '7' }],
  ])('redirects %s to its trailing-slash form, which its function serves', async (path, name, query) => {
    const redirect = await get(path);
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe(`${path}/`);
    expect(await served(await get(`${path}/`))).toEqual({ name, query });
  });
});

// Routes of one length that differ at an earlier segment: the behaviours' order must give Vercel's
// answer (a literal segment wins at the first position where two routes differ) for the paths with
// a trailing slash too. Routing.auto() keeps cache behaviours for the first two projects below, and
// routes the last at the edge, as no order of patterns serves it.

const MEMBERS = {
  'api/[org]/members.ts': echo('members'),
  'api/admin/[resource].ts': echo('admin'),
};

describe('VercelProject with api/[org]/members.ts and api/admin/[resource].ts', () => {
  test('serves /api/admin/members/ from admin/[resource], as Vercel does', async () => {
    const get = await start(MEMBERS);
    expect(await served(await get('/api/admin/members/'))).toEqual({
      name: 'admin',
      query: { resource: 'members' },
    });
    expect(await served(await get('/api/admin/members'))).toEqual({
      name: 'admin',
      query: { resource: 'members' },
    });
    expect(await served(await get('/api/acme/members/'))).toEqual({
      name: 'members',
      query: { org: 'acme' },
    });
  }, 60_000);

  test('serves the slash form trailingSlash: true redirects to from admin/[resource]', async () => {
    const get = await start({ ...MEMBERS, 'vercel.json': JSON.stringify({ trailingSlash: true }) });
    const redirect = await get('/api/admin/members');
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/api/admin/members/');
    expect(await served(await get('/api/admin/members/'))).toEqual({
      name: 'admin',
      query: { resource: 'members' },
    });
    expect(await served(await get('/api/acme/members/'))).toEqual({
      name: 'members',
      query: { org: 'acme' },
    });
  }, 60_000);
});

describe('VercelProject with api/[id].ts and api/users/[id].ts', () => {
  test('serves /api/users/ from api/[id].ts, as Vercel does, and /api/users/7 from users/[id]', async () => {
    const get = await start({ 'api/[id].ts': echo('[id]'), 'api/users/[id].ts': echo('user') });
    expect(await served(await get('/api/users/'))).toEqual({ name: '[id]', query: { id: 'users' } });
    expect(await served(await get('/api/users'))).toEqual({ name: '[id]', query: { id: 'users' } });
    expect(await served(await get('/api/users/7'))).toEqual({ name: 'user', query: { id: '7' } });
    expect(await served(await get('/api/users/7/'))).toEqual({ name: 'user', query: { id: '7' } });
  }, 60_000);
});

describe('VercelProject with api/users/[id].ts and api/users/[id]/[field].ts', () => {
  test('serves /api/users/7/ from users/[id] and /api/users/7/name from [field]', async () => {
    const get = await start({
      'api/users/[id].ts': echo('user'),
      'api/users/[id]/[field].ts': echo('field'),
    });
    expect(await served(await get('/api/users/7/'))).toEqual({ name: 'user', query: { id: '7' } });
    expect(await served(await get('/api/users/7/name'))).toEqual({
      name: 'field',
      query: { id: '7', field: 'name' },
    });
  }, 60_000);
});
