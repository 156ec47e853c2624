import { Awaiter } from '../../runtime/handler/awaiter';
import { RequestContext, runWithRequestContext } from '../../runtime/handler/request-context';
import { waitUntil } from '../../runtime/wait-until';

const CONTEXT_SYMBOL = Symbol.for('@vercel/request-context');
const slot = globalThis as Record<symbol, unknown>;

function requestContext(awaiter: Awaiter): RequestContext {
  return new RequestContext({ requestId: 'req-1', headers: {}, deadline: Date.now() + 10_000, awaiter });
}

describe('waitUntil', () => {
  afterEach(() => {
    delete slot[CONTEXT_SYMBOL];
  });

  test.each([
    ['{}', {}, 'object'],
    ['an arrow function', () => {}, 'function'],
    ['a function', function named() {}, 'function'],
    ['NaN', Number.NaN, 'number'],
    ['1', 1, 'number'],
    ['false', false, 'boolean'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'object'],
    ['[]', [], 'object'],
    ["'▲'", '▲', 'string'],
  ])('throws a TypeError naming the type when called with %s', (_label, value, type) => {
    const call = () => waitUntil(value as unknown as Promise<unknown>);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(`waitUntil can only be called with a Promise, got ${type}`);
  });

  test.each([
    ['null', null],
    ['undefined', undefined],
    ['{}', {}],
    ['a holder whose get() returns undefined', { get: () => undefined }],
  ])('does not throw when the context holder is %s', (_label, holder) => {
    slot[CONTEXT_SYMBOL] = holder;
    expect(() => waitUntil(Promise.resolve())).not.toThrow();
  });

  test('is a silent no-op outside a request', () => {
    expect(waitUntil(Promise.resolve('x'))).toBeUndefined();
  });

  test('hands the promise to the request context awaiter when inside a request', async () => {
    const awaiter = new Awaiter(() => {});
    let done = false;
    runWithRequestContext(requestContext(awaiter), () => {
      waitUntil(new Promise((resolve) => setTimeout(resolve, 10)).then(() => (done = true)));
    });
    expect(awaiter.size).toBe(1);
    await awaiter.drain(1_000);
    expect(done).toBe(true);
  });

  test('calls the host context waitUntil with the same promise when a host provides one', () => {
    const received: unknown[] = [];
    slot[CONTEXT_SYMBOL] = { get: () => ({ waitUntil: (p: unknown) => received.push(p) }) };
    const promise = Promise.resolve();
    waitUntil(promise);
    expect(received).toEqual([promise]);
    expect(received[0]).toBe(promise);
  });

  test('accepts a thenable that is not a native promise', () => {
    const received: unknown[] = [];
    slot[CONTEXT_SYMBOL] = { get: () => ({ waitUntil: (p: unknown) => received.push(p) }) };
    // biome-ignore lint/suspicious/noThenProperty: the point of the test is a bare thenable
    const thenable = { then: (resolve: (v: unknown) => void) => resolve(1) };
    waitUntil(thenable as unknown as Promise<unknown>);
    expect(received).toEqual([thenable]);
  });
});
