import { drainWaitUntil, openRequestContext } from '../../../runtime/handler/invocation';
import {
  invocationsInProgress,
  onInvocationEnd,
  onInvocationStart,
  runInvocationEndHooks,
  runInvocationStartHooks,
} from '../../../runtime/handler/invocation-hooks';
import { fakeContext } from './fake-lambda';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('invocation hooks', () => {
  const unregister: (() => void)[] = [];
  let errors: jest.SpyInstance;
  let warnings: jest.SpyInstance;
  beforeEach(() => {
    errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(async () => {
    for (const off of unregister.splice(0)) off();
    // Leave the process-wide counter as found.
    while (invocationsInProgress() > 0) await runInvocationEndHooks('cleanup', 0);
    errors.mockRestore();
    warnings.mockRestore();
  });

  test('runs start hooks with the request id and counts the invocation as in progress until its end', async () => {
    const seen: string[] = [];
    unregister.push(onInvocationStart(({ requestId }) => void seen.push(requestId)));
    runInvocationStartHooks('req-1');
    expect(seen).toEqual(['req-1']);
    expect(invocationsInProgress()).toBe(1);
    await runInvocationEndHooks('req-1', 1_000);
    expect(invocationsInProgress()).toBe(0);
  });

  test('logs a throwing start hook with the request id and still runs the others', () => {
    const ran: string[] = [];
    unregister.push(
      onInvocationStart(() => {
        throw new Error('start failed');
      }),
      onInvocationStart(() => void ran.push('second')),
    );
    expect(() => runInvocationStartHooks('req-2')).not.toThrow();
    expect(ran).toEqual(['second']);
    expect(errors).toHaveBeenCalledWith(
      expect.stringContaining('An invocation start hook failed (request req-2)'),
      expect.objectContaining({ message: 'start failed' }),
    );
  });

  test('runs end hooks concurrently with the remaining budget and waits for them', async () => {
    const events: string[] = [];
    unregister.push(
      onInvocationEnd(async ({ budgetMs }) => {
        events.push(`a starts with ${budgetMs}`);
        await sleep(30);
        events.push('a done');
      }),
      onInvocationEnd(async () => {
        events.push('b starts');
        await sleep(10);
        events.push('b done');
      }),
    );
    runInvocationStartHooks('req-3');
    await runInvocationEndHooks('req-3', 5_000);
    expect(events).toEqual(['a starts with 5000', 'b starts', 'b done', 'a done']);
  });

  test('logs a failing end hook and never throws', async () => {
    unregister.push(
      onInvocationEnd(async () => {
        throw new Error('end failed');
      }),
    );
    runInvocationStartHooks('req-4');
    await expect(runInvocationEndHooks('req-4', 1_000)).resolves.toBeUndefined();
    expect(errors).toHaveBeenCalledWith(
      expect.stringContaining('An invocation end hook failed (request req-4)'),
      expect.objectContaining({ message: 'end failed' }),
    );
  });

  test('abandons end hooks still running when the budget runs out, with a warning', async () => {
    unregister.push(onInvocationEnd(() => new Promise(() => {})));
    runInvocationStartHooks('req-5');
    await runInvocationEndHooks('req-5', 50);
    expect(warnings).toHaveBeenCalledWith(
      expect.stringContaining(
        'Invocation end hooks still running after 50 ms were abandoned (request req-5)',
      ),
    );
  });

  test('treats a negative budget as none left', async () => {
    const budgets: number[] = [];
    unregister.push(onInvocationEnd(({ budgetMs }) => void budgets.push(budgetMs)));
    runInvocationStartHooks('req-6');
    await runInvocationEndHooks('req-6', -200);
    expect(budgets).toEqual([0]);
  });

  test('stops calling a hook once it is unregistered', async () => {
    let calls = 0;
    const off = onInvocationEnd(() => {
      calls++;
    });
    runInvocationStartHooks('req-7');
    await runInvocationEndHooks('req-7', 1_000);
    off();
    runInvocationStartHooks('req-8');
    await runInvocationEndHooks('req-8', 1_000);
    expect(calls).toBe(1);
  });

  test("hands the adapter the request context only once a start hook's promise has resolved, logging a rejection", async () => {
    let resolveWait: () => void = () => {};
    unregister.push(
      onInvocationStart(
        () =>
          new Promise<void>((resolve) => {
            resolveWait = resolve;
          }),
      ),
      onInvocationStart(() => Promise.reject(new Error('reopen failed'))),
    );
    const lambdaContext = fakeContext('req-wait');
    const opened = openRequestContext('req-wait', {}, lambdaContext);
    if (!(opened instanceof Promise)) throw new Error('expected a promise of the request context');
    let resolved = false;
    const requestContext = opened.then((context) => {
      resolved = true;
      return context;
    });
    await sleep(5);
    expect(resolved).toBe(false);
    resolveWait();
    expect((await requestContext).requestId).toBe('req-wait');
    expect(errors).toHaveBeenCalledWith(
      expect.stringContaining('An invocation start hook failed (request req-wait)'),
      expect.objectContaining({ message: 'reopen failed' }),
    );
    await drainWaitUntil(await requestContext, lambdaContext, 0);
  });

  test('runs the hooks around an invocation the adapter opens and drains, with its request id', async () => {
    // The adapter reaches the hooks through the service registry the first registration fills.
    const seen: string[] = [];
    unregister.push(onInvocationStart(({ requestId }) => void seen.push(`start ${requestId}`)));
    unregister.push(onInvocationEnd(({ requestId }) => void seen.push(`end ${requestId}`)));
    const lambdaContext = fakeContext('req-adapter');
    const requestContext = openRequestContext('req-adapter', {}, lambdaContext);
    // No hook returned anything to wait for: the context comes synchronously.
    if (requestContext instanceof Promise) throw new Error('expected the request context synchronously');
    expect(seen).toEqual(['start req-adapter']);
    await drainWaitUntil(requestContext, lambdaContext, 0);
    expect(seen).toEqual(['start req-adapter', 'end req-adapter']);
  });
});
