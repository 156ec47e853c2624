import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keepAliveAgent, runLoad, timedGet } from '../../bench/load';

let server: Server;
let url: string;
let served = 0;
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = createServer((req, res) => {
    served++;
    sockets.add(req.socket);
    res.end(req.url === '/wrong' ? 'nope' : 'hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('runLoad', () => {
  test('sends exactly the requested number of requests over at most `concurrency` keep-alive connections', async () => {
    served = 0;
    sockets.clear();
    const agent = keepAliveAgent(3);
    const result = await runLoad({
      url: `${url}/`,
      requests: 50,
      concurrency: 3,
      agent,
      expectBody: 'hello',
    });
    agent.destroy();
    expect(served).toBe(50);
    expect(sockets.size).toBeLessThanOrEqual(3);
    expect(result.requests).toBe(50);
    expect(result.requestsPerSecond).toBeCloseTo((50 / result.elapsedMs) * 1000, 6);
  });

  test('fails naming the URL and the body when a response is not the expected one', async () => {
    const agent = keepAliveAgent(1);
    await expect(
      runLoad({ url: `${url}/wrong`, requests: 2, concurrency: 1, agent, expectBody: 'hello' }),
    ).rejects.toThrow(`runLoad: ${url}/wrong answered 200 "nope", expected 200 "hello"`);
    agent.destroy();
  });

  test('rejects a request count or concurrency that is not a positive integer', async () => {
    const agent = keepAliveAgent(1);
    await expect(runLoad({ url, requests: 0, concurrency: 1, agent, expectBody: '' })).rejects.toThrow(
      'requests must be a positive integer, got 0',
    );
    await expect(runLoad({ url, requests: 1, concurrency: 1.5, agent, expectBody: '' })).rejects.toThrow(
      'concurrency must be a positive integer, got 1.5',
    );
    agent.destroy();
  });
});

describe('timedGet', () => {
  test('returns the body with a time to first byte no later than the end of the body', async () => {
    const agent = keepAliveAgent(1);
    const response = await timedGet(`${url}/`, agent);
    agent.destroy();
    expect(response.status).toBe(200);
    expect(response.body).toBe('hello');
    expect(response.ttfbMs).toBeGreaterThan(0);
    expect(response.ttfbMs).toBeLessThanOrEqual(response.totalMs);
  });
});
