import {
  dangerouslyDeleteBySrcImage,
  dangerouslyDeleteByTag,
  invalidateBySrcImage,
  invalidateByTag,
} from '../../../runtime/purge';
import type { PurgeApi } from '../../../runtime/purge/types';

const CONTEXT_SYMBOL = Symbol.for('@vercel/request-context');
const slot = globalThis as Record<symbol, unknown>;

describe('purge', () => {
  afterEach(() => {
    delete slot[CONTEXT_SYMBOL];
  });

  test('resolves undefined without doing anything when outside a request', async () => {
    await expect(invalidateByTag('a')).resolves.toBeUndefined();
    await expect(
      dangerouslyDeleteByTag(['a', 'b'], { revalidationDeadlineSeconds: 5 }),
    ).resolves.toBeUndefined();
    await expect(invalidateBySrcImage('/img.png')).resolves.toBeUndefined();
    await expect(dangerouslyDeleteBySrcImage('/img.png')).resolves.toBeUndefined();
  });

  test('delegates each call with its arguments when the context has a purge API', async () => {
    const calls: unknown[][] = [];
    const record =
      (name: string) =>
      async (...args: unknown[]) => {
        calls.push([name, ...args]);
      };
    const purge: PurgeApi = {
      invalidateByTag: record('invalidateByTag'),
      dangerouslyDeleteByTag: record('dangerouslyDeleteByTag'),
      invalidateBySrcImage: record('invalidateBySrcImage'),
      dangerouslyDeleteBySrcImage: record('dangerouslyDeleteBySrcImage'),
    };
    slot[CONTEXT_SYMBOL] = { get: () => ({ purge }) };
    await invalidateByTag(['a', 'b']);
    await dangerouslyDeleteByTag('c', { revalidationDeadlineSeconds: 10 });
    await invalidateBySrcImage('/img.png');
    await dangerouslyDeleteBySrcImage(['/a.png'], undefined);
    expect(calls).toEqual([
      ['invalidateByTag', ['a', 'b']],
      ['dangerouslyDeleteByTag', 'c', { revalidationDeadlineSeconds: 10 }],
      ['invalidateBySrcImage', '/img.png'],
      ['dangerouslyDeleteBySrcImage', ['/a.png'], undefined],
    ]);
  });

  test('passes a rejection of the purge API through when the call fails', async () => {
    const failure = new Error('throttled');
    slot[CONTEXT_SYMBOL] = { get: () => ({ purge: { invalidateByTag: () => Promise.reject(failure) } }) };
    await expect(invalidateByTag('a')).rejects.toBe(failure);
  });
});
