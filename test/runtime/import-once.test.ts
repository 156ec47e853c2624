import { importOnce } from '../../runtime/import-once';

describe('importOnce', () => {
  test('loads the module once when called many times, concurrently or not', async () => {
    const load = jest.fn(async () => ({ name: 'module' }));
    const loadModule = importOnce(load);
    const [first, second] = await Promise.all([loadModule(), loadModule()]);
    const third = await loadModule();
    expect(load).toHaveBeenCalledTimes(1);
    expect(first).toBe(second);
    expect(third).toBe(first);
  });

  test('tries again after a failed import, and keeps the module once one succeeds', async () => {
    const load = jest
      .fn<Promise<{ name: string }>, []>()
      .mockRejectedValueOnce(new Error("Cannot find module '@aws-sdk/client-sts'"))
      .mockResolvedValue({ name: 'module' });
    const loadModule = importOnce(load);
    await expect(loadModule()).rejects.toThrow("Cannot find module '@aws-sdk/client-sts'");
    await expect(loadModule()).resolves.toEqual({ name: 'module' });
    await loadModule();
    expect(load).toHaveBeenCalledTimes(2);
  });
});
