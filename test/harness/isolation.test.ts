import * as path from 'node:path';
import { type LocalFunction, startLocalFunction } from './local-function';

// Lambda Managed Instances: one process (here two worker threads) serves many invocations at once.
// Per-request state must stay with its request across awaits and into waitUntil work.

const INVOCATIONS = 200;
const MAX_CONCURRENCY = 64;

let fn: LocalFunction;

beforeAll(async () => {
  fn = await startLocalFunction({
    entry: path.join(__dirname, 'fixtures', 'spine.ts'),
    maxConcurrency: MAX_CONCURRENCY,
    workerCount: 2,
  });
});
afterAll(async () => {
  await fn?.stop();
});

interface IsolationBody {
  id: string;
  seenBefore?: string;
  seenAfter?: string;
}

describe('isolation under AWS_LAMBDA_MAX_CONCURRENCY', () => {
  test('no request sees another request headers or waitUntil work when 200 run interleaved', async () => {
    const ids = Array.from({ length: INVOCATIONS }, (_, i) => `req-${i}`);
    const responses = await Promise.all(
      ids.map(async (id) => {
        const response = await fetch(`${fn.url}/isolation`, { headers: { 'x-test-id': id } });
        return {
          id,
          status: response.status,
          echo: response.headers.get('x-echo-id'),
          requestId: response.headers.get('x-amzn-requestid')!,
          body: (await response.json()) as IsolationBody,
        };
      }),
    );

    for (const response of responses) {
      expect(response).toMatchObject({
        status: 200,
        echo: response.id,
        body: { id: response.id, seenBefore: response.id, seenAfter: response.id },
      });
    }

    // The runtime really ran them side by side: more than one invocation was in flight at a time.
    const invocations = responses.map((response) => fn.runtimeApi.invocation(response.requestId)!);
    const overlapping = invocations.filter((a) =>
      invocations.some(
        (b) => a !== b && b.dispatchedAt! < a.respondedAt! && a.dispatchedAt! < b.respondedAt!,
      ),
    );
    expect(overlapping.length).toBeGreaterThan(INVOCATIONS / 2);

    // Each waitUntil task saw its own request, and the runtime logged it under that request's id.
    const requestIdOf = new Map(responses.map((response) => [response.id, response.requestId]));
    await Promise.all(ids.map((id) => fn.runtime.waitForLog(`isolation task ${id} saw`, 10_000)));
    // Managed Instances log JSON lines that carry the request id.
    const taskLines = fn.logs
      .filter((line) => line.text.includes('isolation task'))
      .map((line) => JSON.parse(line.text) as { requestId: string; message: string });
    expect(taskLines).toHaveLength(INVOCATIONS);
    for (const { requestId, message } of taskLines) {
      const [, id, seen] = /^isolation task (\S+) saw (\S+)$/.exec(message)!;
      expect(seen).toBe(id);
      expect(requestId).toBe(requestIdOf.get(id));
    }
  });
});
