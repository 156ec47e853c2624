import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a Vercel-style project with `routes` functions under `api/`: mostly static routes, every
 * tenth one a dynamic segment in its own folder, each importing `@vercel/functions` like real code.
 * Returns the project folder.
 */
export function generateProject(dir: string, routes: number): string {
  if (!Number.isInteger(routes) || routes < 1) {
    throw new RangeError(`generateProject: routes must be a positive integer, got ${routes}`);
  }
  for (let i = 1; i <= routes; i++) {
    const name = String(i).padStart(2, '0');
    const file =
      i % 10 === 0
        ? path.join(dir, 'api', `section-${name}`, '[id].ts')
        : path.join(dir, 'api', `route-${name}.ts`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, routeSource(name));
  }
  return dir;
}

function routeSource(name: string): string {
  return [
    "import { geolocation, waitUntil } from '@vercel/functions';",
    '',
    'export default {',
    '  fetch(request: Request): Response {',
    `    waitUntil(Promise.resolve('${name}'));`,
    `    return Response.json({ route: '${name}', country: geolocation(request).country ?? null });`,
    '  },',
    '};',
    '',
  ].join('\n');
}
