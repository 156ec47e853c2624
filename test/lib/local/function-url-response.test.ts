import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  readStreamedResponse,
  type StreamedResponseOutcome,
  writeBufferedResponse,
  writeFunctionError,
  writeStreamedResponse,
} from '../../../lib/local/function-url';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const prelude = (value: unknown) => Buffer.concat([Buffer.from(JSON.stringify(value)), Buffer.alloc(8)]);

// Each test hands the server what to do with the next request; the client is a real HTTP client.
let server: Server;
let serve: (req: IncomingMessage, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => serve(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

interface ClientResult {
  status: number;
  headers: IncomingMessage['headers'];
  chunks: { at: number; text: string }[];
  aborted: boolean;
}

function get(): Promise<ClientResult> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      const result: ClientResult = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        chunks: [],
        aborted: false,
      };
      res.on('data', (chunk: Buffer) => result.chunks.push({ at: Date.now(), text: chunk.toString() }));
      res.on('end', () => resolve(result));
      res.on('error', () => resolve({ ...result, aborted: true }));
      res.on('aborted', () => resolve({ ...result, aborted: true }));
    });
    req.on('error', reject);
    req.end();
  });
}

function streamTo(source: Readable, contentType?: string): Promise<StreamedResponseOutcome> {
  return new Promise((resolve) => {
    serve = (_req, res) => {
      writeStreamedResponse(source, res, contentType === undefined ? {} : { contentType }).then(resolve);
    };
  });
}

describe('writeStreamedResponse', () => {
  test('sends status, headers and cookies from the prelude and forwards each chunk as it arrives', async () => {
    const source = new PassThrough();
    const outcome = streamTo(source);
    const client = get();
    const written: number[] = [];
    // The prelude arrives split across writes, with the delimiter cut in two.
    const head = prelude({
      statusCode: 203,
      headers: { 'X-Test': 'yes', 'Content-Length': '99' },
      cookies: ['a=1', 'b=2'],
    });
    source.write(head.subarray(0, 10));
    source.write(head.subarray(10, head.length - 4));
    source.write(Buffer.concat([head.subarray(head.length - 4), Buffer.from('one')]));
    written.push(Date.now());
    for (const text of ['two', 'three']) {
      await sleep(150);
      source.write(text);
      written.push(Date.now());
    }
    source.end();

    const result = await client;
    expect(result.status).toBe(203);
    expect(result.headers['x-test']).toBe('yes');
    expect(result.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(result.headers['content-length']).toBeUndefined();
    expect(result.headers['transfer-encoding']).toBe('chunked');
    expect(result.chunks.map((c) => c.text).join('')).toBe('onetwothree');
    // Streaming, not buffering: the first chunk reached the client before the last one was written.
    expect(result.chunks[0].at).toBeLessThan(written[2]);
    expect(result.aborted).toBe(false);
    await expect(outcome).resolves.toEqual({ statusCode: 203, complete: true });
  });

  test('sends the body as it is with status 200 when the stream has no integration content type', async () => {
    const outcome = streamTo(Readable.from([Buffer.from('raw '), Buffer.from('bytes')]), 'text/csv');
    const result = await get();
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('text/csv');
    expect(result.chunks.map((c) => c.text).join('')).toBe('raw bytes');
    await expect(outcome).resolves.toMatchObject({ statusCode: 200, complete: true });
  });

  test('answers an empty 200 when the stream ends without any byte', async () => {
    streamTo(Readable.from([]));
    const result = await get();
    expect(result.status).toBe(200);
    expect(result.chunks).toEqual([]);
  });

  test('answers 502 when bytes arrive without a prelude', async () => {
    const outcome = streamTo(Readable.from([Buffer.from('no prelude here')]));
    const result = await get();
    expect(result.status).toBe(502);
    expect((await outcome).error?.name).toBe('MalformedIntegrationResponseError');
  });

  test('answers 502 and still reads the rest of the source when the prelude is not valid JSON', async () => {
    const source = new PassThrough();
    const outcome = streamTo(source);
    const client = get();
    source.write(Buffer.concat([Buffer.from('{oops'), Buffer.alloc(8), Buffer.from('body')]));
    expect((await client).status).toBe(502);
    expect((await outcome).error?.name).toBe('MalformedIntegrationResponseError');
    for (let i = 0; i < 64; i++) source.write(Buffer.alloc(64 * 1024, 'x'));
    source.end();
    // Rejects with a premature close if the writer had destroyed the function's stream instead.
    await expect(finished(source)).resolves.toBeUndefined();
    expect(source.readableEnded).toBe(true);
  });

  test('answers 502 when the source fails before the prelude is complete', async () => {
    const source = new PassThrough();
    const outcome = streamTo(source);
    const client = get();
    source.write('{"statusCode":200');
    await sleep(20);
    source.destroy(new Error('function failed'));
    const result = await client;
    expect(result.status).toBe(502);
    expect(result.chunks.map((c) => c.text).join('')).toBe('Internal Server Error');
    await expect(outcome).resolves.toMatchObject({ statusCode: 502, error: new Error('function failed') });
  });

  test('cuts the client connection when the source fails after the response started', async () => {
    const source = new PassThrough();
    const outcome = streamTo(source);
    const client = get();
    source.write(Buffer.concat([prelude({ statusCode: 200 }), Buffer.from('partial')]));
    await sleep(50);
    source.destroy(new Error('failed mid-stream'));
    const result = await client;
    expect(result.status).toBe(200);
    expect(result.chunks.map((c) => c.text).join('')).toBe('partial');
    expect(result.aborted).toBe(true);
    await expect(outcome).resolves.toMatchObject({ complete: false, error: new Error('failed mid-stream') });
  });

  test('keeps reading the source when the client disconnects', async () => {
    const source = new PassThrough();
    const outcome = streamTo(source);
    const { port } = server.address() as AddressInfo;
    const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      res.once('data', () => req.destroy());
    });
    req.on('error', () => {});
    req.end();
    source.write(Buffer.concat([prelude({ statusCode: 200 }), Buffer.from('first')]));
    await sleep(50);
    // Far more than the socket buffers hold: this only completes if the writer keeps draining.
    for (let i = 0; i < 64; i++) source.write(Buffer.alloc(64 * 1024, 'x'));
    source.end();
    await expect(outcome).resolves.toMatchObject({ complete: false });
    expect(source.readableEnded).toBe(true);
  });
});

describe('readStreamedResponse', () => {
  test('returns prelude fields and the whole body when given an integration stream', async () => {
    const source = Readable.from([prelude({ statusCode: 404, headers: { a: 'b' } }), Buffer.from('gone')]);
    const read = await readStreamedResponse(source);
    expect(read).toEqual({ statusCode: 404, headers: { a: 'b' }, cookies: [], body: Buffer.from('gone') });
  });

  test('returns the bytes with status 200 when the stream has another content type', async () => {
    const read = await readStreamedResponse(Readable.from([Buffer.from('x')]), { contentType: 'text/plain' });
    expect(read).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain' },
      cookies: [],
      body: Buffer.from('x'),
    });
  });

  test('rejects when the stream never completes its prelude', async () => {
    await expect(
      readStreamedResponse(Readable.from([Buffer.from('{}')]), {
        contentType: HTTP_INTEGRATION_CONTENT_TYPE,
      }),
    ).rejects.toThrow(/ended before the prelude delimiter/);
  });
});

describe('writeBufferedResponse', () => {
  function buffered(payload: unknown): Promise<ClientResult> {
    serve = (_req, res) => writeBufferedResponse(Buffer.from(JSON.stringify(payload)), res);
    return get();
  }

  test('uses statusCode, headers, cookies and a base64 body when given a response payload', async () => {
    const result = await buffered({
      statusCode: 201,
      headers: { 'x-a': 'b' },
      cookies: ['c=1'],
      body: Buffer.from('bin').toString('base64'),
      isBase64Encoded: true,
    });
    expect(result.status).toBe(201);
    expect(result.headers['x-a']).toBe('b');
    expect(result.headers['set-cookie']).toEqual(['c=1']);
    expect(result.chunks.map((c) => c.text).join('')).toBe('bin');
  });

  test('sends the JSON itself as an application/json 200 when the result has no statusCode', async () => {
    const result = await buffered({ message: 'Hello, world!' });
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/json');
    expect(JSON.parse(result.chunks.map((c) => c.text).join(''))).toEqual({ message: 'Hello, world!' });
  });
});

describe('writeFunctionError', () => {
  test('answers 502 Internal Server Error', async () => {
    serve = (_req, res) => writeFunctionError(res);
    const result = await get();
    expect(result.status).toBe(502);
    expect(result.chunks.map((c) => c.text).join('')).toBe('Internal Server Error');
  });
});
