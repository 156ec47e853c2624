import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleFunction } from '../../lib/bundling';
import { type LocalFunction, startLocalFunction } from './local-function';

// The adapter's side of vercel.json `rewrites` and `headers` end to end: a function for the route
// /api/users/[id], bundled with the adapter and run by the real aws-lambda-ric on Node 24, called
// over HTTP through the Function URL front with the two headers the CDN's router function sets —
// `x-vfa-rewrite-path` (a rewrite `/u/:id` → `/api/users/:id`, the rewrite's parameter already in
// the query) and `x-vfa-route-headers` (the response headers of the matching `headers` rules).
// That viewers cannot send these headers is the CDN's part (its viewer-request function strips
// `x-vfa-*`), tested with the CloudFront Functions.

const ENTRY = path.join(__dirname, 'fixtures', 'origin-guard.ts');

const RULES = {
  'cache-control': 's-maxage=60, stale-while-revalidate=30',
  'set-cookie': 'visited=1; Path=/; HttpOnly',
  'x-frame-options': 'DENY',
  // The function sets its own Content-Type, which wins, as on Vercel.
  'content-type': 'text/html',
};

let fn: LocalFunction;

beforeAll(async () => {
  fn = await startLocalFunction({ entry: ENTRY, env: { VERCEL_FUNCTIONS_AWS_ROUTE: '/api/users/[id]' } });
});
afterAll(async () => {
  await fn?.stop();
});

const fromCdn = (rewritePath: string) => ({
  'x-vfa-rewrite-path': rewritePath,
  'x-vfa-route-headers': JSON.stringify(RULES),
});

describe('a request a vercel.json rewrite sent to a function, with headers rules', () => {
  test("is served by the destination's route with the viewer's URL and the route's parameter", async () => {
    const response = await fetch(`${fn.url}/u/7?id=7`, { headers: fromCdn('/api/users/7') });
    expect(response.status).toBe(200);
    const seen = await response.json();
    const url = new URL(seen.url);
    expect(url.pathname).toBe('/u/7');
    expect(url.search).toBe('?id=7');
  });

  test('reaches user code without either CDN header, in the request or the request context', async () => {
    const response = await fetch(`${fn.url}/u/7?id=7`, { headers: fromCdn('/api/users/7') });
    const seen = await response.json();
    for (const headers of [seen.headers, seen.contextHeaders]) {
      expect(Object.keys(headers)).toContain('x-real-ip');
      expect(Object.keys(headers).filter((name) => name.startsWith('x-vfa-'))).toEqual([]);
    }
  });

  test("carries the rules' headers, Cache-Control and Set-Cookie included, under the function's own", async () => {
    const response = await fetch(`${fn.url}/u/7?id=7`, { headers: fromCdn('/api/users/7') });
    await response.arrayBuffer();
    // The Set-Cookie keeps the response out of CloudFront's cache (`private` is what it reads); the
    // distribution's viewer-response function gives browsers the rules' Cache-Control back.
    expect(response.headers.get('cache-control')).toBe('stale-while-revalidate=30, private');
    expect(response.headers.get('x-vfa-browser-cache-control')).toBe(RULES['cache-control']);
    expect(response.headers.getSetCookie()).toEqual([RULES['set-cookie']]);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  test("gets Vercel's 404, with the rules' headers, when the route does not serve the destination", async () => {
    const response = await fetch(`${fn.url}/api/users/7`, { headers: fromCdn('/api/users/7/posts') });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('NOT_FOUND');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  test('gets "Bad Request", and the function logs the header, when the destination is not a URL path', async () => {
    const response = await fetch(`${fn.url}/u/7`, { headers: fromCdn('api/users/7') });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('Bad Request');
    const line = await fn.runtime.waitForLog(/Rejected the request with 400/, 5_000);
    expect(line.text).toContain('x-vfa-rewrite-path');
  });

  test('is served when the viewer put a malformed percent-escape into the destination', async () => {
    const response = await fetch(`${fn.url}/u/%E0%A4`, { headers: fromCdn('/api/users/%E0%A4') });
    expect(response.status).toBe(200);
    expect(new URL((await response.json()).url).pathname).toBe('/u/%E0%A4');
  });
});

// A bundle built the way VercelProject builds its functions when vercel.json has no `headers`
// rules (bundle-switches.ts). Behind a CDN that has rules anyway — a misconfiguration — it must
// refuse, never serve without the rules' headers (they may be security headers).
describe('a function bundled without the headers rules', () => {
  let outdir: string;
  let lean: LocalFunction;
  beforeAll(async () => {
    outdir = mkdtempSync(path.join(tmpdir(), 'vfa-lean-headers-'));
    await bundleFunction({ entry: ENTRY, outdir, routeHeaders: false });
    lean = await startLocalFunction({
      taskRoot: outdir,
      handler: 'index.handler',
      env: { VERCEL_FUNCTIONS_AWS_ROUTE: '/api/users/[id]' },
    });
  });
  afterAll(async () => {
    await lean?.stop();
    rmSync(outdir, { recursive: true, force: true });
  });

  test('leaves the code applying the rules out of the bundle', () => {
    const code = readFileSync(path.join(outdir, 'index.js'), 'utf8');
    expect(code).toContain('// runtime/handler/request-guard.ts');
    expect(code).not.toContain('// runtime/handler/route-headers.ts');
  });

  test("refuses a request carrying the rules' headers with 500 and logs the fix", async () => {
    const response = await fetch(`${lean.url}/u/7?id=7`, { headers: fromCdn('/api/users/7') });
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('Internal Server Error');
    expect(response.headers.get('x-frame-options')).toBeNull();
    const line = await lean.runtime.waitForLog(/bundled with routeHeaders: false/, 5_000);
    expect(line.text).toContain('set routeHeaders: true on its VercelFunction');
  });

  test("serves a rewritten request without route headers by the destination's route", async () => {
    const response = await fetch(`${lean.url}/u/7?id=7`, {
      headers: { 'x-vfa-rewrite-path': '/api/users/7' },
    });
    expect(response.status).toBe(200);
    expect(new URL((await response.json()).url).pathname).toBe('/u/7');
  });
});
