import { createServer } from 'node:net';
import * as path from 'node:path';
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

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
