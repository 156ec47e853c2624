import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type DevServer, startDevServer } from '../../../lib/local/dev-server';
import { dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';

// `npm start` in a shell that sets AWS_REGION (the README's DynamoDB Local setup exports one). The
// functions run in the dev server's process, so they share that environment. The request must still
// name the region as `vercel dev` does — `dev1` in `x-vercel-id` (vercel/vercel
// packages/cli/src/util/dev/server.ts, generateRequestId), hence in `geolocation().region`, as in
// VERCEL_REGION — while the function's own code and its SDK clients keep the shell's region.

const REPO = resolve(__dirname, '..', '..', '..');
const SHELL_REGION = 'eu-central-1';

const FUNCTION = `
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { geolocation, getEnv } from '@vercel/functions';

const regionAtLoad = process.env.AWS_REGION ?? null;
const client = new DynamoDBClient({});

export default {
  async fetch(request: Request) {
    const tables = await client.send(new ListTablesCommand({ Limit: 1 }));
    return Response.json({
      requestId: request.headers.get('x-vercel-id'),
      geoRegion: geolocation(request).region,
      vercelRegion: getEnv().VERCEL_REGION ?? null,
      regionAtLoad,
      regionAtRequest: process.env.AWS_REGION ?? null,
      sdkRegion: await client.config.region(),
      listed: Array.isArray(tables.TableNames),
    });
  },
};
`;

const SHELL = {
  AWS_REGION: SHELL_REGION,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: '',
};

let dir: string;
let server: DevServer | undefined;
const saved = Object.fromEntries(Object.keys(SHELL).map((name) => [name, process.env[name]]));

beforeAll(async () => {
  // Set before the server starts, as a shell would.
  Object.assign(process.env, SHELL, { AWS_ENDPOINT_URL_DYNAMODB: dynamoDBLocalEndpoint() });
  dir = mkdtempSync(join(tmpdir(), 'dev-server-region-'));
  mkdirSync(join(dir, 'api'));
  mkdirSync(join(dir, 'node_modules'));
  writeFileSync(join(dir, 'api', 'region.ts'), FUNCTION);
  // The project's own SDK, as an app that installed it has one.
  symlinkSync(join(REPO, 'node_modules', '@aws-sdk'), join(dir, 'node_modules', '@aws-sdk'));
  server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: () => {} });
});

afterAll(async () => {
  await server?.close();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('startDevServer in a shell that sets AWS_REGION', () => {
  test('names region dev1 in x-vercel-id and geolocation(), as vercel dev does, when AWS_REGION is set', async () => {
    const res = await fetch(`${server!.url}/api/region`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.requestId).toMatch(/^dev1::\S+$/);
    expect(body.geoRegion).toBe('dev1');
    expect(body.vercelRegion).toBe('dev1');
  });

  test("keeps the shell's AWS_REGION for the function's code and its SDK clients", async () => {
    const body = await (await fetch(`${server!.url}/api/region`)).json();
    expect(body.regionAtLoad).toBe(SHELL_REGION);
    expect(body.regionAtRequest).toBe(SHELL_REGION);
    expect(body.sdkRegion).toBe(SHELL_REGION);
    // Signed for the shell's region and sent to the local emulator the shell names.
    expect(body.listed).toBe(true);
  });
});
