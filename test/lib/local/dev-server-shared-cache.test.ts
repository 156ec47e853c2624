import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevServer, startDevServer } from '../../../lib/local/dev-server';
import { CACHE_TABLE_ENV } from '../../../runtime/constructs-contract';
import { linkInstalledPackages } from '../bundling/project-links';

// `npm start` without a cache table: getCache() falls back to memory, and the functions of a project
// share it as they share the Runtime Cache once deployed, also when the project installed the real
// @vercel/functions (each bundle then carries its own copy, with its own in-memory fallback).

const SET = `import { getCache } from '@vercel/functions';
export default { async fetch() { await getCache().set('k', 'v'); return new Response('set'); } };
`;
const GET = `import { getCache } from '@vercel/functions';
export default { async fetch() { return Response.json(await getCache().get('k')); } };
`;

const FALLBACK_KEY = Symbol.for('vercel-functions-aws/in-memory-cache');
const folders: string[] = [];
const servers: DevServer[] = [];
const savedTable = process.env[CACHE_TABLE_ENV];

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  delete process.env[CACHE_TABLE_ENV];
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  if (savedTable !== undefined) process.env[CACHE_TABLE_ENV] = savedTable;
  jest.restoreAllMocks();
});

async function serve(realPackage: boolean): Promise<DevServer> {
  // A fresh fallback, so one project's entry cannot answer the other's read.
  delete (globalThis as Record<symbol, unknown>)[FALLBACK_KEY];
  const dir = mkdtempSync(join(tmpdir(), 'dev-server-shared-cache-'));
  folders.push(dir);
  mkdirSync(join(dir, 'api'));
  if (realPackage) linkInstalledPackages(dir, ['@vercel/functions']);
  writeFileSync(join(dir, 'api', 'set.ts'), SET);
  writeFileSync(join(dir, 'api', 'get.ts'), GET);
  const server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: () => {} });
  servers.push(server);
  return server;
}

describe('the dev server without a cache table', () => {
  test.each([
    ['the runtime aliased in', false],
    ['the real @vercel/functions installed', true],
  ])(
    'lets one function read what another cached when the project has %s',
    async (_mode, realPackage) => {
      const server = await serve(realPackage);
      expect(await (await fetch(`${server.url}/api/set`)).text()).toBe('set');
      expect(await (await fetch(`${server.url}/api/get`)).json()).toBe('v');
    },
    60_000,
  );
});
