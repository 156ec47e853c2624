import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevServer, startDevServer } from '../../../lib/local/dev-server';

// `npm start` as deployed: the functions are bundled with the adapter, whose CDN step decides what
// the emulated CloudFront (the synthesized distribution, its cache policy and viewer-response
// function) may cache. CloudFront keys on path, query, x-forwarded-host and the normalised
// Accept-Encoding, never on Vary, and caches a response's Set-Cookie with the object: a cacheable
// response that varies on Cookie, or sets cookies, must not reach its cache.

const personal = (vary: string) => `
export default {
  fetch(request: Request) {
    const visitor = /(?:^|;\\s*)visitor=([^;]*)/.exec(request.headers.get('cookie') ?? '')?.[1] ?? 'nobody';
    return new Response(\`hello \${visitor}\`, {
      headers: { 'cache-control': 'max-age=5, s-maxage=60', vary: '${vary}' },
    });
  },
};
`;

const page = (setsCookie: boolean) => `
export function GET() {
  const id = crypto.randomUUID();
  const headers: Record<string, string> = { 'cache-control': 'max-age=5, s-maxage=60' };
  ${setsCookie ? "headers['set-cookie'] = 'session=' + id + '; HttpOnly; Path=/';" : ''}
  return new Response('hello ' + id, { headers });
}
`;

let dir: string;
let server: DevServer;
let warnings: jest.SpyInstance;

beforeAll(async () => {
  warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
  dir = mkdtempSync(join(tmpdir(), 'dev-server-uncached-'));
  mkdirSync(join(dir, 'api'));
  writeFileSync(join(dir, 'api', 'me.ts'), personal('Cookie'));
  writeFileSync(join(dir, 'api', 'page.ts'), personal('Accept-Encoding'));
  writeFileSync(join(dir, 'api', 'login.ts'), page(true));
  writeFileSync(join(dir, 'api', 'home.ts'), page(false));
  server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: () => {} });
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  warnings.mockRestore();
});

const visit = (path: string, visitor: string) =>
  fetch(`${server.url}${path}`, { headers: { cookie: `visitor=${visitor}` } });

describe('startDevServer with responses that carry Vary', () => {
  test('serves each viewer their own response when it has s-maxage and Vary: Cookie', async () => {
    const alice = await visit('/api/me', 'alice');
    expect(await alice.text()).toBe('hello alice');
    expect(alice.headers.get('x-cache')).toBe('Miss from cloudfront');

    const bob = await visit('/api/me', 'bob');
    expect(await bob.text()).toBe('hello bob');
    expect(bob.headers.get('x-cache')).toBe('Miss from cloudfront');
    // Browsers get what they would without Vary: the function's Cache-Control minus the CDN's
    // s-maxage (viewer-response function), and the Vary header; nothing internal.
    expect(bob.headers.get('cache-control')).toBe('max-age=5');
    expect(bob.headers.get('vary')).toBe('Cookie');
    expect([...bob.headers.keys()].filter((name) => name.startsWith('x-vfa-'))).toEqual([]);
    expect(warnings.mock.calls.map((args) => String(args[0])).join('\n')).toMatch(
      /\/api\/me is not cached by CloudFront: its cache key ignores Vary: Cookie/,
    );
  });

  test('caches a response with s-maxage and Vary: Accept-Encoding for the next viewer', async () => {
    const alice = await visit('/api/page', 'alice');
    expect(await alice.text()).toBe('hello alice');
    expect(alice.headers.get('x-cache')).toBe('Miss from cloudfront');

    const bob = await visit('/api/page', 'bob');
    expect(await bob.text()).toBe('hello alice');
    expect(bob.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(bob.headers.get('cache-control')).toBe('max-age=5');
    expect(bob.headers.get('vary')).toBe('Accept-Encoding');
  });
});

describe('startDevServer with responses that set cookies', () => {
  test("does not hand Alice's session cookie to Bob when the response has s-maxage and Set-Cookie", async () => {
    const alice = await visit('/api/login', 'alice');
    const aliceCookie = alice.headers.get('set-cookie');
    expect(aliceCookie).toMatch(/^session=[0-9a-f-]{36}; HttpOnly; Path=\/$/);
    expect(await alice.text()).toBe(`hello ${aliceCookie?.slice('session='.length, 44)}`);
    expect(alice.headers.get('x-cache')).toBe('Miss from cloudfront');

    const bob = await visit('/api/login', 'bob');
    expect(bob.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(bob.headers.get('set-cookie')).toMatch(/^session=/);
    expect(bob.headers.get('set-cookie')).not.toBe(aliceCookie);
    // Browsers get the function's own Cache-Control minus the CDN's s-maxage, nothing internal.
    expect(bob.headers.get('cache-control')).toBe('max-age=5');
    expect([...bob.headers.keys()].filter((name) => name.startsWith('x-vfa-'))).toEqual([]);
    expect(warnings.mock.calls.map((args) => String(args[0])).join('\n')).toMatch(
      /\/api\/login is not cached by CloudFront: it sets cookies/,
    );
  });

  test('caches a response with s-maxage and no cookies for the next viewer', async () => {
    const alice = await visit('/api/home', 'alice');
    expect(alice.headers.get('x-cache')).toBe('Miss from cloudfront');
    const body = await alice.text();

    const bob = await visit('/api/home', 'bob');
    expect(bob.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(await bob.text()).toBe(body);
    expect(bob.headers.get('set-cookie')).toBeNull();
    expect(bob.headers.get('cache-control')).toBe('max-age=5');
  });
});
