import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { flushHead } from '../../../lib/local/response-head';

// Each test hands the server what to do with the next request; the client is a real HTTP client
// that reads the head's bytes as they came (Node's client decodes header bytes as latin1, one
// character per byte, so `Buffer.from(value, 'latin1')` gives the bytes back).
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

/** Sends a request; `onHead` runs once the response's head has arrived, before its body is read. */
function send(
  method: string,
  onHead: () => void,
): Promise<{ status: number; valueBytes: string; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method }, (res) => {
      onHead();
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          valueBytes: Buffer.from(String(res.headers['content-language']), 'latin1').toString('hex'),
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('flushHead', () => {
  test('sends the head before the body, each header character as one latin1 byte, when a value is beyond ASCII', async () => {
    let headArrived: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      headArrived = resolve;
    });
    serve = (_req, res) => {
      res.writeHead(200, { 'content-language': 'fr\u00e9' });
      flushHead(res);
      // The body ends only once the client has the head: a head held back until end() never arrives.
      void arrived.then(() => res.end('body'));
    };
    const result = await send('GET', headArrived);
    expect(result).toEqual({ status: 200, valueBytes: '6672e9', body: 'body' });
  });

  test('sends the head in latin1 with end() when the response has no body (HEAD)', async () => {
    serve = (_req, res) => {
      res.writeHead(200, { 'content-language': 'fr\u00e9' });
      flushHead(res);
      res.end();
    };
    const result = await send('HEAD', () => undefined);
    expect(result).toEqual({ status: 200, valueBytes: '6672e9', body: '' });
  });
});
