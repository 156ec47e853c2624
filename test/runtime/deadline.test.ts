import { getDeadline } from '../../runtime/deadline';
import { Awaiter } from '../../runtime/handler/awaiter';
import { RequestContext, runWithRequestContext } from '../../runtime/handler/request-context';

const CONTEXT_SYMBOL = Symbol.for('@vercel/request-context');
const slot = globalThis as Record<symbol, unknown>;

describe('getDeadline', () => {
  afterEach(() => {
    delete slot[CONTEXT_SYMBOL];
  });

  test('returns undefined when outside a request', () => {
    expect(getDeadline()).toBeUndefined();
  });

  test('returns the invocation deadline when inside a request', () => {
    const deadline = Date.UTC(2026, 10, 27, 12, 0, 0, 250);
    const context = new RequestContext({
      requestId: 'req-1',
      headers: {},
      deadline,
      awaiter: new Awaiter(() => {}),
    });
    const result = runWithRequestContext(context, () => getDeadline());
    expect(result).toBeInstanceOf(Date);
    expect(result?.getTime()).toBe(deadline);
  });

  test('returns undefined when the context deadline is not a date', () => {
    slot[CONTEXT_SYMBOL] = { get: () => ({ deadline: 'not a date' }) };
    expect(getDeadline()).toBeUndefined();
  });
});
