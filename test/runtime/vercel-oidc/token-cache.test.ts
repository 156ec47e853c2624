import { type ExpiringToken, ExpiringTokenCache } from '../../../runtime/vercel-oidc/token-cache';

// A fake clock and a fetcher that counts calls and hands out numbered tokens.
function setup(lifetimeMs = 300_000) {
  let now = 1_000_000;
  const refreshErrors: { error: unknown; validForMs: number }[] = [];
  const cache = new ExpiringTokenCache({
    now: () => now,
    onRefreshError: (error, validForMs) => refreshErrors.push({ error, validForMs }),
  });
  let calls = 0;
  const fetch = jest.fn(
    async (): Promise<ExpiringToken> => ({ token: `token-${++calls}`, expiresAt: now + lifetimeMs }),
  );
  return {
    cache,
    fetch,
    refreshErrors,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('ExpiringTokenCache', () => {
  test('reuses the token when it is asked again before the refresh margin', async () => {
    const { cache, fetch, advance } = setup();
    expect(await cache.get('aud', fetch)).toBe('token-1');
    advance(239_000); // 61 s left of 300 s: still outside the 60 s margin
    expect(await cache.get('aud', fetch)).toBe('token-1');
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  test('fetches a new token when less than the refresh margin is left, before it expires', async () => {
    const { cache, fetch, advance } = setup();
    await cache.get('aud', fetch);
    advance(241_000); // 59 s left: refresh although the token is still valid
    expect(await cache.get('aud', fetch)).toBe('token-2');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  test('scales the margin down to a fifth of the lifetime when tokens are short-lived', async () => {
    const { cache, fetch, advance } = setup(60_000);
    await cache.get('aud', fetch);
    advance(47_000); // 13 s left of 60 s; the margin is 12 s
    expect(await cache.get('aud', fetch)).toBe('token-1');
    advance(2_000); // 11 s left
    expect(await cache.get('aud', fetch)).toBe('token-2');
  });

  test('shares one fetch among concurrent callers when nothing is cached', async () => {
    const { cache, fetch } = setup();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get('aud', fetch)));
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  test('keeps one token per key when keys differ', async () => {
    const { cache, fetch } = setup();
    expect(await cache.get('a', fetch)).toBe('token-1');
    expect(await cache.get('b', fetch)).toBe('token-2');
    expect(await cache.get('a', fetch)).toBe('token-1');
  });

  test('does not cache a failure and rejects every waiting caller with it when the fetch fails', async () => {
    const { cache, fetch } = setup();
    const failing = jest.fn(async (): Promise<ExpiringToken> => {
      throw new Error('sts down');
    });
    const results = await Promise.allSettled([cache.get('aud', failing), cache.get('aud', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(await cache.get('aud', fetch)).toBe('token-1');
  });

  test('fetches anew and stores the result when skipCache is set', async () => {
    const { cache, fetch } = setup();
    await cache.get('aud', fetch);
    expect(await cache.get('aud', fetch, { skipCache: true })).toBe('token-2');
    expect(await cache.get('aud', fetch)).toBe('token-2');
  });

  test('refreshes earlier when minValidityMs asks for more remaining time than the margin', async () => {
    const { cache, fetch, advance } = setup();
    await cache.get('aud', fetch);
    advance(100_000); // 200 s left
    expect(await cache.get('aud', fetch, { minValidityMs: 150_000 })).toBe('token-1');
    expect(await cache.get('aud', fetch, { minValidityMs: 250_000 })).toBe('token-2');
  });

  test('evicts the least recently used key when over maxEntries', async () => {
    let n = 0;
    const cache = new ExpiringTokenCache({ maxEntries: 2 });
    const fetch = async () => ({ token: `t${++n}`, expiresAt: Date.now() + 300_000 });
    await cache.get('a', fetch);
    await cache.get('b', fetch);
    await cache.get('a', fetch); // a is now the most recent
    await cache.get('c', fetch); // evicts b
    expect(await cache.get('a', fetch)).toBe('t1');
    expect(await cache.get('b', fetch)).toBe('t4');
  });

  describe('when a refresh fails', () => {
    const throttled = () =>
      jest.fn(async (): Promise<ExpiringToken> => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
      });

    test('serves the cached token while it is still valid, and reports the failure once', async () => {
      const { cache, fetch, advance, refreshErrors } = setup();
      await cache.get('aud', fetch);
      advance(250_000); // 50 s left: inside the 60 s margin, so a refresh is due
      const failing = throttled();
      expect(await cache.get('aud', failing)).toBe('token-1');
      expect(failing).toHaveBeenCalledTimes(1);
      expect(refreshErrors).toEqual([
        { error: expect.objectContaining({ name: 'Throttling' }), validForMs: 50_000 },
      ]);
    });

    test('shares one refresh among concurrent callers and serves all of them the cached token', async () => {
      const { cache, fetch, advance } = setup();
      await cache.get('aud', fetch);
      advance(250_000);
      const failing = throttled();
      const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get('aud', failing)));
      expect(new Set(tokens)).toEqual(new Set(['token-1']));
      expect(failing).toHaveBeenCalledTimes(1);
    });

    test('waits refreshRetryDelayMs before trying again, then stores the new token', async () => {
      const { cache, fetch, advance, refreshErrors } = setup();
      await cache.get('aud', fetch);
      advance(250_000);
      const failing = throttled();
      await cache.get('aud', failing);
      advance(4_000); // within the 5 s back-off: no STS call
      expect(await cache.get('aud', failing)).toBe('token-1');
      expect(failing).toHaveBeenCalledTimes(1);
      advance(1_000); // back-off over: the next caller refreshes, and fails again
      expect(await cache.get('aud', failing)).toBe('token-1');
      expect(failing).toHaveBeenCalledTimes(2);
      expect(refreshErrors.map((e) => e.validForMs)).toEqual([50_000, 45_000]);
      advance(5_000); // STS is back
      expect(await cache.get('aud', fetch)).toBe('token-2');
      advance(100_000); // the new token is fresh: no back-off left over from the failures
      expect(await cache.get('aud', failing)).toBe('token-2');
      expect(failing).toHaveBeenCalledTimes(2);
    });

    test('throws once the cached token has expired', async () => {
      const { cache, fetch, advance } = setup();
      await cache.get('aud', fetch);
      advance(250_000);
      const failing = throttled();
      await cache.get('aud', failing);
      advance(50_000); // expired now
      await expect(cache.get('aud', failing)).rejects.toThrow('Rate exceeded');
      expect(failing).toHaveBeenCalledTimes(2);
    });

    test("throws when the cached token has less left than the caller's minValidityMs", async () => {
      const { cache, fetch, advance } = setup();
      await cache.get('aud', fetch);
      advance(250_000); // 50 s left
      const failing = throttled();
      expect(await cache.get('aud', failing, { minValidityMs: 40_000 })).toBe('token-1');
      // The back-off does not hold back a caller the cached token cannot serve.
      await expect(cache.get('aud', failing, { minValidityMs: 55_000 })).rejects.toThrow('Rate exceeded');
      expect(failing).toHaveBeenCalledTimes(2);
    });

    test('throws to a skipCache caller, who asked for a new token, without a warning or a back-off', async () => {
      const { cache, fetch, advance, refreshErrors } = setup();
      await cache.get('aud', fetch);
      advance(250_000);
      await expect(cache.get('aud', throttled(), { skipCache: true })).rejects.toThrow('Rate exceeded');
      expect(refreshErrors).toEqual([]);
      // Past the refresh margin, the next caller refreshes at once.
      expect(await cache.get('aud', fetch)).toBe('token-2');
    });

    test('keeps serving a fresh cached token after a skipCache failure, and refreshes it on time', async () => {
      const { cache, fetch, advance, refreshErrors } = setup(3_600_000);
      await cache.get('k', fetch);
      await expect(
        cache.get('k', () => Promise.reject(new Error('sts down')), { skipCache: true }),
      ).rejects.toThrow('sts down');
      expect(refreshErrors).toEqual([]);
      expect(await cache.get('k', fetch)).toBe('token-1');
      advance(3_541_000); // 59 s left: inside the refresh margin, and no back-off holds it back
      expect(await cache.get('k', fetch)).toBe('token-2');
      expect(fetch).toHaveBeenCalledTimes(2);
    });

    test('warns on the console by default, naming the error and how long the cached token lasts', async () => {
      let now = 0;
      const cache = new ExpiringTokenCache({ now: () => now });
      await cache.get('aud', async () => ({ token: 't1', expiresAt: now + 300_000 }));
      now += 250_000;
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        expect(await cache.get('aud', throttled())).toBe('t1');
        expect(warn).toHaveBeenCalledTimes(1);
        expect(warn.mock.calls[0][0]).toMatch(
          /refreshing a cached OIDC token failed.*50 s more.*Throttling: Rate exceeded/,
        );
      } finally {
        warn.mockRestore();
      }
    });
  });
});
