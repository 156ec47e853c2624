import { VercelOidcTokenError } from '../../../runtime/errors';
import * as vercelOidc from '../../../runtime/vercel-oidc';
import { resetExchangedTokens as reset } from '../../../runtime/vercel-oidc/exchange-vercel-oidc-token';

const notExpected = (value: unknown): Error => {
  throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
};

const { exchangeVercelOidcToken } = vercelOidc;

// Vercel's token endpoint is on the internet; these unit tests fake `fetch` and check what is sent
// and how each answer is handled (upstream's behaviour and messages).

function answer(...responses: Response[]) {
  const spy = jest.spyOn(globalThis, 'fetch');
  for (const response of responses) spy.mockResolvedValueOnce(response);
  return spy;
}

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;

afterEach(() => {
  reset();
  jest.restoreAllMocks();
});

describe('exchangeVercelOidcToken', () => {
  test('posts the token, audience and jti to Vercel and returns the new token', async () => {
    const fetch = answer(Response.json({ token: 'exchanged', expiry: inSeconds(300) }));
    await expect(exchangeVercelOidcToken({ token: 't', audience: 'api://a', jti: 'j' })).resolves.toBe(
      'exchanged',
    );
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('https://oidc.vercel.com/~token');
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual({ token: 't', aud: 'api://a', jti: 'j' });
  });

  test('reuses an exchanged token until its expiry when asked again', async () => {
    const fetch = answer(Response.json({ token: 'first', expiry: inSeconds(300) }));
    await exchangeVercelOidcToken({ token: 't', audience: 'api://a' });
    await expect(exchangeVercelOidcToken({ token: 't', audience: 'api://a' })).resolves.toBe('first');
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  test('does not reuse a token that came without an expiry', async () => {
    const fetch = answer(Response.json({ token: 'a' }), Response.json({ token: 'b' }));
    await exchangeVercelOidcToken({ token: 't', audience: 'api://a' });
    await expect(exchangeVercelOidcToken({ token: 't', audience: 'api://a' })).resolves.toBe('b');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  test('exchanges again and keeps the new token when skipCache is set', async () => {
    answer(
      Response.json({ token: 'a', expiry: inSeconds(300) }),
      Response.json({ token: 'b', expiry: inSeconds(300) }),
    );
    await exchangeVercelOidcToken({ token: 't', audience: 'api://a' });
    await expect(exchangeVercelOidcToken({ token: 't', audience: 'api://a', skipCache: true })).resolves.toBe(
      'b',
    );
    await expect(exchangeVercelOidcToken({ token: 't', audience: 'api://a' })).resolves.toBe('b');
  });

  test.each([
    [Response.json({ error: 'invalid token' }, { status: 401 }), 'Failed to exchange token: invalid token'],
    [
      new Response('nope', { status: 502, statusText: 'Bad Gateway' }),
      'Failed to exchange token: Bad Gateway',
    ],
    [new Response('<html>', { status: 200 }), 'Failed to exchange token: response was not valid JSON'],
    [Response.json({ nothing: true }), 'Failed to exchange token: response did not contain a token'],
  ])('rejects with upstream message when Vercel answers %#', async (response, message) => {
    answer(response);
    const error = await exchangeVercelOidcToken({ token: 't', audience: 'api://a' }).then(
      notExpected,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(VercelOidcTokenError);
    expect(error.message).toBe(message);
  });

  test('keeps its test reset out of the @vercel/oidc surface', () => {
    expect('resetExchangedTokens' in vercelOidc).toBe(false);
  });
});
