import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import type { Client } from 'pg';
import { VercelFunction } from '../../../lib';
import { projectAliases } from '../../../lib/bundling';
import { type LocalFunction, startLocalFunction } from '../../harness/local-function';
import { eventually } from '../../runtime/db-connections/helpers';
import { type PostgresServer, postgresServer, startPostgres } from '../../setup/postgres';
import { describeWithServer } from '../../setup/servers';
import { linkInstalledPackages } from './project-links';

// A project that installed its own @vercel/functions (almost every Vercel app) gets the runtime's
// attachDatabasePool, also through the real index, which requires its own ./db-connections. With
// VERCEL_URL and VERCEL_REGION set (the constructs set both), upstream's would hand waitUntil a
// promise that settles the pool's idle timeout after each release, and the adapter drains waitUntil:
// every invocation would last that much longer. Checked on the bundle esbuild makes from the alias
// map, then under the real aws-lambda-ric for both ways user functions are bundled: bundleFunction
// (dev server, harness, bench) and VercelFunction (NodejsFunction running the esbuild CLI).

const REPO = path.resolve(__dirname, '..', '..', '..');

// Long enough that upstream's hold (idle timeout + 100 ms) could not pass for a slow machine.
const IDLE_TIMEOUT_MS = 30_000;

const ROUTE = `
import { attachDatabasePool, experimental_attachDatabasePool, waitUntil } from '@vercel/functions';
import * as dbConnections from '@vercel/functions/db-connections';
import { geolocation } from '@vercel/functions/headers';
import { Pool } from 'pg';

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  application_name: process.env.APP_NAME,
  idleTimeoutMillis: ${IDLE_TIMEOUT_MS},
  max: 2,
});
attachDatabasePool(pool);

export const probes = {
  attachDatabasePool,
  experimental_attachDatabasePool,
  subpath: dbConnections.attachDatabasePool,
  waitUntil,
  geolocation,
};

export default {
  async fetch(): Promise<Response> {
    const { rows } = await pool.query('select pg_backend_pid() as pid');
    return Response.json(rows[0]);
  },
};
`;

// Calls each attachDatabasePool export of the bundle with an object no driver makes: the runtime's
// throws its typed error, upstream's a plain Error.
const PROBE = `
const { probes } = require(process.argv[1]);
const names = ['attachDatabasePool', 'experimental_attachDatabasePool', 'subpath'];
const errors = Object.fromEntries(names.map((name) => {
  try { probes[name]({}); return [name, 'no error']; } catch (error) { return [name, error.name]; }
}));
process.stdout.write(JSON.stringify({ errors, same: probes.attachDatabasePool === probes.subpath }));`;

let project: string;
let route: string;

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'vfa-own-package-db-'));
  mkdirSync(path.join(project, 'api'));
  // The project's own copies; NodejsFunction runs the project's esbuild.
  linkInstalledPackages(project, ['@vercel/functions', 'pg', 'esbuild']);
  mkdirSync(path.join(project, 'node_modules', '.bin'));
  symlinkSync('../esbuild/bin/esbuild', path.join(project, 'node_modules', '.bin', 'esbuild'));
  writeFileSync(path.join(project, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
  route = path.join(project, 'api', 'pool.ts');
  writeFileSync(route, ROUTE);
});
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('a bundle of a project with its own @vercel/functions', () => {
  let outfile: string;
  let modules: string[];
  beforeAll(async () => {
    outfile = path.join(project, 'out', 'route.js');
    const result = await build({
      entryPoints: [route],
      bundle: true,
      outfile,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      alias: projectAliases(project),
      metafile: true,
      logLevel: 'silent',
    });
    modules = Object.keys(result.metafile.inputs).map((file) => path.relative(REPO, path.resolve(file)));
  });

  test('carries the runtime db-connections when the project has its own copy', () => {
    expect(modules).toContain('runtime/db-connections/index.ts');
  });

  test('keeps the project copy for the index and /headers when the route imports them', () => {
    expect(modules).toEqual(
      expect.arrayContaining([
        'node_modules/@vercel/functions/index.js',
        'node_modules/@vercel/functions/headers.js',
        'node_modules/@vercel/functions/wait-until.js',
      ]),
    );
    expect(modules).not.toContain('runtime/index.ts');
    expect(modules).not.toContain('runtime/headers.ts');
    expect(modules).not.toContain('runtime/wait-until.ts');
  });

  test('exports the runtime attachDatabasePool from the index and from /db-connections', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', PROBE, outfile], {
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      errors: {
        attachDatabasePool: 'UnsupportedDatabasePoolError',
        experimental_attachDatabasePool: 'UnsupportedDatabasePoolError',
        subpath: 'UnsupportedDatabasePoolError',
      },
      same: true,
    });
  });

  test('gives the route the real package exports besides attachDatabasePool', async () => {
    const script = `const { probes } = require(process.argv[1]);
process.stdout.write(JSON.stringify(probes.geolocation(new Request('https://example.com', { headers: { 'x-vercel-ip-country': 'DE' } }))));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, outfile], {
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toMatchObject({ country: 'DE', flag: '🇩🇪' });
  });
});

// The bundle NodejsFunction makes for a VercelFunction of the project, as `cdk deploy` uploads it.
function deployedBundle(): { taskRoot: string; handler: string } {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { region: 'eu-central-1' } });
  new VercelFunction(stack, 'Pool', { entry: route });
  const assembly = app.synth();
  const template = JSON.parse(readFileSync(path.join(assembly.directory, 'Stack.template.json'), 'utf8'));
  const [fn] = Object.values(template.Resources as Record<string, LambdaResource>).filter(
    (resource) => resource.Type === 'AWS::Lambda::Function',
  );
  const key = fn.Properties.Code.S3Key;
  return {
    taskRoot: path.join(assembly.directory, `asset.${key.replace('.zip', '')}`),
    handler: fn.Properties.Handler,
  };
}

interface LambdaResource {
  readonly Type: string;
  readonly Properties: { readonly Handler: string; readonly Code: { readonly S3Key: string } };
}

describeWithServer('a pool attached through the real index under the Lambda runtime', postgresServer, () => {
  let server: PostgresServer;
  let observer: Client;
  beforeAll(async () => {
    server = await startPostgres();
    observer = await server.client();
  });
  afterAll(async () => {
    await observer?.end();
    await server?.stop();
  });

  async function connectionsOf(app: string): Promise<number> {
    const { rows } = await observer.query(
      'select count(*)::int as count from pg_stat_activity where application_name = $1',
      [app],
    );
    return rows[0].count;
  }

  test.each([
    ['bundleFunction', 'vfa-own-db-bundle'],
    ['VercelFunction', 'vfa-own-db-cdk'],
  ])(
    'ends the invocation long before the pool idle timeout when bundled by %s',
    async (bundler, app) => {
      const code = bundler === 'VercelFunction' ? deployedBundle() : { entry: route, projectDir: project };
      let fn: LocalFunction | undefined;
      try {
        fn = await startLocalFunction({
          ...code,
          // What VercelProject sets with a custom domain and a concrete region: upstream's trigger.
          env: {
            DATABASE_URL: server.url,
            APP_NAME: app,
            VERCEL_URL: 'app.example.com',
            VERCEL_REGION: 'fra1',
          },
        });
        const response = await fetch(`${fn.url}/`);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ pid: expect.any(Number) });
        const invocation = fn.runtimeApi.invocation(response.headers.get('x-amzn-requestid')!)!;
        await invocation.ended;

        // Upstream's would end IDLE_TIMEOUT_MS + 100 ms after the release.
        expect(invocation.endedAt! - invocation.respondedAt!).toBeLessThan(IDLE_TIMEOUT_MS / 2);
        // The runtime's closed the idle connection as the invocation ended (the server notices soon).
        expect(
          await eventually(
            () => connectionsOf(app),
            (count) => count === 0,
          ),
        ).toBe(0);
      } finally {
        await fn?.stop();
      }
    },
    IDLE_TIMEOUT_MS * 2,
  );
});
