import { addCacheTag } from '../../../runtime/addcachetag';

const CONTEXT_SYMBOL = Symbol.for('@vercel/request-context');
const slot = globalThis as Record<symbol, unknown>;

describe('addCacheTag', () => {
  afterEach(() => {
    delete slot[CONTEXT_SYMBOL];
  });

  test('resolves undefined without doing anything when outside a request', async () => {
    await expect(addCacheTag('product-1')).resolves.toBeUndefined();
  });

  test('delegates to the context addCacheTag when the context has one', async () => {
    const received: unknown[] = [];
    slot[CONTEXT_SYMBOL] = {
      get: () => ({
        addCacheTag: async (tag: string | string[]) => {
          received.push(tag);
        },
      }),
    };
    await addCacheTag('a');
    await addCacheTag(['b', 'c']);
    expect(received).toEqual(['a', ['b', 'c']]);
  });

  test('passes a validation rejection through when the context rejects the tag', async () => {
    slot[CONTEXT_SYMBOL] = {
      get: () => ({ addCacheTag: () => Promise.reject(new Error('tag has a comma')) }),
    };
    await expect(addCacheTag('a,b')).rejects.toThrow('tag has a comma');
  });
});
