import { type FunctionUrlServer, startFunctionUrlServer } from '../../../../lib/local/cloudfront';

// The loopback Function URL server in front of the emulation's origins.

let server: FunctionUrlServer;
let received: unknown[] = [];

beforeAll(async () => {
  server = await startFunctionUrlServer({ trusted: () => undefined, targetFor: () => undefined });
});
afterAll(() => server?.close());
beforeEach(() => {
  received = [];
});

describe('startFunctionUrlServer', () => {
  test('answers 404 for a host with no Function URL', async () => {
    const response = await fetch(`${server.url}/path`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      Message: `No Function URL answers at ${new URL(server.url).host}`,
    });
  });

  test('refuses a body over the 6 MB a Function URL accepts', async () => {
    const response = await fetch(`${server.url}/`, {
      method: 'POST',
      body: new Uint8Array(6 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
  });
});

describe('startFunctionUrlServer with an open URL', () => {
  let open: FunctionUrlServer;
  beforeAll(async () => {
    open = await startFunctionUrlServer({
      trusted: () => undefined,
      targetFor: () => ({
        authType: 'NONE',
        invoke: async (event) => {
          received.push(event);
          return {
            kind: 'buffered',
            payload: Buffer.from(JSON.stringify({ statusCode: 201, body: 'made' })),
          };
        },
      }),
    });
  });
  afterAll(() => open?.close());

  test('turns the request into a payload v2 event and the result into the response', async () => {
    const response = await fetch(`${open.url}/items?q=1`, {
      method: 'POST',
      body: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('made');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(received).toEqual([
      expect.objectContaining({
        version: '2.0',
        rawPath: '/items',
        rawQueryString: 'q=1',
        body: 'hello',
        isBase64Encoded: false,
      }),
    ]);
  });
});
