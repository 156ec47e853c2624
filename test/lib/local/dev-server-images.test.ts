import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import sharp from 'sharp';
import { type DevServer, startDevServer } from '../../../lib/local/dev-server';
import { imageOptimizerTarget } from '../../../lib/local/dev-server-images';
import { synthesizeDevDistribution } from '../../../lib/local/dev-server-synth';
import { discoverRoutes } from '../../../lib/local/routes';
import { readVercelJson } from '../../../lib/private/vercel-json';
import { IMAGE_OPTIMIZER_CONFIG_ENV } from '../../../runtime/image-optimizer/config';
import { samplePng } from '../../runtime/image-optimizer/sources';

// `npm start` serving /_vercel/image: the image behaviour, its policies and viewer-request function
// from the synthesized template, in front of the runtime's optimizer running in-process with this
// machine's sharp. Relative sources come from the dev server itself (here: a function returning a
// PNG), as deployed they come through the distribution.

const servers: DevServer[] = [];
const folders: string[] = [];

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-server-images-'));
  folders.push(dir);
  for (const [file, contents] of Object.entries(files)) write(dir, file, contents);
  return dir;
}

function write(dir: string, file: string, contents: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), contents);
}

async function serve(dir: string): Promise<{ server: DevServer; logs: string[] }> {
  const logs: string[] = [];
  const server = await startDevServer({ dir, port: 0, host: '127.0.0.1', log: (line) => logs.push(line) });
  servers.push(server);
  return { server, logs };
}

// A function serving an 800 × 600 PNG: the source the optimizer fetches through the dev server.
async function photoFunction(): Promise<string> {
  const png = await samplePng(800, 600);
  return `
const PNG = Buffer.from('${png.toString('base64')}', 'base64');
export function GET() {
  return new Response(PNG, { headers: { 'content-type': 'image/png' } });
}
`;
}

const PURGE_FUNCTION = `
import { invalidateBySrcImage } from '@vercel/functions';
export async function GET(request: Request) {
  await invalidateBySrcImage(new URL(request.url).searchParams.get('src')!);
  return new Response('invalidated');
}
`;

const IMAGES = { images: { sizes: [256, 640, 1080], formats: ['image/avif', 'image/webp'] } };

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('startDevServer with images in vercel.json', () => {
  let server: DevServer;
  let logs: string[];
  const image = (query: string, accept = 'image/webp,*/*') =>
    fetch(`${server.url}/_vercel/image?${query}`, { headers: { accept } });

  beforeAll(async () => {
    const dir = project({
      'api/photo.ts': await photoFunction(),
      'api/purge.ts': PURGE_FUNCTION,
      'vercel.json': JSON.stringify(IMAGES),
    });
    ({ server, logs } = await serve(dir));
  });

  test('serves a WebP of the requested width when the viewer accepts image/webp', async () => {
    const response = await image('url=%2Fapi%2Fphoto&w=640&q=75');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    const metadata = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect(metadata).toMatchObject({ format: 'webp', width: 640, height: 480 });
    // The cache tag reached the CDN (see the purge test) but not the viewer, as deployed.
    expect(response.headers.get('vercel-cache-tag')).toBeNull();
  });

  test('fetches a relative source through the dev server itself', async () => {
    await image('url=%2Fapi%2Fphoto&w=1080&q=60');
    expect(logs).toContainEqual(expect.stringMatching(/^GET \/api\/photo 200 \d+ms Miss$/));
  });

  test('answers the second request for a variant from the emulated CloudFront cache', async () => {
    const first = await image('url=%2Fapi%2Fphoto&w=256&q=50');
    expect(first.headers.get('x-cache')).toBe('Miss from cloudfront');
    const firstBytes = Buffer.from(await first.arrayBuffer());
    const second = await image('url=%2Fapi%2Fphoto&w=256&q=50');
    expect(second.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(Buffer.from(await second.arrayBuffer()).equals(firstBytes)).toBe(true);
  });

  test('caches each negotiated format apart, the source format when Accept names none', async () => {
    const avif = await image('url=%2Fapi%2Fphoto&w=256&q=50', 'image/avif,image/webp,*/*');
    expect(avif.headers.get('content-type')).toBe('image/avif');
    expect(avif.headers.get('x-cache')).toBe('Miss from cloudfront');
    const png = await image('url=%2Fapi%2Fphoto&w=256&q=50', '*/*');
    expect(png.headers.get('content-type')).toBe('image/png');
    expect((await sharp(Buffer.from(await png.arrayBuffer())).metadata()).width).toBe(256);
  });

  test('evicts every variant of a source when a function calls invalidateBySrcImage', async () => {
    for (const query of ['url=%2Fapi%2Fphoto&w=640&q=40', 'url=%2Fapi%2Fphoto&w=1080&q=40']) {
      await (await image(query)).arrayBuffer();
      expect((await image(query)).headers.get('x-cache')).toBe('Hit from cloudfront');
    }
    const purge = await fetch(`${server.url}/api/purge?src=${encodeURIComponent('/api/photo')}`);
    expect(await purge.text()).toBe('invalidated');
    for (const query of ['url=%2Fapi%2Fphoto&w=640&q=40', 'url=%2Fapi%2Fphoto&w=1080&q=40']) {
      expect((await image(query)).headers.get('x-cache')).toBe('Miss from cloudfront');
    }
  });

  test('answers 400 with the deployed message when the url parameter is missing', async () => {
    const response = await image('w=640');
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('"url" parameter is required\n');
  });

  test('answers 400 when the width is not one of the configured sizes', async () => {
    const response = await image('url=%2Fapi%2Fphoto&w=300');
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      '"w" parameter (width) of 300 is not allowed (allowed: 256, 640, 1080)\n',
    );
  });

  test('leaves paths that only start with /_vercel/image to the default behaviour, not the optimizer', async () => {
    for (const path of ['/_vercel/imageX', '/_vercel/image.png']) {
      const response = await fetch(`${server.url}${path}?url=%2Fapi%2Fphoto&w=640`);
      expect(response.status).toBe(404);
      // The optimizer's own 404 would say so: this one is the edge's, for a path no route serves.
      expect(await response.text()).not.toContain('image optimizer');
    }
  });

  test('answers 400 for a remote source no remotePatterns allow', async () => {
    const response = await image(`url=${encodeURIComponent('https://images.example.com/a.png')}&w=640`);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('"url" parameter is not allowed\n');
  });
});

describe('startDevServer turning images on and off while running', () => {
  test('serves /_vercel/image once vercel.json has images, and names a bad field until it is fixed', async () => {
    const dir = project({ 'api/photo.ts': await photoFunction() });
    const { server } = await serve(dir);
    const url = `${server.url}/_vercel/image?url=%2Fapi%2Fphoto&w=640`;

    // As deployed without an ImageOptimizer: the edge 404 of unrouted paths.
    const before = await fetch(url);
    expect(before.status).toBe(404);
    expect(await before.text()).toBe('The page could not be found.\n\nNOT_FOUND\n');

    write(dir, 'vercel.json', JSON.stringify({ images: { sizes: [0] } }));
    const invalid = await fetch(url);
    expect(invalid.status).toBe(500);
    expect(await invalid.text()).toMatch(
      /^The project cannot be deployed as it is: .*sizes\[0\] must be a whole number from 1 to 16383, got 0/,
    );

    write(dir, 'vercel.json', JSON.stringify({ images: { sizes: [640] } }));
    const after = await fetch(url);
    expect(after.status).toBe(200);
    expect((await sharp(Buffer.from(await after.arrayBuffer())).metadata()).width).toBe(640);
  });
});

describe('startDevServer on a folder with images and no functions', () => {
  test('serves /_vercel/image on the bare distribution', async () => {
    const { server } = await serve(project({ 'vercel.json': JSON.stringify(IMAGES) }));
    const response = await fetch(`${server.url}/_vercel/image?w=640`);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('"url" parameter is required\n');
    expect((await fetch(`${server.url}/api/hello`)).status).toBe(404);
  });
});

describe('synthesizeDevDistribution with images in vercel.json', () => {
  // The dev server runs the optimizer in-process: bundling it (esbuild and an npm ci of sharp for
  // Lambda) at every synthesis would only slow `npm start` down.
  test("synthesizes VercelProject's optimizer without bundling it, and the body signer bundled", () => {
    const dir = project({
      'api/hello.ts': 'export function GET() { return new Response("hello"); }\n',
      'vercel.json': JSON.stringify(IMAGES),
    });
    const outdir = project({});
    const stack = synthesizeDevDistribution(dir, discoverRoutes(dir), outdir);
    const functions = Object.entries(stack.template.Resources).filter(
      ([, resource]) => resource.Type === 'AWS::Lambda::Function',
    );
    const staged = (logicalId: string): boolean => {
      const code = functions.find(([id]) => id === logicalId)?.[1].Properties?.Code as { S3Key: string };
      return existsSync(join(outdir, `asset.${code.S3Key.replace('.zip', '')}`, 'index.js'));
    };
    const [optimizer] = functions.find(
      ([, resource]) =>
        (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables?.[IMAGE_OPTIMIZER_CONFIG_ENV] !== undefined,
    )!;
    const [signer] = functions.find(([id]) => id.startsWith('ProjectCdnBodySigner'))!;
    expect(optimizer).toMatch(/^ProjectImages/);
    expect(staged(optimizer)).toBe(false);
    expect(staged(signer)).toBe(true);
  });
});

describe('the images the dev server reads from vercel.json', () => {
  const readImagesConfig = (dir: string) => readVercelJson(dir)?.images;

  test('returns undefined when the project has no vercel.json or it has no images', () => {
    expect(readImagesConfig(project({}))).toBeUndefined();
    expect(readImagesConfig(project({ 'vercel.json': '{"cleanUrls":true}' }))).toBeUndefined();
  });

  test('turns minimumCacheTTL seconds into a Duration and passes the other fields on', () => {
    const props = readImagesConfig(
      project({ 'vercel.json': JSON.stringify({ images: { sizes: [640], minimumCacheTTL: 60 } }) }),
    );
    expect(props?.sizes).toEqual([640]);
    expect(props?.minimumCacheTTL?.toSeconds()).toBe(60);
  });

  test('throws naming the field when images has one the optimizer does not know', () => {
    const dir = project({ 'vercel.json': JSON.stringify({ images: { deviceSizes: [640] } }) });
    expect(() => readImagesConfig(dir)).toThrow(
      "vercel.json: images has an unknown field 'deviceSizes' (known: sizes, qualities, formats, domains, remotePatterns, localPatterns, minimumCacheTTL, dangerouslyAllowSVG, contentSecurityPolicy, contentDispositionType)",
    );
  });

  test('throws when minimumCacheTTL is not a whole number of seconds', () => {
    const dir = project({ 'vercel.json': JSON.stringify({ images: { minimumCacheTTL: '1h' } }) });
    expect(() => readImagesConfig(dir)).toThrow(
      `${join(dir, 'vercel.json')}: images.minimumCacheTTL must be a whole number from 0 to 31536000, got "1h"`,
    );
  });

  test('throws when vercel.json is not valid JSON', () => {
    const dir = project({ 'vercel.json': '{ images: ' });
    expect(() => readImagesConfig(dir)).toThrow(`${join(dir, 'vercel.json')}: not valid JSON: `);
  });
});

describe('imageOptimizerTarget', () => {
  test('answers 500 naming sharp and this platform when the optimizer cannot be loaded', async () => {
    const logs: string[] = [];
    const target = imageOptimizerTarget({
      authType: 'AWS_IAM',
      config: {},
      localOrigin: 'http://localhost:3000',
      timeoutMs: 30_000,
      log: (line) => logs.push(line),
      load: () => {
        throw new Error('Could not load the "sharp" module using the linux-x64 runtime');
      },
    });
    const invocation = await target.invoke({} as LambdaFunctionURLEvent);
    expect(invocation.kind).toBe('buffered');
    const payload = JSON.parse((invocation as { payload: Buffer }).payload.toString());
    expect(payload.statusCode).toBe(500);
    expect(payload.headers['cache-control']).toBe('no-store');
    expect(payload.body).toContain('Could not load the "sharp" module using the linux-x64 runtime');
    expect(payload.body).toContain(`npm install --os=${process.platform} --cpu=${process.arch} sharp`);
    expect(logs).toEqual([payload.body.trimEnd()]);
  });

  test('throws naming the field when the configuration is not valid', () => {
    expect(() =>
      imageOptimizerTarget({
        authType: 'NONE',
        config: { sizes: 'all' },
        localOrigin: 'http://localhost:3000',
        timeoutMs: 30_000,
        log: () => {},
      }),
    ).toThrow(/sizes/);
  });
});
