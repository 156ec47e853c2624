import * as diagnostics from 'node:diagnostics_channel';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { toSrcImageCloudFrontTag } from '../../../runtime/cdn/cloudfront-tag';
import {
  type ImageOptimizerConfigInput,
  resolveImageOptimizerConfig,
} from '../../../runtime/image-optimizer/config';
import { optimizeImage } from '../../../runtime/image-optimizer/optimize';
import { redirect, SourceServer, sampleAnimation, sampleJpeg, samplePng, serve } from './sources';

// optimizeImage end to end below the Lambda handler: real sharp on sample images made here, fetched
// from loopback origins over real HTTP.

const CHROME_ACCEPT = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';

let origin: SourceServer;
let other: SourceServer;
let png: Buffer;
let jpeg: Buffer;
let tall: Buffer;

beforeAll(async () => {
  png = await samplePng(800, 600);
  // Taller than WebP (16383 px) and AVIF can encode: a valid image only the source format can carry.
  tall = await sharp({ create: { width: 800, height: 20_000, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  jpeg = await sampleJpeg(1200, 800);
  const large = Buffer.alloc(2048, 1);
  other = await SourceServer.start({ '/elsewhere.png': serve(png, { 'content-type': 'image/png' }) });
  origin = await SourceServer.start({
    '/images/hero.png': serve(png, { 'content-type': 'image/png', 'cache-control': 'public, max-age=60' }),
    '/images/photo.jpg': serve(jpeg, { 'content-type': 'image/jpeg' }),
    '/images/long-lived.png': serve(png, { 'cache-control': 'public, max-age=600, s-maxage=86400' }),
    '/images/mislabelled.png': serve(png, { 'content-type': 'text/plain' }),
    '/images/page.html': serve('<!doctype html><p>not an image</p>', { 'content-type': 'image/png' }),
    '/images/icon.svg': serve(SVG, { 'content-type': 'image/svg+xml' }),
    '/images/large.png': serve(large),
    '/images/chunked.png': (_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png' });
      for (let i = 0; i < 4; i++) response.write(Buffer.alloc(1024, 2));
      response.end();
    },
    '/images/gzipped.png': serve(gzipSync(png), { 'content-encoding': 'gzip' }),
    '/images/broken.png': serve('x', {}, 500),
    '/images/moved.png': redirect('/images/hero.png'),
    '/images/away.png': redirect(`${other.origin}/elsewhere.png`),
    '/images/loop.png': redirect('/images/loop.png'),
    '/images/nested.png': redirect('/_vercel/imageX?url=%2Fimages%2Fhero.png&w=256'),
    '/images/tall.png': serve(tall, {
      'content-type': 'image/png',
      'cache-control': 'public, max-age=86400',
    }),
    '/images/truncated.png': serve(png.subarray(0, 200), { 'content-type': 'image/png' }),
  });
});
afterAll(async () => {
  await origin?.close();
  await other?.close();
});

function config(overrides: ImageOptimizerConfigInput = {}) {
  return resolveImageOptimizerConfig({
    localOrigin: origin.origin,
    formats: ['image/avif', 'image/webp'],
    ...overrides,
  });
}

function request(query: string, headers: Record<string, string> = {}, method = 'GET'): Request {
  return new Request(`https://shop.example.com/_vercel/image?${query}`, { method, headers });
}

async function optimize(
  query: string,
  options: { headers?: Record<string, string>; config?: ImageOptimizerConfigInput } = {},
) {
  const response = await optimizeImage(request(query, options.headers), config(options.config));
  const body = Buffer.from(await response.arrayBuffer());
  return { response, body };
}

function url(src: string, w: number, q?: number): string {
  return `url=${encodeURIComponent(src)}&w=${w}${q === undefined ? '' : `&q=${q}`}`;
}

describe('optimizeImage: resizing and formats', () => {
  test('resizes a local PNG to w and keeps PNG when Accept names no modern format', async () => {
    const { response, body } = await optimize(url('/images/hero.png', 256, 75));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(await sharp(body).metadata()).toMatchObject({ format: 'png', width: 256, height: 192 });
  });

  test('answers AVIF when Accept names image/avif and AVIF comes first in formats', async () => {
    const { response, body } = await optimize(url('/images/hero.png', 640, 50), {
      headers: { accept: CHROME_ACCEPT },
    });
    expect(response.headers.get('content-type')).toBe('image/avif');
    const metadata = await sharp(body).metadata();
    expect(metadata).toMatchObject({ format: 'heif', compression: 'av1', width: 640 });
  });

  test('answers WebP when Accept names WebP but not AVIF', async () => {
    const { response, body } = await optimize(url('/images/photo.jpg', 384), {
      headers: { accept: 'image/webp,*/*' },
    });
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(body).metadata()).toMatchObject({ format: 'webp', width: 384, height: 256 });
  });

  test('follows the order of formats when the viewer accepts both', async () => {
    const { response } = await optimize(url('/images/photo.jpg', 384), {
      headers: { accept: CHROME_ACCEPT },
      config: { formats: ['image/webp', 'image/avif'] },
    });
    expect(response.headers.get('content-type')).toBe('image/webp');
  });

  test('keeps the source format when Accept names the modern formats only through wildcards or with q=0', async () => {
    for (const accept of ['*/*', 'image/*', 'image/avif;q=0, image/webp;q=0, */*']) {
      const { response, body } = await optimize(url('/images/photo.jpg', 384), { headers: { accept } });
      expect(response.headers.get('content-type')).toBe('image/jpeg');
      expect(await sharp(body).metadata()).toMatchObject({ format: 'jpeg', width: 384 });
    }
  });

  test('uses the format the CDN negotiated over the Accept header when both are present', async () => {
    const { response } = await optimize(url('/images/photo.jpg', 384), {
      headers: { accept: CHROME_ACCEPT, 'x-vfa-image-format': 'original' },
    });
    expect(response.headers.get('content-type')).toBe('image/jpeg');
  });

  test('never enlarges a source narrower than w', async () => {
    const { body } = await optimize(url('/images/photo.jpg', 3840));
    expect(await sharp(body).metadata()).toMatchObject({ width: 1200, height: 800 });
  });

  test('encodes a smaller JPEG at a lower quality, and uses 75 when q is missing', async () => {
    const low = await optimize(url('/images/photo.jpg', 1080, 10));
    const high = await optimize(url('/images/photo.jpg', 1080, 90));
    const standard = await optimize(url('/images/photo.jpg', 1080, 75));
    const missing = await optimize(url('/images/photo.jpg', 1080));
    expect(low.body.length).toBeLessThan(standard.body.length);
    expect(standard.body.length).toBeLessThan(high.body.length);
    expect(missing.body.equals(standard.body)).toBe(true);
  });

  test('accepts the quality bounds 1 and 100', async () => {
    for (const q of [1, 100]) {
      const { response } = await optimize(url('/images/photo.jpg', 256, q));
      expect(response.status).toBe(200);
    }
  });

  test('serves animations and SVGs (when allowed) as they are', async () => {
    const webp = await sampleAnimation('webp');
    const gif = await sampleAnimation('gif');
    origin.routes['/images/spinner.webp'] = serve(webp);
    origin.routes['/images/spinner.gif'] = serve(gif);
    const animatedWebp = await optimize(url('/images/spinner.webp', 256), {
      headers: { accept: CHROME_ACCEPT },
    });
    expect(animatedWebp.response.headers.get('content-type')).toBe('image/webp');
    expect(animatedWebp.body.equals(webp)).toBe(true);
    const animatedGif = await optimize(url('/images/spinner.gif', 256), {
      headers: { accept: CHROME_ACCEPT },
    });
    expect(animatedGif.response.headers.get('content-type')).toBe('image/gif');
    expect(animatedGif.body.equals(gif)).toBe(true);
    const svg = await optimize(url('/images/icon.svg', 256), { config: { dangerouslyAllowSVG: true } });
    expect(svg.response.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.body.toString()).toBe(SVG);
    expect(svg.response.headers.get('content-security-policy')).toBe(
      "script-src 'none'; frame-src 'none'; sandbox;",
    );
  });

  test('reads the type from the bytes, not from the source Content-Type', async () => {
    const { response } = await optimize(url('/images/mislabelled.png', 256));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
  });

  test('decompresses a gzip-encoded source', async () => {
    const { response, body } = await optimize(url('/images/gzipped.png', 256));
    expect(response.status).toBe(200);
    expect(await sharp(body).metadata()).toMatchObject({ width: 256 });
  });
});

describe('optimizeImage: sources that cannot be optimized', () => {
  test('serves the source as it is, cached for minimumCacheTTL, when the negotiated format cannot hold it', async () => {
    for (const formats of [['image/webp'], ['image/avif']] as const) {
      const { response, body } = await optimize(url('/images/tall.png', 1080), {
        headers: { accept: CHROME_ACCEPT },
        config: { formats: [...formats], minimumCacheTTL: 60 },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(body.equals(tall)).toBe(true);
      // Next.js's fallback TTL: minimumCacheTTL, not the source's longer max-age.
      expect(response.headers.get('cache-control')).toBe('public, max-age=60, immutable');
      expect(response.headers.get('vary')).toBe('Accept');
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="tall.png"');
      expect(response.headers.get('vercel-cache-tag')).toBe(toSrcImageCloudFrontTag('/images/tall.png'));
    }
  });
});

describe('optimizeImage: response headers', () => {
  test('tags every variant with the canonical cache tag of its source', async () => {
    const tag = toSrcImageCloudFrontTag('/images/hero.png');
    const variants = [
      await optimize(url('/images/hero.png', 256, 75)),
      await optimize(url('/images/hero.png', 640, 50), { headers: { accept: CHROME_ACCEPT } }),
      await optimize(url('/images/hero.png', 1080, 90), { headers: { accept: 'image/webp' } }),
    ];
    expect(tag).toBe('%!/images/hero.png');
    for (const { response } of variants) expect(response.headers.get('vercel-cache-tag')).toBe(tag);
  });

  test('caches for minimumCacheTTL, or the source max-age when it is longer, and varies on Accept', async () => {
    const short = await optimize(url('/images/hero.png', 256), { config: { minimumCacheTTL: 3600 } });
    expect(short.response.headers.get('cache-control')).toBe('public, max-age=3600, immutable');
    expect(short.response.headers.get('vary')).toBe('Accept');
    const long = await optimize(url('/images/long-lived.png', 256), { config: { minimumCacheTTL: 3600 } });
    expect(long.response.headers.get('cache-control')).toBe('public, max-age=86400, immutable');
  });

  test('sends a file name with the output extension, nosniff and an ETag', async () => {
    const { response } = await optimize(url('/images/hero.png', 256), { headers: { accept: 'image/webp' } });
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="hero.webp"');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const inline = await optimize(url('/images/photo.jpg', 256), {
      config: { contentDispositionType: 'inline' },
    });
    expect(inline.response.headers.get('content-disposition')).toBe('inline; filename="photo.jpg"');
  });
});

describe('optimizeImage: rejections', () => {
  test.each([
    ['', '"url" parameter is required'],
    ['w=256', '"url" parameter is required'],
    ['url=/images/hero.png', '"w" parameter (width) is required'],
    ['url=/images/hero.png&w=300', '"w" parameter (width) of 300 is not allowed'],
    ['url=/images/hero.png&w=abc', '"w" parameter (width) must be a whole number greater than 0'],
    ['url=/images/hero.png&w=0', '"w" parameter (width) must be a whole number greater than 0'],
    ['url=/images/hero.png&w=256.5', '"w" parameter (width) must be a whole number greater than 0'],
    ['url=/images/hero.png&w=256&q=0', '"q" parameter (quality) must be a whole number from 1 to 100'],
    ['url=/images/hero.png&w=256&q=101', '"q" parameter (quality) must be a whole number from 1 to 100'],
    ['url=/images/hero.png&w=256&q=high', '"q" parameter (quality) must be a whole number from 1 to 100'],
    ['url=/a.png&url=/b.png&w=256', '"url" parameter cannot be an array'],
    ['url=//evil.example/a.png&w=256', '"url" parameter cannot be a protocol-relative URL (//)'],
    ['url=/%5Cevil.example/a.png&w=256', '"url" parameter is invalid'],
    ['url=javascript:alert(1)&w=256', '"url" parameter is invalid'],
    ['url=/_vercel/image%3Furl%3D/a.png%26w%3D256&w=256', '"url" parameter cannot be recursive'],
    ['url=/_next/image&w=256', '"url" parameter cannot be recursive'],
    ['url=/_vercel/imageX%3Furl%3D/images/hero.png%26w%3D256&w=256', '"url" parameter cannot be recursive'],
    ['url=/_vercel/image.png&w=256', '"url" parameter cannot be recursive'],
    [
      'url=/_vercel/%2569mage%3Furl%3D/images/hero.png%26w%3D256&w=256',
      '"url" parameter cannot be recursive',
    ],
    ['url=/images/../_next/image.png&w=256', '"url" parameter cannot be recursive'],
  ])('answers 400 for ?%s', async (query, message) => {
    const { response, body } = await optimize(query);
    expect(response.status).toBe(400);
    expect(body.toString()).toContain(message);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('vercel-cache-tag')).toBeNull();
  });

  test('answers 400 without fetching anything when the source is under an optimizer path', async () => {
    const before = origin.requests.length;
    for (const src of ['/_vercel/imageX?url=%2Fimages%2Fhero.png&w=256', '/_vercel/%69mage.png']) {
      const { response, body } = await optimize(url(src, 256));
      expect(response.status).toBe(400);
      expect(body.toString()).toContain('"url" parameter cannot be recursive');
    }
    expect(origin.requests.length).toBe(before);
  });

  test('answers 400 when a local source redirects to an optimizer path', async () => {
    const before = origin.requests.length;
    const { response, body } = await optimize(url('/images/nested.png', 256));
    expect(response.status).toBe(400);
    expect(body.toString()).toContain('"url" parameter cannot be recursive');
    expect(origin.requests.slice(before)).toEqual(['/images/nested.png']);
  });

  test.each(['/_vercel/imageX', '/_vercel/image.png', '/_vercel/image/', '/'])(
    'answers 404 without fetching anything when the request path is %s',
    async (pathname) => {
      const before = origin.requests.length;
      const response = await optimizeImage(
        new Request(`https://shop.example.com${pathname}?${url('/images/hero.png', 256)}`),
        config(),
      );
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('the image optimizer serves /_vercel/image only');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(origin.requests.length).toBe(before);
    },
  );

  test('answers 400 for a quality outside the configured qualities', async () => {
    const { response, body } = await optimize(url('/images/hero.png', 256, 80), {
      config: { qualities: [50, 75] },
    });
    expect(response.status).toBe(400);
    expect(body.toString()).toContain('"q" parameter (quality) of 80 is not allowed (allowed: 50, 75)');
  });

  test('answers 400 for a source that is not an image', async () => {
    const { response, body } = await optimize(url('/images/page.html', 256));
    expect(response.status).toBe(400);
    expect(body.toString()).toContain("The requested resource isn't a valid image");
  });

  test('answers 400 when the source looks like a PNG but sharp cannot decode it', async () => {
    const { response, body } = await optimize(url('/images/truncated.png', 256), {
      headers: { accept: CHROME_ACCEPT },
    });
    expect(response.status).toBe(400);
    expect(body.toString()).toContain("The requested resource isn't a valid image");
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  test('answers 400 for an SVG unless dangerouslyAllowSVG is set', async () => {
    const { response, body } = await optimize(url('/images/icon.svg', 256));
    expect(response.status).toBe(400);
    expect(body.toString()).toContain('dangerouslyAllowSVG');
  });

  test('answers 413 naming the limit for a source larger than maximumResponseBody', async () => {
    for (const path of ['/images/large.png', '/images/chunked.png']) {
      const { response, body } = await optimize(url(path, 256), { config: { maximumResponseBody: 1000 } });
      expect(response.status).toBe(413);
      expect(body.toString()).toContain(
        "larger than the optimizer's limit of 1000 bytes (maximumResponseBody",
      );
    }
  });

  test("passes the source's 404 on, and answers 502 when the source fails", async () => {
    const missing = await optimize(url('/images/missing.png', 256));
    expect(missing.response.status).toBe(404);
    const broken = await optimize(url('/images/broken.png', 256));
    expect(broken.response.status).toBe(502);
    expect(broken.body.toString()).toContain('responded with status 500');
  });

  test('answers 400 for a local source outside the configured localPatterns', async () => {
    const patterns = { localPatterns: [{ pathname: '/images/*.jpg', search: '' }] };
    expect((await optimize(url('/images/photo.jpg', 256), { config: patterns })).response.status).toBe(200);
    const refused = await optimize(url('/images/hero.png', 256), { config: patterns });
    expect(refused.response.status).toBe(400);
    expect(refused.body.toString()).toContain('"url" parameter is not allowed');
  });

  test('answers 405 for methods other than GET and HEAD', async () => {
    const response = await optimizeImage(request(url('/images/hero.png', 256), {}, 'POST'), config());
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  test('answers 400 for a local source when the request did not come through the CDN', async () => {
    const withoutOrigin = resolveImageOptimizerConfig({});
    const response = await optimizeImage(request(url('/images/hero.png', 256)), withoutOrigin);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('only for requests that come through the CDN');
  });

  test('answers 400 without opening any connection when x-vfa-distribution-domain names an internal host', async () => {
    // The review's scenario: a public Function URL (OriginProtection.none()) called directly with a
    // forged header. Every client socket this process opens is published on net.client.socket.
    const sockets: unknown[] = [];
    const record = (message: unknown) => sockets.push(message);
    diagnostics.subscribe('net.client.socket', record);
    try {
      const deployed = resolveImageOptimizerConfig({ remotePatterns: [{ hostname: 'images.example.com' }] });
      for (const domain of [
        '127.0.0.2',
        'localhost',
        'metadata.internal.example',
        `127.0.0.1:${origin.port}`,
      ]) {
        const response = await optimizeImage(
          request('url=%2Fsecret&w=640', { 'x-vfa-distribution-domain': domain }),
          deployed,
        );
        expect(response.status).toBe(400);
        const body = await response.text();
        expect(body).toContain('x-vfa-distribution-domain header must be a CloudFront distribution domain');
        expect(body).not.toContain(domain);
      }
    } finally {
      diagnostics.unsubscribe('net.client.socket', record);
    }
    expect(sockets).toEqual([]);
  });
});

describe('optimizeImage: remote sources', () => {
  const loopback = (extra: ImageOptimizerConfigInput = {}) => ({
    remotePatterns: [{ protocol: 'http', hostname: '127.0.0.1', pathname: '/images/**' }],
    dangerouslyAllowLocalIP: true,
    ...extra,
  });

  test('fetches a remote source that matches remotePatterns', async () => {
    const { response, body } = await optimize(url(`${origin.origin}/images/hero.png`, 256), {
      config: loopback(),
    });
    expect(response.status).toBe(200);
    expect(await sharp(body).metadata()).toMatchObject({ width: 256 });
    expect(response.headers.get('vercel-cache-tag')).toBe(
      toSrcImageCloudFrontTag(`${origin.origin}/images/hero.png`),
    );
  });

  test('answers 400 for a remote source no pattern or domain allows, without contacting it', async () => {
    const before = other.requests.length;
    const { response, body } = await optimize(url(`${other.origin}/elsewhere.png`, 256), {
      config: loopback({ remotePatterns: [{ hostname: '127.0.0.1', port: String(origin.port) }] }),
    });
    expect(response.status).toBe(400);
    expect(body.toString()).toContain('"url" parameter is not allowed');
    expect(other.requests.length).toBe(before);
  });

  test('answers 400 without contacting it when a remote source a pattern allows is an optimizer path', async () => {
    const before = origin.requests.length;
    const nested = `${origin.origin}/_vercel/imageX?url=%2Fimages%2Fhero.png&w=256`;
    const { response, body } = await optimize(url(nested, 256), {
      config: loopback({ remotePatterns: [{ protocol: 'http', hostname: '127.0.0.1' }] }),
    });
    expect(response.status).toBe(400);
    expect(body.toString()).toContain('"url" parameter cannot be recursive');
    expect(origin.requests.length).toBe(before);
  });

  test('allows a remote host listed in domains over any port', async () => {
    const { response } = await optimize(url(`${other.origin}/elsewhere.png`, 256), {
      config: { domains: ['127.0.0.1'], dangerouslyAllowLocalIP: true },
    });
    expect(response.status).toBe(200);
  });

  test('refuses loopback, link-local and private IP literals unless dangerouslyAllowLocalIP is set', async () => {
    const before = origin.requests.length;
    for (const host of [origin.origin, 'http://169.254.169.254', 'http://10.0.0.1']) {
      // A pattern allowing every IPv4 literal: only the address check stands in the way.
      const { response, body } = await optimize(url(`${host}/images/hero.png`, 256), {
        config: { remotePatterns: [{ hostname: '*.*.*.*' }] },
      });
      expect(response.status).toBe(400);
      expect(body.toString()).toMatch(/"url" parameter is not allowed: [\d.]+ is not a public address/);
    }
    expect(origin.requests.length).toBe(before);
  });

  test('refuses a host name that resolves to a loopback address', async () => {
    const before = origin.requests.length;
    const { response, body } = await optimize(url(`http://localhost:${origin.port}/images/hero.png`, 256), {
      config: { remotePatterns: [{ hostname: 'localhost' }] },
    });
    expect(response.status).toBe(400);
    expect(body.toString()).toMatch(
      /localhost resolves to (127\.0\.0\.1|::1), which is not a public address/,
    );
    expect(origin.requests.length).toBe(before);
  });
});

describe('optimizeImage: redirects', () => {
  test('follows a redirect within the allowed sources', async () => {
    const { response, body } = await optimize(url('/images/moved.png', 256));
    expect(response.status).toBe(200);
    expect(await sharp(body).metadata()).toMatchObject({ width: 256 });
    // Tagged with the source the client named, which is what it will invalidate.
    expect(response.headers.get('vercel-cache-tag')).toBe(toSrcImageCloudFrontTag('/images/moved.png'));
  });

  test('answers 400 when a source redirects to a host the patterns do not allow, without contacting it', async () => {
    const before = other.requests.length;
    const { response, body } = await optimize(url('/images/away.png', 256));
    expect(response.status).toBe(400);
    expect(body.toString()).toContain('"url" parameter is not allowed');
    expect(other.requests.length).toBe(before);
  });

  test('follows a redirect to an allowed remote host', async () => {
    const { response } = await optimize(url('/images/away.png', 256), {
      config: { domains: ['127.0.0.1'], dangerouslyAllowLocalIP: true },
    });
    expect(response.status).toBe(200);
  });

  test('answers 508 after three redirects', async () => {
    const before = origin.requests.length;
    const { response, body } = await optimize(url('/images/loop.png', 256));
    expect(response.status).toBe(508);
    expect(body.toString()).toContain('redirected more than 3 times');
    expect(origin.requests.length - before).toBe(4);
  });
});
