import { drainWaitUntil, openRequestContext } from '../../../runtime/handler/invocation';
import { invocationsInProgress } from '../../../runtime/handler/invocation-count';
import { contextServices } from '../../../runtime/handler/service-registry';
import { fakeContext } from './fake-lambda';

describe('invocationsInProgress', () => {
  test('counts an invocation from its request context to the end of its drain when no hook is registered', async () => {
    // Without attachDatabasePool nothing registers hooks, and the adapter still counts: a pool
    // attached in the middle of an invocation must see it running.
    expect(contextServices().invocationHooks).toBeUndefined();
    const lambdaContext = fakeContext('req-count');
    const requestContext = openRequestContext('req-count', {}, lambdaContext);
    // No start hook to wait for: the context comes synchronously, at no extra await.
    if (requestContext instanceof Promise) throw new Error('expected the request context synchronously');
    expect(invocationsInProgress()).toBe(1);
    let finished = false;
    requestContext.awaiter.waitUntil(
      new Promise((resolve) => setTimeout(resolve, 20)).then(() => {
        finished = true;
      }),
    );
    await drainWaitUntil(requestContext, lambdaContext, 0);
    expect(finished).toBe(true);
    expect(invocationsInProgress()).toBe(0);
  });

  test('never goes below zero when an invocation ends twice', async () => {
    const lambdaContext = fakeContext('req-twice');
    const requestContext = await openRequestContext('req-twice', {}, lambdaContext);
    await drainWaitUntil(requestContext, lambdaContext, 0);
    await drainWaitUntil(requestContext, lambdaContext, 0);
    expect(invocationsInProgress()).toBe(0);
  });
});
