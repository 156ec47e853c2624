import { Awaiter } from '../../../runtime/handler/awaiter';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Awaiter', () => {
  test('drain waits for every promise, including ones added while draining', async () => {
    const awaiter = new Awaiter(() => {});
    const done: string[] = [];
    awaiter.waitUntil(
      sleep(20).then(() => {
        done.push('first');
        awaiter.waitUntil(sleep(20).then(() => done.push('added while draining')));
      }),
    );
    const result = await awaiter.drain(5_000);
    expect(done).toEqual(['first', 'added while draining']);
    expect(result).toEqual({ settled: 2, abandoned: 0 });
  });

  test('reports rejections to the handler and never rethrows them', async () => {
    const rejections: unknown[] = [];
    const awaiter = new Awaiter((reason) => rejections.push(reason));
    const boom = new Error('boom');
    awaiter.waitUntil(Promise.reject(boom));
    await expect(awaiter.drain(1_000)).resolves.toEqual({ settled: 1, abandoned: 0 });
    expect(rejections).toEqual([boom]);
  });

  test('stops at the budget and counts what is still running as abandoned', async () => {
    const awaiter = new Awaiter(() => {});
    awaiter.waitUntil(sleep(10));
    awaiter.waitUntil(new Promise(() => {}));
    const started = Date.now();
    const result = await awaiter.drain(100);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toEqual({ settled: 1, abandoned: 1 });
  });

  test('accepts thenables that are not native promises', async () => {
    const awaiter = new Awaiter(() => {});
    let ran = false;
    awaiter.waitUntil({
      // biome-ignore lint/suspicious/noThenProperty: the point of the test is a bare thenable
      then(resolve: (value: unknown) => void) {
        ran = true;
        resolve(1);
      },
    } as PromiseLike<unknown>);
    await awaiter.drain(1_000);
    expect(ran).toBe(true);
  });
});
