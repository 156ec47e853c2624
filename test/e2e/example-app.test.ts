import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { type SigningCredentials, signOriginRequest } from '../../lib/local/cloudfront';
import { dynamoDBLocalEndpoint } from '../setup/dynamodb-tables';
import { type LocalStack, startLocalStack } from './support/local-stack';
import { rawRequest } from './support/raw-request';
import { synthesizeApp } from './support/synth';

// The example app end to end, as `cdk deploy` would ship it: bin/app.ts synthesized by the CDK CLI,
// every function's bundle from cdk.out run by the real aws-lambda-ric on Node 24 with the
// environment the template gives it, tables in DynamoDB Local, and in front a CloudFront emulation
// built from the synthesized distribution — its CloudFront Functions, policies, cache tag header,
// origin access control and body-signing Lambda@Edge function.

let outdir: string;
let local: LocalStack;

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'vfa-e2e-'));
  await synthesizeApp(outdir);
  // The functions leave the AWS SDK to the Lambda runtime (/var/runtime/node_modules there, for
  // require() and import() alike); a node_modules above the asset folders stands in for it.
  symlinkSync(path.resolve(__dirname, '..', '..', 'node_modules'), path.join(outdir, 'node_modules'), 'dir');
  local = await startLocalStack({ outdir, dynamoDbEndpoint: dynamoDBLocalEndpoint() });
}, 240_000);

afterAll(async () => {
  await local?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

interface Chunk {
  readonly at: number;
  readonly text: string;
}

async function readChunks(response: Response): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  const reader = response.body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push({ at: Date.now(), text: Buffer.from(value).toString('utf8') });
  }
}

function get(pathname: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${local.url}${pathname}`, { headers });
}

function revalidate(tag: string): Promise<Response> {
  return fetch(`${local.url}/api/revalidate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tag }),
  });
}

describe('the example app from cdk.out behind the emulated CloudFront', () => {
  test('runs the bundles cdk synth staged, with the environment of the template', () => {
    const hello = local.functionFor('/api/hello');
    expect(hello.model.codeDirectory.startsWith(outdir)).toBe(true);
    expect(hello.model.handler).toBe('index.handler');
    expect(hello.environment).toMatchObject({
      VERCEL: '1',
      VERCEL_ENV: 'production',
      VERCEL_REGION: 'iad1',
      VERCEL_FUNCTIONS_AWS_CACHE_TABLE: expect.stringMatching(/^ProjectCacheTable/),
    });
    expect(Object.values(local.tableNames)).toContain(hello.environment.VERCEL_FUNCTIONS_AWS_CACHE_TABLE);
  });

  test('streams /api/stream chunk by chunk, the first byte long before its waitUntil work ends', async () => {
    const fn = local.functionFor('/api/stream');
    const response = await get('/api/stream');
    const chunks = await readChunks(response);
    const background = await fn.process.waitForLog('[stream] background work', 15_000);

    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(
      chunks
        .map((chunk) => chunk.text)
        .join('')
        .trim()
        .split('\n'),
    ).toHaveLength(5);
    // Five writes 300 ms apart arrive spread out, not in one burst at the end.
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.at(-1)!.at - chunks[0].at).toBeGreaterThanOrEqual(600);
    expect(chunks[0].at).toBeLessThan(background.at);
  });

  test('caches /api/products/1 by s-maxage, then misses once /api/revalidate calls invalidateByTag', async () => {
    const first = await get('/api/products/1');
    const firstBody = await first.json();
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('Miss from cloudfront');
    // The response headers policy keeps the tag header from viewers; the viewer-response function
    // drops s-maxage from what browsers see.
    expect(first.headers.get('vercel-cache-tag')).toBeNull();
    expect(first.headers.get('cache-control')).toBe('public');

    const second = await get('/api/products/1');
    expect(second.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(await second.json()).toEqual(firstBody);
    await get('/api/products/2').then((response) => response.text());

    const purge = await revalidate('product-1');
    expect(purge.status).toBe(200);
    expect(await purge.json()).toEqual({ revalidated: 'product-1' });
    expect(local.cloudFront.invalidations(local.distribution.id).flatMap((i) => i.items)).toContain(
      '#product-1',
    );

    const third = await get('/api/products/1');
    expect(third.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect((await third.json()).renderedAt).not.toBe(firstBody.renderedAt);
    // Other tags stay cached.
    expect((await get('/api/products/2')).headers.get('x-cache')).toBe('Hit from cloudfront');
  });

  test('misses a getCache() entry once the bound has passed after another function process expired its tag', async () => {
    const stock = local.functionFor('/api/stock/[id]');
    const revalidator = local.functionFor('/api/revalidate');
    expect(stock.process.pid).not.toBe(revalidator.process.pid);

    expect(await (await get('/api/stock/7')).json()).toMatchObject({ id: '7', cached: false });
    const cached = await (await get('/api/stock/7')).json();
    expect(cached).toMatchObject({ id: '7', cached: true });

    expect((await revalidate('product-7')).status).toBe(200);
    // The stock process trusts the tag row it read for up to 300 ms, Vercel's documented propagation
    // bound for expireTag (runtime/cache/tag-expiry-memo.ts); past it, the entry must be a miss.
    await sleep(300);
    expect(await (await get('/api/stock/7')).json()).toMatchObject({ id: '7', cached: false });
  });

  test('gives a viewer in München its geolocation and ignores the x-real-ip it sends', async () => {
    const response = await get('/api/hello', {
      'CloudFront-Viewer-Address': '198.51.100.7:46532',
      'CloudFront-Viewer-Country': 'DE',
      'CloudFront-Viewer-Country-Region': 'BY',
      'CloudFront-Viewer-City': 'M%C3%BCnchen',
      'CloudFront-Viewer-Latitude': '48.13743',
      'CloudFront-Viewer-Longitude': '11.57549',
      'CloudFront-Viewer-Postal-Code': '80331',
      'x-real-ip': '6.6.6.6',
      'x-forwarded-for': '6.6.6.6',
      'x-vercel-ip-country': 'KP',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      geo: {
        city: 'München',
        country: 'DE',
        countryRegion: 'BY',
        flag: '🇩🇪',
        latitude: '48.13743',
        longitude: '11.57549',
        postalCode: '80331',
        region: 'iad1',
      },
      ip: '198.51.100.7',
      region: 'iad1',
      env: 'production',
    });
  });

  test('POSTs a JSON body through the body-signing Lambda@Edge function to an AWS_IAM Function URL', async () => {
    const before = local.edgeEvents.length;
    const response = await fetch(`${local.url}/api/users/42`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'Ada', id: '42', updated: true });
    // The signer saw the body, and the Function URL accepted the hash it set.
    const [event] = local.edgeEvents.slice(before);
    expect(event.Records[0].cf.request.body).toMatchObject({
      data: Buffer.from(JSON.stringify({ name: 'Ada' })).toString('base64'),
      inputTruncated: false,
    });

    const tooLarge = await fetch(`${local.url}/api/users/42`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(1024 * 1024 + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('x-cache')).toBe('LambdaGeneratedResponse from cloudfront');
  });

  test('refuses direct calls to a Function URL: unsigned, signed by a stranger, or with an unhashed body', async () => {
    const users = local.functionFor('/api/users/[id]');
    const host = new URL(users.functionUrl!).host;
    const call = (method: string, headers: Record<string, string>, body?: string) =>
      rawRequest(`${users.localUrl}/api/users/42`, { method, headers: { host, ...headers }, body });

    const unsigned = await call('GET', {});
    expect(unsigned.status).toBe(403);
    expect(JSON.parse(unsigned.body)).toEqual({ Message: 'Forbidden' });

    const sign = (method: string, credentials: SigningCredentials, extra: Record<string, string> = {}) => ({
      ...extra,
      ...signOriginRequest(
        { method, path: '/api/users/42', headers: new Map([['host', host], ...Object.entries(extra)]) },
        credentials,
        'us-east-1',
      ),
    });
    const stranger = await call(
      'GET',
      sign('GET', { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'not-trusted' }),
    );
    expect(stranger.status).toBe(403);
    expect(JSON.parse(stranger.body)).toEqual({
      message: 'The security token included in the request is invalid.',
    });

    // CloudFront's own signature over a body nobody hashed: Lambda accepts no unsigned payloads...
    const body = JSON.stringify({ name: 'Eve' });
    const unhashed = await call(
      'POST',
      { 'content-type': 'application/json', ...sign('POST', local.signingCredentials) },
      body,
    );
    expect(unhashed.status).toBe(403);
    expect(JSON.parse(unhashed.body).message).toMatch(/signature we calculated does not match/);
    // ...while the same request with the body's hash, as the body-signing function sets it, goes through.
    const hash = createHash('sha256').update(body).digest('hex');
    const hashed = await call(
      'POST',
      {
        'content-type': 'application/json',
        ...sign('POST', local.signingCredentials, { 'x-amz-content-sha256': hash }),
      },
      body,
    );
    expect(hashed.status).toBe(200);
    expect(JSON.parse(hashed.body)).toEqual({ name: 'Eve', id: '42', updated: true });
  });

  test('answers paths no function serves with the edge 404 of the not-found function', async () => {
    const response = await get('/nope');
    expect(response.status).toBe(404);
    expect(response.headers.get('x-cache')).toBe('FunctionGeneratedResponse from cloudfront');
    expect(await response.text()).toBe('The page could not be found.\n\nNOT_FOUND\n');
  });

  // examples/vercel.json's images, applied by VercelProject: the optimizer's staged bundle under the
  // real runtime. Its own node_modules holds sharp for Lambda's arm64; on another machine sharp
  // finds this machine's build in the node_modules linked above the assets.
  test('serves /_vercel/image from vercel.json images: a WebP of /api/photo fetched through the distribution', async () => {
    const response = await get('/_vercel/image?url=%2Fapi%2Fphoto&w=640', { accept: 'image/webp,*/*' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    const image = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect({ format: image.format, width: image.width }).toEqual({ format: 'webp', width: 640 });

    // 500 is not one of the sizes vercel.json lists.
    expect((await get('/_vercel/image?url=%2Fapi%2Fphoto&w=500')).status).toBe(400);
  });
});
