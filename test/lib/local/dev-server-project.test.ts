import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type DevServer, startDevServer } from '../../../lib/local/dev-server';
import { Project } from '../../../lib/local/dev-server-project';
import { installLambdaGlobals } from '../../../lib/local/lambda-globals';

const REPO = resolve(__dirname, '..', '..', '..');
const folders: string[] = [];
const servers: DevServer[] = [];

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-server-project-'));
  folders.push(dir);
  for (const [file, contents] of Object.entries(files)) write(dir, file, contents);
  return dir;
}

// Content and a later mtime, so no filesystem's timestamp granularity can hide the change.
let tick = 0;
function write(dir: string, file: string, contents: string): void {
  const path = join(dir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, contents);
  const later = new Date(Date.now() + ++tick * 1000);
  utimesSync(path, later, later);
}

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

const IMPORTING = `
import { greeting } from '../lib/greeting';
export function GET() { return new Response(greeting); }
`;

describe('Project.refresh', () => {
  let dir: string;
  let projectUnderTest: Project;
  let built: string[];
  beforeAll(() => installLambdaGlobals());
  beforeEach(async () => {
    dir = project({ 'api/hello.ts': IMPORTING, 'lib/greeting.ts': "export const greeting = 'hello';\n" });
    built = [];
    projectUnderTest = new Project(
      dir,
      join(mkdtempSync(join(tmpdir(), 'dev-server-project-build-'))),
      (line) => built.push(line),
    );
    const { routes } = projectUnderTest.refresh();
    await projectUnderTest.handlerFor(routes[0]);
  });
  afterEach(() => projectUnderTest.dispose());

  test('sees no new deployment when a file no bundle imports is written', async () => {
    write(dir, 'data/visits.log', 'one visit\n');
    write(dir, 'notes.md', '# notes\n');
    const refresh = projectUnderTest.refresh();
    expect(refresh.sourcesChanged).toBe(false);
    await projectUnderTest.handlerFor(refresh.routes[0]);
    expect(built).toHaveLength(1);
  });

  test('sees a new deployment and rebuilds when a module the function imports changes', async () => {
    write(dir, 'lib/greeting.ts', "export const greeting = 'bonjour';\n");
    const refresh = projectUnderTest.refresh();
    expect(refresh).toMatchObject({ sourcesChanged: true, routesChanged: false });
    await projectUnderTest.handlerFor(refresh.routes[0]);
    expect(built).toHaveLength(2);
    expect(projectUnderTest.refresh().sourcesChanged).toBe(false);
  });

  test('sees a new deployment when vercel.json or an .env file changes', () => {
    write(dir, '.env', 'GREETING=hi\n');
    expect(projectUnderTest.refresh().sourcesChanged).toBe(true);
    write(dir, 'vercel.json', '{}\n');
    expect(projectUnderTest.refresh().sourcesChanged).toBe(true);
    expect(projectUnderTest.refresh().sourcesChanged).toBe(false);
  });

  test.each(['tsconfig.json', 'jsconfig.json', 'package.json'])(
    "sees a new deployment when the project's %s is added or changes, though no bundle lists it",
    (file) => {
      write(dir, file, '{}\n');
      expect(projectUnderTest.refresh().sourcesChanged).toBe(true);
      expect(projectUnderTest.refresh().sourcesChanged).toBe(false);
      write(dir, file, '{ "compilerOptions": {} }\n');
      expect(projectUnderTest.refresh().sourcesChanged).toBe(true);
      expect(projectUnderTest.refresh().sourcesChanged).toBe(false);
    },
  );

  test('reports changed routes when a function is added', () => {
    write(dir, 'api/two.ts', "export function GET() { return new Response('two'); }\n");
    const refresh = projectUnderTest.refresh();
    expect(refresh).toMatchObject({ sourcesChanged: true, routesChanged: true });
    expect(refresh.routes.map((route) => route.path)).toEqual(['/api/hello', '/api/two']);
  });

  test('notices the fix of a build that failed, in a file it could not read yet', async () => {
    write(
      dir,
      'api/hello.ts',
      "import { name } from '../lib/missing';\nexport function GET() { return new Response(name); }\n",
    );
    const refresh = projectUnderTest.refresh();
    await expect(projectUnderTest.handlerFor(refresh.routes[0])).rejects.toThrow(
      /Could not resolve "..\/lib\/missing"/,
    );
    expect(projectUnderTest.refresh().sourcesChanged).toBe(false);
    write(dir, 'lib/missing.ts', "export const name = 'found';\n");
    const fixed = projectUnderTest.refresh();
    expect(fixed.sourcesChanged).toBe(true);
    await expect(projectUnderTest.handlerFor(fixed.routes[0])).resolves.toEqual(expect.any(Function));
  });
});

describe('startDevServer when a function writes into the project folder', () => {
  test('keeps its cache and bundles when a function appends to a log file', async () => {
    const dir = project({
      'api/count.ts': `
        import { appendFileSync, mkdirSync } from 'node:fs';
        import { join } from 'node:path';
        export function GET() {
          mkdirSync(join(process.env.COUNT_DIR!, 'data'), { recursive: true });
          appendFileSync(join(process.env.COUNT_DIR!, 'data', 'visits.log'), 'visit\\n');
          return new Response('counted ' + Date.now(), { headers: { 'cache-control': 's-maxage=600' } });
        }
      `,
    });
    process.env.COUNT_DIR = dir;
    const logs: string[] = [];
    const server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: (line) => logs.push(line) });
    servers.push(server);
    try {
      const first = await fetch(`${server.url}/api/count?a=1`);
      expect(first.headers.get('x-cache')).toBe('Miss from cloudfront');
      const body = await first.text();
      // Another query string is another cache key: the function runs, and writes, again.
      expect((await fetch(`${server.url}/api/count?a=2`)).headers.get('x-cache')).toBe(
        'Miss from cloudfront',
      );
      appendFileSync(join(dir, 'data', 'visits.log'), 'by hand\n');
      const again = await fetch(`${server.url}/api/count?a=1`);
      expect(again.headers.get('x-cache')).toBe('Hit from cloudfront');
      expect(await again.text()).toBe(body);
      expect(statSync(join(dir, 'data', 'visits.log')).size).toBeGreaterThan(0);
      expect(logs.filter((line) => line.startsWith('built '))).toHaveLength(1);
    } finally {
      delete process.env.COUNT_DIR;
    }
  });
});

describe('startDevServer when tsconfig.json changes', () => {
  test('serves a rebuild that follows the new import paths', async () => {
    const paths = (target: string) =>
      JSON.stringify({ compilerOptions: { paths: { '@greeting': [target] } } });
    const dir = project({
      'tsconfig.json': paths('./lib/hello.ts'),
      'api/greet.ts':
        "import { greeting } from '@greeting';\nexport function GET() { return new Response(greeting); }\n",
      'lib/hello.ts': "export const greeting = 'hello';\n",
      'lib/bonjour.ts': "export const greeting = 'bonjour';\n",
    });
    const logs: string[] = [];
    const server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: (line) => logs.push(line) });
    servers.push(server);
    expect(await (await fetch(`${server.url}/api/greet`)).text()).toBe('hello');
    write(dir, 'tsconfig.json', paths('./lib/bonjour.ts'));
    expect(await (await fetch(`${server.url}/api/greet`)).text()).toBe('bonjour');
    expect(logs.filter((line) => line.startsWith('built '))).toHaveLength(2);
  });
});

describe('Project rebuilds', () => {
  test('leave nothing of the replaced bundles behind', () => {
    const dir = project({ 'api/hello.ts': "export function GET() { return new Response('hi'); }\n" });
    const buildDir = mkdtempSync(join(tmpdir(), 'dev-server-project-build-'));
    folders.push(buildDir);
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'test/lib/local/fixtures/rebuild-retention.ts', dir, buildDir, '8'],
      { cwd: REPO, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    // Only the current bundle is reachable: no old one is kept alive by module.children.
    expect(result.alive).toBe(1);
    // Nothing that only a last-resort GC frees: one bundle's source alone is over 1 MB.
    expect(result.cachedOnly).toBeLessThan(1_000_000);
  });
});
