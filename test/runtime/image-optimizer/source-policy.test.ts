import type { LookupAddress } from 'node:dns';
import { ImageRequestError } from '../../../runtime/errors';
import { resolveImageOptimizerConfig } from '../../../runtime/image-optimizer/config';
import { fetchSource, type HostResolver } from '../../../runtime/image-optimizer/fetch-source';
import { localSourceOrigin, sourcePolicy } from '../../../runtime/image-optimizer/source-policy';
import { SourceServer, serve } from './sources';

const DISTRIBUTION = 'd111111abcdef8.cloudfront.net';

function request(domain?: string): Request {
  const headers: Record<string, string> = domain === undefined ? {} : { 'x-vfa-distribution-domain': domain };
  return new Request('https://abc.lambda-url.us-east-1.on.aws/_vercel/image?url=%2Fa.png&w=64', { headers });
}

/** A resolver answering `addresses` for every name, and remembering the names it was asked. */
function resolverAnswering(addresses: LookupAddress[]): { resolve: HostResolver; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolve: (hostname, _options, callback) => {
      asked.push(hostname);
      callback(null, addresses);
    },
  };
}

describe('localSourceOrigin', () => {
  test('accepts the CloudFront distribution domain the CDN sends, normalised to lower case', () => {
    const config = resolveImageOptimizerConfig({});
    expect(localSourceOrigin(request(DISTRIBUTION), config)).toEqual({
      origin: `https://${DISTRIBUTION}`,
      configured: false,
    });
    expect(localSourceOrigin(request(` D111111ABCDEF8.CloudFront.net `), config).origin).toBe(
      `https://${DISTRIBUTION}`,
    );
  });

  test('uses the configured localOrigin and ignores the header when one is set', () => {
    const config = resolveImageOptimizerConfig({ localOrigin: 'http://localhost:3000' });
    expect(localSourceOrigin(request('127.0.0.2'), config)).toEqual({
      origin: 'http://localhost:3000',
      configured: true,
    });
    expect(localSourceOrigin(request(), config).origin).toBe('http://localhost:3000');
  });

  test('answers 400 saying the request did not come through the CDN when the header is missing', () => {
    expect(() => localSourceOrigin(request(), resolveImageOptimizerConfig({}))).toThrow(
      'Local images ("url" starting with "/") are optimized only for requests that come through the CDN',
    );
    expect(() => localSourceOrigin(request('  '), resolveImageOptimizerConfig({}))).toThrow(
      ImageRequestError,
    );
  });

  test.each([
    ['an IP literal', '127.0.0.2'],
    ['an IPv6 literal', '[::1]'],
    ['another domain', 'internal.example.com'],
    ['localhost', 'localhost'],
    ['cloudfront.net itself', 'cloudfront.net'],
    ['two labels under cloudfront.net', 'a.d111111abcdef8.cloudfront.net'],
    ['a name ending in cloudfront.net', 'evilcloudfront.net'],
    ['a CloudFront name inside another domain', `${DISTRIBUTION}.evil.example`],
    ['a CloudFront name with a port', `${DISTRIBUTION}:8443`],
    ['a CloudFront name with a path', `${DISTRIBUTION}/x`],
    ['a CloudFront name with credentials', `user:secret@${DISTRIBUTION}`],
    ['a fully qualified CloudFront name', `${DISTRIBUTION}.`],
  ])('answers 400 naming the header, without its value, for %s', (_, domain) => {
    let thrown: unknown;
    try {
      localSourceOrigin(request(domain), resolveImageOptimizerConfig({ dangerouslyAllowLocalIP: true }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ImageRequestError);
    expect(thrown).toMatchObject({ statusCode: 400 });
    // The whole message is fixed: nothing of the value comes back to whoever sent it.
    expect((thrown as Error).message).toBe(
      'Local images ("url" starting with "/") are optimized only for requests that come through the CDN: the x-vfa-distribution-domain header must be a CloudFront distribution domain (*.cloudfront.net)',
    );
  });
});

describe('sourcePolicy', () => {
  const distribution = { origin: `https://${DISTRIBUTION}`, configured: false };

  test('holds hops to the distribution to public addresses, even under dangerouslyAllowLocalIP', () => {
    for (const dangerouslyAllowLocalIP of [false, true]) {
      const policy = sourcePolicy(resolveImageOptimizerConfig({ dangerouslyAllowLocalIP }), distribution);
      expect(policy(new URL(`https://${DISTRIBUTION}/a.png`))).toBe('public');
    }
  });

  test('lets hops to a configured localOrigin reach any address', () => {
    const local = { origin: 'http://localhost:3000', configured: true };
    expect(sourcePolicy(resolveImageOptimizerConfig({}), local)(new URL('http://localhost:3000/a.png'))).toBe(
      'any',
    );
  });

  test('holds remote hops to public addresses unless dangerouslyAllowLocalIP is set', () => {
    const remotePatterns = [{ hostname: 'images.example.com' }];
    const url = new URL('https://images.example.com/a.png');
    expect(sourcePolicy(resolveImageOptimizerConfig({ remotePatterns }), distribution)(url)).toBe('public');
    expect(
      sourcePolicy(
        resolveImageOptimizerConfig({ remotePatterns, dangerouslyAllowLocalIP: true }),
        undefined,
      )(url),
    ).toBe('any');
  });

  test('refuses an optimizer path on the distribution and on remote hosts a pattern allows', () => {
    const policy = sourcePolicy(
      resolveImageOptimizerConfig({ remotePatterns: [{ hostname: 'shop.example.com' }] }),
      distribution,
    );
    for (const url of [
      `https://${DISTRIBUTION}/_vercel/imageX?url=%2Fa.png&w=64`,
      'https://shop.example.com/_vercel/image?url=%2Fa.png&w=64',
      'https://shop.example.com/_vercel/%69mage.png',
      'https://shop.example.com/_next/image?url=%2Fa.png&w=64',
    ]) {
      expect(() => policy(new URL(url))).toThrow('"url" parameter cannot be recursive');
    }
    expect(policy(new URL('https://shop.example.com/photos/_vercel/image.png'))).toBe('public');
  });

  test('refuses another CloudFront distribution as a remote source no pattern allows', () => {
    const policy = sourcePolicy(resolveImageOptimizerConfig({}), distribution);
    expect(() => policy(new URL('https://d222222abcdef8.cloudfront.net/a.png'))).toThrow(
      '"url" parameter is not allowed',
    );
  });
});

describe('sourcePolicy with fetchSource', () => {
  let server: SourceServer;
  beforeAll(async () => {
    server = await SourceServer.start({ '/a.png': serve('image bytes') });
  });
  afterAll(async () => {
    await server?.close();
  });

  // The distribution's origin with the test server's port and plain HTTP, which no header can name,
  // so that a connection to it would reach the server and be counted.
  const distributionAt = (port: number) => ({ origin: `http://${DISTRIBUTION}:${port}`, configured: false });

  test('refuses a distribution domain that resolves to loopback, without connecting to it', async () => {
    const before = server.requests.length;
    const { resolve, asked } = resolverAnswering([{ address: '127.0.0.1', family: 4 }]);
    const local = distributionAt(server.port);
    const config = resolveImageOptimizerConfig({ dangerouslyAllowLocalIP: true });
    const failure = fetchSource(new URL('/a.png', local.origin), sourcePolicy(config, local), {
      maxBytes: 100,
      resolve,
    });
    await expect(failure).rejects.toMatchObject({
      statusCode: 400,
      message: `"url" parameter is not allowed: ${DISTRIBUTION} resolves to 127.0.0.1, which is not a public address`,
    });
    expect(asked).toEqual([DISTRIBUTION]);
    expect(server.requests.length).toBe(before);
  });

  test('refuses a distribution domain when any of its addresses is not public', async () => {
    const before = server.requests.length;
    const { resolve } = resolverAnswering([
      { address: '13.32.0.1', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ]);
    const local = distributionAt(server.port);
    const failure = fetchSource(
      new URL('/a.png', local.origin),
      sourcePolicy(resolveImageOptimizerConfig({}), local),
      { maxBytes: 100, resolve },
    );
    await expect(failure).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('10.0.0.5'),
    });
    expect(server.requests.length).toBe(before);
  });

  test('fetches from a configured loopback localOrigin, as the dev server does', async () => {
    const local = { origin: server.origin, configured: true };
    const source = await fetchSource(
      new URL('/a.png', local.origin),
      sourcePolicy(resolveImageOptimizerConfig({}), local),
      { maxBytes: 100 },
    );
    expect(source.bytes.toString()).toBe('image bytes');
  });
});
