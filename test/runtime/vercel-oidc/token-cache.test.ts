import { Awaiter } from '../../../runtime/handler/awaiter';
import { RequestContext, runWithRequestContext } from '../../../runtime/handler/request-context';
import { type ExpiringToken, ExpiringTokenCache } from '../../../runtime/vercel-oidc/token-cache';

/** A promise settled from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// A fake clock, a fetcher that counts calls and hands out numbered tokens, and the background
// refreshes the cache hands to `waitUntil`, to await them as the adapter does after the response.
function setup(lifetimeMs = 300_000) {
  let now = 1_000_000;
  const refreshErrors: { error: unknown; validForMs: number }[] = [];
  const background: Promise<unknown>[] = [];
  const cache = new ExpiringTokenCache({
    now: () => now,
    onRefreshError: (error, validForMs) => refreshErrors.push({ error, validForMs }),
    waitUntil: (promise) => background.push(promise),
  });
  let calls = 0;
  const fetch = jest.fn(
    async (): Promise<ExpiringToken> => ({ token: `token-${++calls}`, expiresAt: now + lifetimeMs }),
  );
  return {
    cache,
    fetch,
    refreshErrors,
    background,
    advance: (ms: number) => {
      now += ms;
    },
    /** Waits for the background refreshes started so far. */
    settle: () => Promise.all(background.splice(0)),
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

  test('refreshes in the background when less than the refresh margin is left, before it expires', async () => {
    const { cache, fetch, advance, settle } = setup();
    await cache.get('aud', fetch);
    advance(241_000); // 59 s left: refresh although the token is still valid
    expect(await cache.get('aud', fetch)).toBe('token-1');
    await settle();
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(await cache.get('aud', fetch)).toBe('token-2');
  });

  test('returns the still-valid cached token at once, without waiting for the refresh it starts', async () => {
    const { cache, fetch, advance, background } = setup();
    await cache.get('aud', fetch);
    advance(250_000); // 50 s left: a refresh is due
    const slow = deferred<ExpiringToken>();
    const refresh = jest.fn(() => slow.promise);
    // The refresh never settles during this race: a caller waiting for it would lose to the timer.
    const first = await Promise.race([
      cache.get('aud', refresh),
      new Promise((resolve) => setImmediate(() => resolve('held up by the refresh'))),
    ]);
    expect(first).toBe('token-1');
    expect(await cache.get('aud', refresh)).toBe('token-1');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(background).toHaveLength(1);
    slow.resolve({ token: 'token-new', expiresAt: 1_000_000 + 600_000 });
    await Promise.all(background);
    expect(await cache.get('aud', fetch)).toBe('token-new');
  });

  test("hands the background refresh to the request's waitUntil by default, so Lambda does not freeze it midway", async () => {
    let now = 0;
    const cache = new ExpiringTokenCache({ now: () => now });
    await cache.get('aud', async () => ({ token: 't1', expiresAt: now + 300_000 }));
    now += 250_000; // 50 s left: a refresh is due
    const awaiter = new Awaiter(() => {});
    const context = new RequestContext({
      requestId: 'r',
      headers: {},
      deadline: Date.now() + 10_000,
      awaiter,
    });
    const token = await runWithRequestContext(context, () =>
      cache.get('aud', async () => ({ token: 't2', expiresAt: now + 300_000 })),
    );
    expect(token).toBe('t1');
    expect(awaiter.size).toBe(1);
    expect(await awaiter.drain(1_000)).toBe(0);
    expect(await cache.get('aud', () => Promise.reject(new Error('not called')))).toBe('t2');
  });

  test('scales the margin down to a fifth of the lifetime when tokens are short-lived', async () => {
    const { cache, fetch, advance, settle } = setup(60_000);
    await cache.get('aud', fetch);
    advance(47_000); // 13 s left of 60 s; the margin is 12 s
    expect(await cache.get('aud', fetch)).toBe('token-1');
    await settle();
    expect(fetch).toHaveBeenCalledTimes(1);
    advance(2_000); // 11 s left
    await cache.get('aud', fetch);
    await settle();
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
      const { cache, fetch, advance, refreshErrors, settle } = setup();
      await cache.get('aud', fetch);
      advance(250_000); // 50 s left: inside the 60 s margin, so a refresh is due
      const failing = throttled();
      expect(await cache.get('aud', failing)).toBe('token-1');
      await settle();
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
      const { cache, fetch, advance, refreshErrors, settle } = setup();
      await cache.get('aud', fetch);
      advance(250_000);
      const failing = throttled();
      await cache.get('aud', failing);
      await settle();
      advance(4_000); // within the 5 s back-off: no STS call
      expect(await cache.get('aud', failing)).toBe('token-1');
      await settle();
      expect(failing).toHaveBeenCalledTimes(1);
      advance(1_000); // back-off over: the next caller refreshes, and fails again
      expect(await cache.get('aud', failing)).toBe('token-1');
      await settle();
      expect(failing).toHaveBeenCalledTimes(2);
      expect(refreshErrors.map((e) => e.validForMs)).toEqual([50_000, 45_000]);
      advance(5_000); // STS is back
      expect(await cache.get('aud', fetch)).toBe('token-1');
      await settle();
      expect(await cache.get('aud', fetch)).toBe('token-2');
      advance(100_000); // the new token is fresh: no back-off left over from the failures
      expect(await cache.get('aud', failing)).toBe('token-2');
      expect(failing).toHaveBeenCalledTimes(2);
    });

    test('throws once the cached token has expired', async () => {
      const { cache, fetch, advance, settle } = setup();
      await cache.get('aud', fetch);
      advance(250_000);
      const failing = throttled();
      await cache.get('aud', failing);
      await settle();
      advance(50_000); // expired now
      await expect(cache.get('aud', failing)).rejects.toThrow('Rate exceeded');
      expect(failing).toHaveBeenCalledTimes(2);
    });

    test("throws when the cached token has less left than the caller's minValidityMs", async () => {
      const { cache, fetch, advance, settle } = setup();
      await cache.get('aud', fetch);
      advance(250_000); // 50 s left
      const failing = throttled();
      expect(await cache.get('aud', failing, { minValidityMs: 40_000 })).toBe('token-1');
      await settle();
      // The back-off does not hold back a caller the cached token cannot serve.
      await expect(cache.get('aud', failing, { minValidityMs: 55_000 })).rejects.toThrow('Rate exceeded');
      expect(failing).toHaveBeenCalledTimes(2);
    });

    test('rejects a caller the cached token cannot serve with the error of the background refresh it joined', async () => {
      const { cache, fetch, advance, refreshErrors, settle } = setup();
      await cache.get('aud', fetch);
      advance(250_000); // 50 s left
      const slow = deferred<ExpiringToken>();
      const refresh = jest.fn(() => slow.promise);
      expect(await cache.get('aud', refresh)).toBe('token-1');
      const needsNew = cache.get('aud', refresh, { minValidityMs: 55_000 });
      slow.reject(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
      await expect(needsNew).rejects.toThrow('Rate exceeded');
      await settle();
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(refreshErrors).toHaveLength(1);
    });

    test('logs the error of a background refresh that failed after the token expired; the next caller fetches afresh', async () => {
      const { cache, fetch, advance, refreshErrors, settle } = setup(60_000);
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
      await cache.get('aud', fetch);
      advance(50_000); // 10 s left: a refresh is due
      const slow = deferred<ExpiringToken>();
      expect(await cache.get('aud', () => slow.promise)).toBe('token-1');
      advance(15_000); // the refresh outlasts the token, and nobody is waiting for it
      slow.reject(new Error('connect ETIMEDOUT'));
      await settle();
      expect(refreshErrors).toEqual([]);
      // Not lost: logged; and not handed to a later caller, for whom it may be long out of date.
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining(
          'refreshing a cached OIDC token failed after it expired; the next call fetches a new one: Error: connect ETIMEDOUT',
        ),
      );
      expect(await cache.get('aud', fetch)).toBe('token-2');
      expect(fetch).toHaveBeenCalledTimes(2);
      warn.mockRestore();
    });

    test('throws to a skipCache caller, who asked for a new token, without a warning or a back-off', async () => {
      const { cache, fetch, advance, refreshErrors, settle } = setup();
      await cache.get('aud', fetch);
      advance(250_000);
      await expect(cache.get('aud', throttled(), { skipCache: true })).rejects.toThrow('Rate exceeded');
      expect(refreshErrors).toEqual([]);
      // Past the refresh margin, the next caller starts a refresh at once.
      expect(await cache.get('aud', fetch)).toBe('token-1');
      await settle();
      expect(await cache.get('aud', fetch)).toBe('token-2');
    });

    test('keeps serving a fresh cached token after a skipCache failure, and refreshes it on time', async () => {
      const { cache, fetch, advance, refreshErrors, settle } = setup(3_600_000);
      await cache.get('k', fetch);
      await expect(
        cache.get('k', () => Promise.reject(new Error('sts down')), { skipCache: true }),
      ).rejects.toThrow('sts down');
      expect(refreshErrors).toEqual([]);
      expect(await cache.get('k', fetch)).toBe('token-1');
      advance(3_541_000); // 59 s left: inside the refresh margin, and no back-off holds it back
      await cache.get('k', fetch);
      await settle();
      expect(await cache.get('k', fetch)).toBe('token-2');
      expect(fetch).toHaveBeenCalledTimes(2);
    });

    test('warns on the console by default, naming the error and how long the cached token lasts', async () => {
      let now = 0;
      const background: Promise<unknown>[] = [];
      const cache = new ExpiringTokenCache({ now: () => now, waitUntil: (p) => background.push(p) });
      await cache.get('aud', async () => ({ token: 't1', expiresAt: now + 300_000 }));
      now += 250_000;
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        expect(await cache.get('aud', throttled())).toBe('t1');
        await Promise.all(background);
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
