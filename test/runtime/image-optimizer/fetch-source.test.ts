import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ImageRequestError } from '../../../runtime/errors';
import { fetchSource } from '../../../runtime/image-optimizer/fetch-source';
import { SourceServer, serve } from './sources';

// The download rules not covered through optimizeImage: timeouts, bodies that do not decode and
// what is (not) sent upstream.

// Every source here is a loopback server the test configured, as the dev server's localOrigin is.
const anyAddress = () => 'any' as const;

describe('fetchSource', () => {
  let silent: Server;
  beforeAll(async () => {
    // Accepts connections and never answers.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  test('fails with 504 when the source does not answer within the timeout', async () => {
    const { port } = silent.address() as AddressInfo;
    const failure = fetchSource(new URL(`http://127.0.0.1:${port}/a.png`), anyAddress, {
      maxBytes: 1000,
      timeoutMs: 200,
    });
    await expect(failure).rejects.toThrow(ImageRequestError);
    await expect(failure).rejects.toMatchObject({
      statusCode: 504,
      message: 'The source did not respond in time',
    });
  });

  test('fails with 502 for a body that does not decompress or an unknown encoding', async () => {
    const server = await SourceServer.start({
      '/bad-gzip': serve('not gzip at all', { 'content-encoding': 'gzip' }),
      '/zstd': serve('x', { 'content-encoding': 'zstd' }),
    });
    try {
      const options = { maxBytes: 1000 };
      await expect(
        fetchSource(new URL(`${server.origin}/bad-gzip`), anyAddress, options),
      ).rejects.toMatchObject({
        statusCode: 502,
        message: 'The source sent a body that does not decompress',
      });
      await expect(fetchSource(new URL(`${server.origin}/zstd`), anyAddress, options)).rejects.toMatchObject({
        statusCode: 502,
        message: 'The source sent an unsupported Content-Encoding: zstd',
      });
    } finally {
      await server.close();
    }
  });

  test('sends no cookies or credentials upstream and names itself', async () => {
    let received: Record<string, string | string[] | undefined> = {};
    const server = await SourceServer.start({
      '/a.png': (request, response) => {
        received = request.headers;
        response.end('x');
      },
    });
    try {
      const source = await fetchSource(new URL(`${server.origin}/a.png`), anyAddress, {
        maxBytes: 10,
      });
      expect(source.bytes.toString()).toBe('x');
      expect(received.cookie).toBeUndefined();
      expect(received.authorization).toBeUndefined();
      expect(received['user-agent']).toBe('vercel-functions-aws-image-optimizer');
    } finally {
      await server.close();
    }
  });

  test('checks every redirect target with the policy before contacting it', async () => {
    const server = await SourceServer.start({
      '/start': (_request, response) => response.writeHead(307, { location: '/next' }).end(),
      '/next': serve('done'),
    });
    const checked: string[] = [];
    try {
      const source = await fetchSource(
        new URL(`${server.origin}/start`),
        (url) => {
          checked.push(url.pathname);
          return 'any';
        },
        { maxBytes: 10 },
      );
      expect(source.url.pathname).toBe('/next');
      expect(checked).toEqual(['/start', '/next']);
    } finally {
      await server.close();
    }
  });
});
