import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateProject } from '../../bench/generate-project';
import { discoverRoutes } from '../../lib/local/routes';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vfa-generate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('generateProject', () => {
  test('writes a project whose api/ folder has the requested number of routes, some dynamic', () => {
    generateProject(dir, 30);
    const routes = discoverRoutes(dir);
    expect(routes).toHaveLength(30);
    expect(routes.filter((route) => route.params.length > 0)).toHaveLength(3);
    expect(readFileSync(path.join(dir, 'api', 'route-01.ts'), 'utf8')).toContain(
      "import { geolocation, waitUntil } from '@vercel/functions';",
    );
  });

  test('rejects a route count that is not a positive integer', () => {
    expect(() => generateProject(dir, 0)).toThrow('routes must be a positive integer, got 0');
  });
});
