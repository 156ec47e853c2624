import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import {
  type FunctionUrlEventOptions,
  isTextContentType,
  toFunctionUrlEvent,
} from '../../../lib/local/function-url';

// Real requests over a real socket: the event is built from what Node's HTTP server actually parsed.
let server: Server;
let options: FunctionUrlEventOptions = {};

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    res.end(JSON.stringify(toFunctionUrlEvent(req, Buffer.concat(chunks), options)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  options = {};
});

function send(
  target: string,
  init: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
): Promise<LambdaFunctionURLEvent> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: target,
      method: init.method ?? 'GET',
      headers: init.headers,
    });
    req.on('error', reject);
    req.on('response', async (res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    });
    req.end(init.body);
  });
}

describe('toFunctionUrlEvent', () => {
  test('builds a payload v2 event with the Function URL placeholders when given a plain GET', async () => {
    options = {
      requestId: 'req-1',
      region: 'eu-west-1',
      urlId: 'abc123',
      timeEpoch: Date.UTC(2020, 2, 12, 19, 3, 58),
    };
    const event = await send('/my/path', { headers: { 'user-agent': 'agent/1' } });

    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/my/path',
      rawQueryString: '',
      isBase64Encoded: false,
      requestContext: {
        accountId: 'anonymous',
        apiId: 'abc123',
        domainName: 'abc123.lambda-url.eu-west-1.on.aws',
        domainPrefix: 'abc123',
        http: {
          method: 'GET',
          path: '/my/path',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'agent/1',
        },
        requestId: 'req-1',
        routeKey: '$default',
        stage: '$default',
        time: '12/Mar/2020:19:03:58 +0000',
        timeEpoch: Date.UTC(2020, 2, 12, 19, 3, 58),
      },
    });
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('queryStringParameters');
  });

  test('keeps the raw query string and comma-joins repeated parameters when given a query', async () => {
    const event = await send('/p?parameter1=value1&parameter1=value2&parameter2=a%20b');
    expect(event.rawQueryString).toBe('parameter1=value1&parameter1=value2&parameter2=a%20b');
    expect(event.queryStringParameters).toEqual({ parameter1: 'value1,value2', parameter2: 'a b' });
  });

  test('lower-cases header names and comma-joins repeated headers', async () => {
    const event = await send('/', { headers: { 'X-Custom': ['value1', 'value2'], 'X-Single': 'one' } });
    expect(event.headers['x-custom']).toBe('value1,value2');
    expect(event.headers['x-single']).toBe('one');
    expect(event.headers).not.toHaveProperty('connection');
  });

  test('moves cookies into the cookies array and removes the cookie header', async () => {
    const event = await send('/', { headers: { Cookie: ['a=1; b=2', 'c=3'] } });
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
    expect(event.headers).not.toHaveProperty('cookie');
  });

  test('passes a text body as text when the content type is text', async () => {
    const event = await send('/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":"é"}',
    });
    expect(event.body).toBe('{"a":"é"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  test('base64-encodes a body when the content type is binary or missing', async () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const binary = await send('/', { method: 'POST', headers: { 'content-type': 'image/png' }, body: bytes });
    expect(binary).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
    const untyped = await send('/', { method: 'PUT', body: 'hello' });
    expect(untyped).toMatchObject({ body: Buffer.from('hello').toString('base64'), isBase64Encoded: true });
  });

  test('adds the forwarding and trace headers a Function URL adds', async () => {
    const event = await send('/', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    const { port } = server.address() as AddressInfo;
    expect(event.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(event.headers['x-forwarded-proto']).toBe('http');
    expect(event.headers['x-forwarded-port']).toBe(String(port));
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  test('uses the given source ip and account id when set', async () => {
    options = { sourceIp: '198.51.100.7', accountId: '123456789012' };
    const event = await send('/');
    expect(event.requestContext.http.sourceIp).toBe('198.51.100.7');
    expect(event.requestContext.accountId).toBe('123456789012');
  });

  test('decodes the path in requestContext.http.path but not in rawPath', async () => {
    const event = await send('/a%20b/%E2%9C%93');
    expect(event.rawPath).toBe('/a%20b/%E2%9C%93');
    expect(event.requestContext.http.path).toBe('/a b/✓');
  });

  test('keeps a malformed escape as it is when the path cannot be decoded', async () => {
    const event = await send('/bad%E0%A4%A');
    expect(event.requestContext.http.path).toBe('/bad%E0%A4%A');
  });
});

describe('isTextContentType', () => {
  test.each([
    ['text/plain', true],
    ['text/html; charset=utf-8', true],
    ['Application/JSON', true],
    ['application/xml', true],
    ['application/javascript', true],
    ['application/x-www-form-urlencoded', false],
    ['application/octet-stream', false],
    ['multipart/form-data; boundary=x', false],
    [undefined, false],
  ])('returns %p → %p', (contentType, expected) => {
    expect(isTextContentType(contentType)).toBe(expected);
  });
});
