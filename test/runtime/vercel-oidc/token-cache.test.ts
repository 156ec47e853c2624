import { type ExpiringToken, ExpiringTokenCache } from '../../../runtime/vercel-oidc/token-cache';

// A fake clock and a fetcher that counts calls and hands out numbered tokens.
function setup(lifetimeMs = 300_000) {
  let now = 1_000_000;
  const cache = new ExpiringTokenCache({ now: () => now });
  let calls = 0;
  const fetch = jest.fn(
    async (): Promise<ExpiringToken> => ({ token: `token-${++calls}`, expiresAt: now + lifetimeMs }),
  );
  return {
    cache,
    fetch,
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
});
