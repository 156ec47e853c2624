import * as path from 'node:path';
import { functionUrlEvent } from './events';
import { type LocalFunction, startLocalFunction } from './local-function';

// The request path end to end: a Vercel-style module bundled with the adapter, run by the real
// aws-lambda-ric on Node 24 against the loopback Runtime API, called over HTTP through the Function
// URL front. One runtime process for the whole file.

let fn: LocalFunction;

beforeAll(async () => {
  fn = await startLocalFunction({ entry: path.join(__dirname, 'fixtures', 'spine.ts') });
});
afterAll(async () => {
  await fn?.stop();
});

function requestIdOf(response: Response): string {
  const id = response.headers.get('x-amzn-requestid');
  if (!id) throw new Error('the Function URL front sent no x-amzn-requestid');
  return id;
}

async function logTime(requestId: string, message: string): Promise<number> {
  const line = await fn.runtime.waitForLog(new RegExp(`${requestId}.*${message} at (\\d+)`), 5_000);
  return Number(/ at (\d+)/.exec(line.text)![1]);
}

async function readChunks(response: Response): Promise<{ at: number; text: string }[]> {
  const chunks: { at: number; text: string }[] = [];
  const reader = response.body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push({ at: Date.now(), text: Buffer.from(value).toString('utf8') });
  }
}

describe('streaming', () => {
  test('delivers the first chunk to the client before the handler writes the last one', async () => {
    const response = await fetch(`${fn.url}/stream`);
    const chunks = await readChunks(response);
    const requestId = requestIdOf(response);
    const lastWrittenAt = await logTime(requestId, 'chunk 2 written');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(chunks.map((chunk) => chunk.text).join('')).toBe('chunk0\nchunk1\nchunk2\n');
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks[0].at).toBeLessThan(lastWrittenAt);
    // Three writes 200 ms apart arrive spread out, not in one burst at the end.
    expect(chunks[chunks.length - 1].at - chunks[0].at).toBeGreaterThanOrEqual(300);
  });
});

describe('waitUntil', () => {
  test('completes the response before a 1 s task ends and ends the invocation only after it', async () => {
    const startedAt = Date.now();
    const response = await fetch(`${fn.url}/wait-until`);
    const body = await response.text();
    const completedAt = Date.now();
    const requestId = requestIdOf(response);

    expect(response.status).toBe(200);
    expect(body).toBe('response sent');
    expect(completedAt - startedAt).toBeLessThan(900);

    const taskDoneAt = await logTime(requestId, 'waitUntil task done');
    expect(taskDoneAt).toBeGreaterThan(completedAt);
    const invocation = fn.runtimeApi.invocation(requestId)!;
    await invocation.ended;
    expect(invocation.endedAt).toBeGreaterThanOrEqual(taskDoneAt);
  });

  test('logs a rejecting task with the request id without changing the response', async () => {
    const response = await fetch(`${fn.url}/wait-until`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('response sent');
    const line = await fn.runtime.waitForLog(
      new RegExp(`A waitUntil\\(\\) promise rejected \\(request ${requestIdOf(response)}\\)`),
    );
    expect(line.text).toContain('background task failed on purpose');
  });

  test('logs a waitUntil() made after its invocation ended, with that request id, and its rejection', async () => {
    const kept = await fetch(`${fn.url}/wait-until-late`);
    expect(await kept.text()).toBe('callback kept');
    const requestId = requestIdOf(kept);
    await fn.runtimeApi.invocation(requestId)!.ended;

    const fired = await fetch(`${fn.url}/wait-until-late/fire`);
    expect(await fired.text()).toBe('callback called');
    const warning = await fn.runtime.waitForLog(
      new RegExp(
        `waitUntil\\(\\) was called after this invocation's waitUntil\\(\\) work had been awaited.*\\(request ${requestId}\\)`,
      ),
    );
    expect(warning.text).toContain('nothing awaits the promise');
    const rejected = await fn.runtime.waitForLog(
      new RegExp(`A waitUntil\\(\\) promise rejected \\(request ${requestId}\\)`),
    );
    expect(rejected.text).toContain('late task failed on purpose');
    // The invocation that called the callback was not made to wait for, or blamed for, the promise.
    const firedId = requestIdOf(fired);
    await fn.runtimeApi.invocation(firedId)!.ended;
    expect(fn.runtime.lines.some((line) => line.text.includes(`(request ${firedId})`))).toBe(false);
  });

  test('throws upstream TypeError when given a non-promise', async () => {
    const response = await fetch(`${fn.url}/wait-until-non-promise`);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('TypeError: waitUntil can only be called with a Promise, got number');
  });
});

describe('CloudFront-derived headers', () => {
  interface ContextBody {
    ipAddress: string | null;
    geolocation: Record<string, string | undefined>;
    headers: Record<string, string>;
    context: Record<string, string | null>;
  }
  async function context(headers: Record<string, string>): Promise<{ body: ContextBody; requestId: string }> {
    const response = await fetch(`${fn.url}/context`, { headers });
    expect(response.status).toBe(200);
    return { body: (await response.json()) as ContextBody, requestId: requestIdOf(response) };
  }

  test('derives ipAddress and geolocation from the CloudFront viewer headers', async () => {
    const { body, requestId } = await context({
      'cloudfront-viewer-address': '198.51.100.10:46532',
      'cloudfront-viewer-country': 'US',
      'cloudfront-viewer-country-region': 'NY',
      'cloudfront-viewer-city': 'New%20York',
      'cloudfront-viewer-latitude': '40.7128',
      'cloudfront-viewer-longitude': '-74.0060',
      'cloudfront-viewer-postal-code': '10001',
    });
    expect(body.ipAddress).toBe('198.51.100.10');
    expect(body.geolocation).toEqual({
      city: 'New York',
      country: 'US',
      flag: '🇺🇸',
      countryRegion: 'NY',
      region: 'iad1',
      latitude: '40.7128',
      longitude: '-74.0060',
      postalCode: '10001',
    });
    expect(body.context).toEqual({ 'x-real-ip': '198.51.100.10', 'x-vercel-id': `iad1::${requestId}` });
  });

  test('strips the port from an IPv6 viewer address', async () => {
    const { body } = await context({ 'cloudfront-viewer-address': '2406:da14:8f0:2600::c4a:42838' });
    expect(body.ipAddress).toBe('2406:da14:8f0:2600::c4a');
  });

  test('falls back to the source ip and reports no location when the CloudFront headers are missing', async () => {
    const { body } = await context({});
    expect(body.ipAddress).toBe('127.0.0.1');
    expect(body.geolocation.country).toBeUndefined();
    expect(body.geolocation.city).toBeUndefined();
    expect(body.geolocation.region).toBe('iad1');
  });

  test('ignores garbled CloudFront headers instead of passing them on', async () => {
    const { body } = await context({
      'cloudfront-viewer-address': 'not-an-address',
      'cloudfront-viewer-country': 'USA1',
      'cloudfront-viewer-latitude': 'north',
      'cloudfront-viewer-city': '%E0%A4%A',
    });
    expect(body.ipAddress).toBe('127.0.0.1');
    expect(body.geolocation.country).toBeUndefined();
    expect(body.geolocation.latitude).toBeUndefined();
    expect(body.geolocation.city).toBeUndefined();
  });

  test('never shows the handler spoofed x-real-ip, x-forwarded-for or x-vercel-* headers from the viewer', async () => {
    const { body, requestId } = await context({
      'cloudfront-viewer-address': '198.51.100.10:1234',
      'x-real-ip': '6.6.6.6',
      'x-forwarded-for': '6.6.6.6',
      'x-vercel-ip-country': 'KP',
      'x-vercel-id': 'fra1::forged',
      'x-vercel-oidc-token': 'forged-token',
    });
    expect(body.ipAddress).toBe('198.51.100.10');
    expect(body.headers['x-real-ip']).toBe('198.51.100.10');
    expect(body.headers['x-forwarded-for']).toBe('198.51.100.10');
    expect(body.geolocation.country).toBeUndefined();
    expect(body.headers['x-vercel-id']).toBe(`iad1::${requestId}`);
    expect(body.headers).not.toHaveProperty('x-vercel-oidc-token');
    expect(body.context['x-real-ip']).toBe('198.51.100.10');
  });
});

describe('bad input', () => {
  test('answers 400 naming the problem when a hand-built event carries invalid base64', async () => {
    const result = await fn.invoke(
      functionUrlEvent({
        rawPath: '/echo',
        body: 'not*base64!',
        isBase64Encoded: true,
        requestContext: {
          ...functionUrlEvent().requestContext,
          http: {
            method: 'POST',
            path: '/echo',
            protocol: 'HTTP/1.1',
            sourceIp: '203.0.113.1',
            userAgent: 't',
          },
        },
      }),
    );
    expect(result.statusCode).toBe(400);
    expect(result.body.toString()).toMatch(/not valid base64/);
  });

  test('answers 400 when a hand-built event is not a Function URL event', async () => {
    const result = await fn.invoke({ hello: 'world' });
    expect(result.statusCode).toBe(400);
    expect(result.body.toString()).toMatch(/Invalid event/);
  });

  test('round-trips a binary body sent as base64 by the front', async () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const response = await fetch(`${fn.url}/echo`, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  test('answers 500 and logs the error with the request id when the handler throws before the first byte', async () => {
    const response = await fetch(`${fn.url}/throw-before`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('Internal Server Error');
    const requestId = requestIdOf(response);
    const line = await fn.runtime.waitForLog(
      new RegExp(`\\(request ${requestId}\\).*handler failed before the first byte`),
    );
    expect(line.text).toContain(requestId);
  });

  test('aborts the client response when the body fails after the first byte', async () => {
    const response = await fetch(`${fn.url}/throw-after`);
    expect(response.status).toBe(200);
    const received: string[] = [];
    const reader = response.body!.getReader();
    const failure = await (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return undefined;
        received.push(Buffer.from(value).toString());
      }
    })().catch((error: unknown) => error);
    expect(received.join('')).toBe('partial');
    // undici's error for a connection cut before the final chunk (created in another realm than jest's).
    expect(failure).toMatchObject({ name: 'TypeError', message: 'terminated' });
    await fn.runtime.waitForLog(new RegExp(`${requestIdOf(response)}.*body failed after the first byte`));
  });
});
