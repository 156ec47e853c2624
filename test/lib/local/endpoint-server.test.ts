import { type EndpointServer, startEndpointServer } from '../../../lib/local/endpoint-server';

describe('startEndpointServer', () => {
  let server: EndpointServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test('hands the handler the whole body when a request carries one', async () => {
    server = await startEndpointServer((req, body, res) => {
      res.end(`${req.method} ${req.url} ${body.length} ${body.toString('utf8').slice(-3)}`);
    });
    const body = `${'x'.repeat(200_000)}end`;
    const response = await fetch(`${server.url}/path?q=1`, { method: 'POST', body });
    expect(await response.text()).toBe('POST /path?q=1 200003 end');
  });

  test('listens on 127.0.0.1 only when started', async () => {
    server = await startEndpointServer((_req, _body, res) => {
      res.end();
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('drops the connection when the handler throws instead of answering', async () => {
    server = await startEndpointServer(async () => {
      throw new Error('endpoint bug');
    });
    await expect(fetch(server.url)).rejects.toThrow('fetch failed');
  });

  test('closes when a request is still unanswered', async () => {
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const started = await startEndpointServer(() => arrived());
    const pending = fetch(started.url);
    await requestArrived;
    await started.close();
    await expect(pending).rejects.toThrow('fetch failed');
  });
});
