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
    const abandoned = await awaiter.drain(5_000);
    expect(done).toEqual(['first', 'added while draining']);
    expect(abandoned).toBe(0);
  });

  test('reports rejections to the handler and never rethrows them', async () => {
    const rejections: unknown[] = [];
    const awaiter = new Awaiter((reason) => rejections.push(reason));
    const boom = new Error('boom');
    awaiter.waitUntil(Promise.reject(boom));
    await expect(awaiter.drain(1_000)).resolves.toBe(0);
    expect(rejections).toEqual([boom]);
  });

  test('stops at the budget and counts what is still running as abandoned', async () => {
    const awaiter = new Awaiter(() => {});
    awaiter.waitUntil(sleep(10));
    awaiter.waitUntil(new Promise(() => {}));
    const started = Date.now();
    const abandoned = await awaiter.drain(100);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(abandoned).toBe(1);
    expect(awaiter.size).toBe(1);
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

  test('reports a waitUntil() after the drain finished to onLate and does not await it', async () => {
    const late: number[] = [];
    const awaiter = new Awaiter(
      () => {},
      () => late.push(awaiter.size),
    );
    awaiter.waitUntil(sleep(5));
    await awaiter.drain(1_000);
    let settled = false;
    awaiter.waitUntil(sleep(20).then(() => (settled = true)));
    expect(late).toEqual([0]);
    expect(awaiter.size).toBe(0);
    await expect(awaiter.drain(1_000)).resolves.toBe(0);
    expect(settled).toBe(false);
  });

  test('reports a late promise that rejects to onRejection instead of leaving it unhandled', async () => {
    const rejections: unknown[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const awaiter = new Awaiter((reason) => rejections.push(reason));
      awaiter.close();
      const boom = new Error('late boom');
      awaiter.waitUntil(Promise.reject(boom));
      await sleep(20);
      expect(rejections).toEqual([boom]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('treats a waitUntil() as late once a drain that ran out of time has returned', async () => {
    let late = 0;
    const awaiter = new Awaiter(
      () => {},
      () => late++,
    );
    awaiter.waitUntil(new Promise(() => {}));
    await expect(awaiter.drain(10)).resolves.toBe(1);
    awaiter.waitUntil(Promise.resolve());
    expect(late).toBe(1);
  });
});
