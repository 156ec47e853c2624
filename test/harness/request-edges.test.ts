import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { functionUrlEvent } from './events';
import { type LocalFunction, startLocalFunction } from './local-function';

// Requests at the edges of what the adapter accepts, under the real aws-lambda-ric on Node 24: a
// binary body near the Function URL's payload limit, header values Lambda hands over as text that
// is not a ByteString, an invalid HEAD, and the real @vercel/functions' metric() (the project
// installs its own copy, so the bundle keeps the package's global lookups).

const REPO_ROOT = path.resolve(__dirname, '..', '..');

let project: string;
let fn: LocalFunction;

beforeAll(async () => {
  project = mkdtempSync(path.join(tmpdir(), 'vfa-request-edges-'));
  mkdirSync(path.join(project, 'api'));
  mkdirSync(path.join(project, 'node_modules', '@vercel'), { recursive: true });
  symlinkSync(
    path.join(REPO_ROOT, 'node_modules', '@vercel', 'functions'),
    path.join(project, 'node_modules', '@vercel', 'functions'),
  );
  const entry = path.join(project, 'api', 'edges.ts');
  copyFileSync(path.join(__dirname, 'fixtures', 'request-edges.ts'), entry);
  fn = await startLocalFunction({ entry, projectDir: project });
});
afterAll(async () => {
  await fn?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the adapter under the real Lambda runtime client', () => {
  test('hands a 4.5 MB binary body to the handler byte for byte', async () => {
    // Base64 in the event: 6,000,000 characters, just under the Function URL's 6 MB request payload.
    const bytes = randomBytes(4_500_000);
    const response = await fetch(`${fn.url}/echo`, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ length: bytes.length, sha256: sha256(bytes) });
  });

  test('serves a User-Agent with characters above U+00FF, as its UTF-8 bytes read as latin1 in both views', async () => {
    const userAgent = 'Mozilla/5.0 (Linux; Android 12; \u7ea2\u7c73Note 11) Mobile';
    const result = await fn.invoke(
      functionUrlEvent({ headers: { host: 'abc.lambda-url.us-east-1.on.aws', 'user-agent': userAgent } }),
    );
    expect(result.statusCode).toBe(200);
    const nodeView = Buffer.from(userAgent, 'utf8').toString('latin1');
    expect(JSON.parse(result.body.toString())).toEqual({ request: nodeView, context: nodeView });
  });

  test('answers 400 naming the header when a value has a NUL byte, without a body for HEAD', async () => {
    const headers = { host: 'abc.lambda-url.us-east-1.on.aws', 'x-bad': '\u7ea2\u0000' };
    const get = await fn.invoke(functionUrlEvent({ headers }));
    expect(get.statusCode).toBe(400);
    expect(get.body.toString()).toBe('Invalid event: header "x-bad" has an invalid name or value');

    const head = functionUrlEvent({ headers });
    head.requestContext.http.method = 'HEAD';
    const headResult = await fn.invoke(head);
    expect(headResult.statusCode).toBe(400);
    expect(headResult.body.length).toBe(0);
  });

  test("records the real package's metric() as a CloudWatch EMF line on stdout", async () => {
    const response = await fetch(`${fn.url}/metric`);
    expect(await response.text()).toBe('recorded');

    const line = await fn.runtime.waitForLog(/"checkout\.total":42/);
    expect(line.stream).toBe('stdout');
    expect(JSON.parse(line.text)).toMatchObject({
      currency: 'EUR',
      'checkout.total': 42,
      _aws: { CloudWatchMetrics: [{ Namespace: 'VercelFunctions', Dimensions: [['currency']] }] },
    });
  });
});
