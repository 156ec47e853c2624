import { pendingCleanups, registerCleanup, runCleanups } from '../../bench/cleanup';

describe('cleanup registry', () => {
  test('runs what is still registered, newest first and once, reporting failures without throwing', async () => {
    const ran: string[] = [];
    const errors: unknown[] = [];
    registerCleanup(() => {
      ran.push('workspace');
    });
    const unregister = registerCleanup(() => {
      ran.push('cleaned up by its owner');
    });
    registerCleanup(() => {
      throw new Error('runtime already gone');
    });
    registerCleanup(async () => {
      ran.push('function');
    });
    unregister();
    await runCleanups((error) => errors.push(error));
    expect(ran).toEqual(['function', 'workspace']);
    expect(errors).toEqual([new Error('runtime already gone')]);
    expect(pendingCleanups()).toBe(0);
    await runCleanups((error) => errors.push(error));
    expect(ran).toHaveLength(2);
  });

  test('stops waiting for a cleanup that hangs after the timeout, and says so', async () => {
    const errors: unknown[] = [];
    registerCleanup(() => new Promise<void>(() => {}));
    await runCleanups((error) => errors.push(error), 20);
    expect(errors).toEqual([new Error('cleanup did not finish within 20 ms')]);
  });
});
