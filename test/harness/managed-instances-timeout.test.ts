import * as path from 'node:path';
import { functionUrlEvent } from './events';
import { type LocalFunction, startLocalFunction } from './local-function';
import { FunctionError } from './runtime-api';

// Lambda Managed Instances do not stop an invocation at its timeout: the adapter must stop a response
// still being sent by then (drainSafetyMarginMs, 500 ms, before the deadline). Without that, a body
// that never ends kept the invocation, and the worker's one connection to the Runtime API that every
// later streamed response queues behind, forever.

const TIMEOUT_MS = 1_500;

let fn: LocalFunction;

beforeAll(async () => {
  fn = await startLocalFunction({
    entry: path.join(__dirname, 'fixtures', 'endless-stream.ts'),
    timeoutMs: TIMEOUT_MS,
    maxConcurrency: 4,
  });
});
afterAll(async () => {
  await fn?.stop();
});

describe('a response still streaming at the timeout on Managed Instances', () => {
  test('fails the stream with error trailers, logs the timeout and cancels the body', async () => {
    const stalled = fn.invoke(functionUrlEvent({ rawPath: '/stalled' }));
    // The function's own error, as the runtime reports it when the handler rejects with the stream open.
    const error = await stalled.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(FunctionError);
    expect((error as FunctionError).errorType).toBe('ResponseBodyError');
    await fn.runtime.waitForLog(
      /InvocationTimeoutError: The response was unfinished at the invocation timeout/,
    );
    await expect(fn.invoke(functionUrlEvent({ rawPath: '/cancelled' }))).resolves.toMatchObject({
      statusCode: 200,
      body: Buffer.from('1'),
    });
  });

  test('lets a streamed response queued behind the stalled one through', async () => {
    const stalled = fn.invoke(functionUrlEvent({ rawPath: '/stalled' })).catch((reason: unknown) => reason);
    const queued = fn.invoke(functionUrlEvent({ rawPath: '/quick' }));
    await expect(queued).resolves.toMatchObject({ statusCode: 200, body: Buffer.from('quick') });
    expect(await stalled).toBeInstanceOf(FunctionError);
  });

  test('aborts the client connection of a viewer still reading at the timeout', async () => {
    const response = await fetch(`${fn.url}/stalled`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});
