import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleFunction } from '../../lib/bundling';
import { SecretsManagerEndpoint } from '../../lib/local/secrets-manager-endpoint';
import { type LocalFunction, startLocalFunction } from './local-function';

// OriginProtection.secretHeader() and the route check end to end: the fixture bundled with the
// adapter, run by the real aws-lambda-ric on Node 24, called over HTTP through the Function URL front
// — i.e. the way a caller that bypasses CloudFront reaches a public (NONE auth) Function URL. The
// adapter reads the secret with the real Secrets Manager SDK from the loopback endpoint.

const ENTRY = path.join(__dirname, 'fixtures', 'origin-guard.ts');
const SECRET_VALUE = 'Cl0udFrontAddsThisHeaderToEveryOriginRequest';

let secrets: SecretsManagerEndpoint;
let secretArn: string;
let fn: LocalFunction;

function functionEnv(endpointUrl: string): Record<string, string> {
  return {
    VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN: secretArn,
    VERCEL_FUNCTIONS_AWS_ROUTE: '/api/users/[id]',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpointUrl,
    // The execution role's credentials, as Lambda puts them into the environment.
    AWS_ACCESS_KEY_ID: SecretsManagerEndpoint.DEFAULT_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SecretsManagerEndpoint.DEFAULT_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'local-session-token',
  };
}

beforeAll(async () => {
  secrets = await SecretsManagerEndpoint.start();
  secretArn = secrets.createSecret('vercel-origin-secret', SECRET_VALUE);
  fn = await startLocalFunction({ entry: ENTRY, env: functionEnv(secrets.url) });
});
afterAll(async () => {
  await fn?.stop();
  await secrets?.close();
});

describe('a direct call to the Function URL with OriginProtection.secretHeader()', () => {
  test('is denied with 403 when it lacks the secret header, before user code runs', async () => {
    const response = await fetch(`${fn.url}/api/users/1`);
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('Forbidden');
  });

  test('is denied with 403 when the secret header is wrong', async () => {
    const response = await fetch(`${fn.url}/api/users/1`, {
      headers: { 'x-vfa-origin-secret': `${SECRET_VALUE.slice(0, -1)}X` },
    });
    expect(response.status).toBe(403);
  });

  test('is served, without the header reaching user code, when CloudFront sent the right secret', async () => {
    const response = await fetch(`${fn.url}/api/users/42?id=spoofed&sort=asc`, {
      method: 'POST',
      headers: { 'x-vfa-origin-secret': SECRET_VALUE, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(response.status).toBe(200);
    const seen = await response.json();
    expect(new URL(seen.url).search).toBe('?sort=asc&id=42');
    expect(seen.body).toBe('hello');
    expect(seen.headers['x-vfa-origin-secret']).toBeUndefined();
    expect(seen.contextHeaders['x-vfa-origin-secret']).toBeUndefined();
  });

  test('reads the secret once per process, not per request', async () => {
    const before = secrets.getSecretValueCalls().length;
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${fn.url}/api/users/${i}`, {
        headers: { 'x-vfa-origin-secret': SECRET_VALUE },
      });
      expect(response.status).toBe(200);
    }
    expect(secrets.getSecretValueCalls().length).toBe(before);
    expect(before).toBeLessThanOrEqual(2);
  });

  test("gets Vercel's 404 when the path is deeper than the route the behaviour's wildcard let through", async () => {
    const response = await fetch(`${fn.url}/api/users/1/2`, {
      headers: { 'x-vfa-origin-secret': SECRET_VALUE },
    });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('NOT_FOUND');
  });
});

describe('a function whose origin secret cannot be read', () => {
  test('fails closed with 503 and logs the reason', async () => {
    const unreachable = await startLocalFunction({
      entry: ENTRY,
      env: functionEnv(`http://127.0.0.1:${await closedPort()}`),
    });
    try {
      const response = await fetch(`${unreachable.url}/api/users/1`, {
        headers: { 'x-vfa-origin-secret': SECRET_VALUE },
      });
      expect(response.status).toBe(503);
      const line = await unreachable.runtime.waitForLog(/Failing closed: requests get 503/, 5_000);
      expect(line.text).toContain(secretArn);
    } finally {
      await unreachable.stop();
    }
  });
});

// Bundles built the way VercelFunction builds them for a function that needs neither check
// (bundle-switches.ts): without the origin secret check and without the route check. Behind a
// misconfiguration — the variables set anyway — they must refuse, never serve unchecked.
describe('a function bundled without the origin secret and route checks', () => {
  let outdir: string;
  let lean: LocalFunction | undefined;
  beforeAll(async () => {
    outdir = mkdtempSync(path.join(tmpdir(), 'vfa-lean-guard-'));
    await bundleFunction({ entry: ENTRY, outdir, originSecretCheck: false, routeCheck: false });
  });
  afterEach(async () => {
    await lean?.stop();
    lean = undefined;
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const startLean = async (env: Record<string, string>) => {
    lean = await startLocalFunction({ taskRoot: outdir, handler: 'index.handler', env });
    return lean;
  };

  test('leaves the Secrets Manager client and the route matcher out of the bundle', () => {
    const code = readFileSync(path.join(outdir, 'index.js'), 'utf8');
    expect(code).toContain('// runtime/handler/request-guard.ts');
    expect(code).not.toContain('client-secrets-manager');
    expect(code).not.toContain('// runtime/handler/origin-secret.ts');
    expect(code).not.toContain('// runtime/handler/route.ts');
  });

  test('refuses every request with 500, even one with the right secret, when the secret variable is set', async () => {
    const fn = await startLean(functionEnv(secrets.url));
    const response = await fetch(`${fn.url}/api/users/1`, {
      headers: { 'x-vfa-origin-secret': SECRET_VALUE },
    });
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('Internal Server Error');
    const line = await fn.runtime.waitForLog(/bundled without the origin secret check/, 5_000);
    expect(line.text).toContain('VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN is set');
  });

  test('refuses every request with 500 when the route variable is set', async () => {
    const fn = await startLean({ VERCEL_FUNCTIONS_AWS_ROUTE: '/api/users/[id]' });
    const response = await fetch(`${fn.url}/api/users/1`);
    expect(response.status).toBe(500);
    const line = await fn.runtime.waitForLog(/bundled without the route check/, 5_000);
    expect(line.text).toContain('VERCEL_FUNCTIONS_AWS_ROUTE is set');
  });

  test('serves requests, without the secret header, when neither variable is set', async () => {
    const fn = await startLean({});
    const response = await fetch(`${fn.url}/api/users/1/2?id=7`, { headers: { 'x-vfa-origin-secret': 'x' } });
    expect(response.status).toBe(200);
    const seen = await response.json();
    expect(new URL(seen.url).search).toBe('?id=7');
    expect(seen.headers['x-vfa-origin-secret']).toBeUndefined();
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
