import { request } from 'node:http';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Cdn } from '../../../../lib/cdn';
import { CloudFrontEmulationError, type FunctionUrlInvocation } from '../../../../lib/local/cloudfront';
import { CloudFrontEndpoint } from '../../../../lib/local/cloudfront-endpoint';
import { OriginProtection } from '../../../../lib/origin-protection';
import { plainFunction } from '../../helpers';
import { cleanUp, type EmulatedStack, emulate, json, rawRequest, synthesize } from './helpers';

// The emulated distribution's request pipeline, on distributions synthesized from the real constructs
// (and a few plain CDK ones) with test doubles behind loopback Function URLs.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(cleanUp);

// The default construct: one behaviour per function, OAC with the body-signing Lambda@Edge function.
const cdnStack = () =>
  synthesize((stack) => {
    const cdn = new Cdn(stack, 'Cdn', { enableLogging: false });
    cdn.addFunction('/api/echo', plainFunction(stack, 'Echo'));
    cdn.addFunction('/api/items/*', plainFunction(stack, 'Items'));
    cdn.addFunction('/api/slow', plainFunction(stack, 'Slow'), { readTimeout: Duration.seconds(1) });
  });

describe('EmulatedDistribution on a Cdn', () => {
  let cdn: EmulatedStack;
  let answer: (
    event: Parameters<Parameters<typeof emulate>[1]>[0],
    fn: string,
  ) => FunctionUrlInvocation | Promise<FunctionUrlInvocation>;
  beforeAll(async () => {
    cdn = await emulate(cdnStack(), (event, fn) => answer(event, fn), {
      defaultLocation: { 'CloudFront-Viewer-Country': 'FR', 'CloudFront-Viewer-City': 'Paris' },
    });
  });
  beforeEach(() => {
    answer = (event, fn) => json({ fn, path: event.rawPath });
  });

  test('selects the behaviour by path pattern and answers other paths with the edge 404', async () => {
    expect(await (await fetch(`${cdn.url}/api/echo`)).json()).toEqual({
      fn: expect.stringMatching(/^Echo/),
      path: '/api/echo',
    });
    expect(await (await fetch(`${cdn.url}/api/items/1/2`)).json()).toEqual({
      fn: expect.stringMatching(/^Items/),
      path: '/api/items/1/2',
    });
    const missing = await fetch(`${cdn.url}/elsewhere`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-cache')).toBe('FunctionGeneratedResponse from cloudfront');
  });

  test("forwards what AllViewerExceptHostHeader forwards, with the origin's Host and CloudFront's headers", async () => {
    const response = await fetch(`${cdn.url}/api/echo?b=2&a=1`, {
      headers: {
        'x-custom': 'kept',
        cookie: 'session=abc; theme=dark',
        'x-real-ip': '6.6.6.6',
        'x-vercel-ip-country': 'KP',
        'CloudFront-Is-Mobile-Viewer': 'true',
      },
    });
    expect(response.status).toBe(200);
    const event = cdn.events.at(-1)!;
    expect(event.rawQueryString).toBe('b=2&a=1');
    expect(event.cookies).toEqual(['session=abc', 'theme=dark']);
    expect(event.headers).toMatchObject({
      host: expect.stringMatching(/^[a-z0-9]{32}\.lambda-url\.us-east-1\.on\.aws$/),
      'x-forwarded-host': new URL(cdn.url).host,
      'x-custom': 'kept',
      'cloudfront-forwarded-proto': 'http',
      'cloudfront-viewer-address': expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      'cloudfront-viewer-country': 'FR',
      'cloudfront-is-mobile-viewer': 'false',
      'x-vfa-distribution-id': cdn.model.id,
      via: expect.stringContaining('(CloudFront)'),
      'x-amz-cf-id': expect.any(String),
      authorization: expect.stringMatching(
        /^AWS4-HMAC-SHA256 Credential=\S+\/us-east-1\/lambda\/aws4_request/,
      ),
    });
    expect(event.headers['x-forwarded-for']).toMatch(/^127\.0\.0\.1/);
    expect(event.headers['x-real-ip']).toBeUndefined();
    expect(event.headers['x-vercel-ip-country']).toBeUndefined();
  });

  test('takes the CloudFront-Viewer-* headers a request sends as the viewer, else the default location', async () => {
    await fetch(`${cdn.url}/api/echo`, {
      headers: {
        'CloudFront-Viewer-Address': '198.51.100.7:443',
        'CloudFront-Viewer-Country': 'DE',
        'CloudFront-Viewer-City': 'M%C3%BCnchen',
      },
    });
    expect(cdn.events.at(-1)!.headers).toMatchObject({
      'cloudfront-viewer-address': '198.51.100.7:443',
      'cloudfront-viewer-country': 'DE',
      'cloudfront-viewer-city': 'M%C3%BCnchen',
      'x-forwarded-for': expect.stringMatching(/^198\.51\.100\.7/),
    });
    await fetch(`${cdn.url}/api/echo`);
    expect(cdn.events.at(-1)!.headers).toMatchObject({
      'cloudfront-viewer-country': 'FR',
      'cloudfront-viewer-city': 'Paris',
    });
  });

  test("percent-encodes a request's own non-ASCII location as CloudFront does, reading its bytes as UTF-8", async () => {
    // node:http sends each character as one byte: this string puts the UTF-8 bytes of the names on the wire.
    const utf8OnTheWire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    await rawRequest(`${cdn.url}/api/echo`, {
      headers: {
        'CloudFront-Viewer-City': utf8OnTheWire('München'),
        'CloudFront-Viewer-Country-Region-Name': utf8OnTheWire('Île-de-France'),
        'CloudFront-Viewer-Country': 'DE',
      },
    });
    expect(cdn.events.at(-1)!.headers).toMatchObject({
      'cloudfront-viewer-city': 'M%C3%BCnchen',
      'cloudfront-viewer-country-region-name': '%C3%8Ele-de-France',
      'cloudfront-viewer-country': 'DE',
    });
  });

  test('caches GET by s-maxage under path, query and x-forwarded-host; HEAD shares it; POST is never cached', async () => {
    let calls = 0;
    answer = () => json({ call: ++calls }, { 'cache-control': 'public, s-maxage=60' });
    const first = await fetch(`${cdn.url}/api/items/cached`);
    expect(first.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(await first.json()).toEqual({ call: 1 });
    const hit = await fetch(`${cdn.url}/api/items/cached`);
    expect(hit.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(hit.headers.get('age')).toMatch(/^\d+$/);
    expect(await hit.json()).toEqual({ call: 1 });
    const head = await fetch(`${cdn.url}/api/items/cached`, { method: 'HEAD' });
    expect(head.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(await (await fetch(`${cdn.url}/api/items/cached?v=2`)).json()).toEqual({ call: 2 });
    const otherHost = await rawRequest(`${cdn.url}/api/items/cached`, { headers: { host: 'other.example' } });
    expect(JSON.parse(otherHost.body)).toEqual({ call: 3 });
    const post = await fetch(`${cdn.url}/api/items/cached`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(post.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(await post.json()).toEqual({ call: 4 });
    expect(calls).toBe(4);
  });

  test('does not cache no-store, private or an answer without a lifetime (the default TTL is 0)', async () => {
    let calls = 0;
    for (const cacheControl of ['no-store', 'private, max-age=600', undefined]) {
      answer = () => json({ call: ++calls }, cacheControl ? { 'cache-control': cacheControl } : {});
      await fetch(`${cdn.url}/api/items/uncached`);
      const again = await fetch(`${cdn.url}/api/items/uncached`);
      expect(again.headers.get('x-cache')).toBe('Miss from cloudfront');
    }
    expect(calls).toBe(6);
  });

  test('hides the cache tag header from viewers and evicts by #tag, case-insensitively, and by path', async () => {
    let calls = 0;
    answer = (event) =>
      json(
        { call: ++calls },
        { 'cache-control': 's-maxage=600', 'Vercel-Cache-Tag': `group,item:${event.rawPath}` },
      );
    const first = await fetch(`${cdn.url}/api/items/tags/a`);
    expect(first.headers.get('vercel-cache-tag')).toBeNull();
    await fetch(`${cdn.url}/api/items/tags/b`);
    expect((await fetch(`${cdn.url}/api/items/tags/a`)).headers.get('x-cache')).toBe('Hit from cloudfront');

    expect(cdn.cdn.distribution.invalidate(['#ITEM:/api/items/tags/a'])).toBe(1);
    expect((await fetch(`${cdn.url}/api/items/tags/a`)).headers.get('x-cache')).toBe('Miss from cloudfront');
    expect((await fetch(`${cdn.url}/api/items/tags/b`)).headers.get('x-cache')).toBe('Hit from cloudfront');

    expect(cdn.cdn.distribution.invalidate(['/api/items/tags/*'])).toBe(2);
    expect((await fetch(`${cdn.url}/api/items/tags/b`)).headers.get('x-cache')).toBe('Miss from cloudfront');
  });

  test('caches a 404 only when its headers ask for it, and runs no viewer-response function for it', async () => {
    let calls = 0;
    answer = () => json({ call: ++calls }, { 'cache-control': 'no-store', 'x-vfa-internal': 'kept' }, 404);
    const first = await fetch(`${cdn.url}/api/items/gone`);
    expect(first.status).toBe(404);
    expect(first.headers.get('x-cache')).toBe('Error from cloudfront');
    // The viewer-response function (which drops x-vfa-* headers) does not run for status >= 400.
    expect(first.headers.get('x-vfa-internal')).toBe('kept');
    // The Cdn sets the error caching minimum TTL to 0, so a no-store 404 is not kept.
    await fetch(`${cdn.url}/api/items/gone`);
    expect(calls).toBe(2);

    answer = () => json({ call: ++calls }, { 'cache-control': 's-maxage=60' }, 404);
    await fetch(`${cdn.url}/api/items/missing`);
    await fetch(`${cdn.url}/api/items/missing`);
    expect(calls).toBe(3);

    answer = () => json({ ok: true }, { 'x-vfa-internal': 'dropped' });
    expect((await fetch(`${cdn.url}/api/items/fine`)).headers.get('x-vfa-internal')).toBeNull();
  });

  test('serves a stale object within stale-while-revalidate and refreshes it in the background', async () => {
    let calls = 0;
    answer = () => json({ call: ++calls }, { 'cache-control': 's-maxage=1, stale-while-revalidate=60' });
    await fetch(`${cdn.url}/api/items/swr`);
    await sleep(1_100);
    const stale = await fetch(`${cdn.url}/api/items/swr`);
    expect(stale.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(await stale.json()).toEqual({ call: 1 });
    let body: unknown;
    for (let attempt = 0; attempt < 50; attempt++) {
      body = await (await fetch(`${cdn.url}/api/items/swr`)).json();
      if ((body as { call: number }).call === 2) break;
      await sleep(20);
    }
    expect(body).toEqual({ call: 2 });
    expect(calls).toBe(2);
  });

  test('never caches a 206 nor the answer to a Range request, so later requests get the whole object', async () => {
    const data = 'abcdefghijklmnopqrstuvwxyz';
    let calls = 0;
    answer = (event) => {
      calls++;
      const range = /^bytes=(\d+)-(\d+)$/.exec(event.headers.range ?? '');
      const cache = { 'cache-control': 's-maxage=60', 'accept-ranges': 'bytes' };
      if (!range) return json(data, cache);
      const [start, end] = [Number(range[1]), Number(range[2])];
      return json(data.slice(start, end + 1), { ...cache, 'content-range': `bytes ${start}-${end}/26` }, 206);
    };
    // fetch() sends Accept-Encoding: identity with a Range; the same for all keeps one cache key.
    const get = (range?: string) =>
      fetch(`${cdn.url}/api/items/file`, {
        headers: { 'accept-encoding': 'identity', ...(range ? { range } : {}) },
      });
    const partial = await get('bytes=0-2');
    expect([partial.status, await partial.json()]).toEqual([206, 'abc']);
    const whole = await get();
    expect([whole.status, whole.headers.get('x-cache'), await whole.json()]).toEqual([
      200,
      'Miss from cloudfront',
      data,
    ]);
    const cached = await get();
    expect([cached.headers.get('x-cache'), await cached.json()]).toEqual(['Hit from cloudfront', data]);
    const other = await get('bytes=5-9');
    // Served whole from the cache (a server may ignore Range), never another range's bytes.
    expect([other.headers.get('x-cache'), await other.json()]).toEqual(['Hit from cloudfront', data]);
    expect(calls).toBe(2);

    answer = () => json('partial', { 'cache-control': 's-maxage=60' }, 206);
    await fetch(`${cdn.url}/api/items/unasked-206`);
    const again = await fetch(`${cdn.url}/api/items/unasked-206`);
    expect(again.headers.get('x-cache')).toBe('Miss from cloudfront');
  });

  test('keeps the query as the viewer sent it in the path invalidations match', async () => {
    answer = () => json({ ok: true }, { 'cache-control': 's-maxage=600' });
    const queries = ['a=1&b=2&a=3', 'flag=', "q='x'", 'q=%7e'];
    for (const query of queries) {
      const first = await sendAsIs(`/api/items/raw?${query}`);
      expect([query, first.headers['x-cache']]).toEqual([query, 'Miss from cloudfront']);
      expect([query, (await sendAsIs(`/api/items/raw?${query}`)).headers['x-cache']]).toEqual([
        query,
        'Hit from cloudfront',
      ]);
    }
    for (const query of queries) {
      expect([query, cdn.cdn.distribution.invalidate([`/api/items/raw?${query}`])]).toEqual([query, 1]);
    }
  });

  // node:http sends `path` as given; fetch() and a URL string go through a URL parser first.
  function sendAsIs(path: string): Promise<{ headers: Record<string, unknown> }> {
    const { hostname, port } = new URL(cdn.url);
    return new Promise((resolve, reject) => {
      request({ host: hostname, port, path }, (response) => {
        response.resume();
        response.on('end', () => resolve({ headers: response.headers }));
      })
        .on('error', reject)
        .end();
    });
  }

  test('passes a POST body through the body-signing function, so the AWS_IAM Function URL accepts it', async () => {
    answer = (event) => json({ body: event.body, hash: event.headers['x-amz-content-sha256'] });
    const response = await fetch(`${cdn.url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"Ada"}',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      body: '{"name":"Ada"}',
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  test('refuses an unsigned direct call to the Function URL', async () => {
    const host = cdn.events.at(-1)!.headers.host!;
    const direct = await rawRequest(`${cdn.functionUrls.url}/api/echo`, { headers: { host } });
    expect(direct.status).toBe(403);
    expect(JSON.parse(direct.body)).toEqual({ Message: 'Forbidden' });
  });

  test('answers 504 when the origin sends nothing within its read timeout', async () => {
    answer = async () => {
      await sleep(1_500);
      return json({ late: true });
    };
    const response = await fetch(`${cdn.url}/api/slow`);
    expect(response.status).toBe(504);
    expect(response.headers.get('x-cache')).toBe('Error from cloudfront');
  });
});

describe('EmulatedDistribution invalidations', () => {
  let endpoint: CloudFrontEndpoint;
  let client: CloudFrontClient;
  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
  });

  test('evicts what CreateInvalidation sends the loopback CloudFront API', async () => {
    const stack = cdnStack();
    let calls = 0;
    const answer = () =>
      json({ call: ++calls }, { 'cache-control': 's-maxage=600', 'vercel-cache-tag': 'product-1' });
    // The distribution id is derived from the template, so it is known before the emulation starts.
    const probe = await emulate(stack, answer);
    endpoint = await CloudFrontEndpoint.start({ distributionIds: [probe.model.id], completionDelayMs: 0 });
    const cdn = await emulate(stack, answer, { invalidations: endpoint });
    client = new CloudFrontClient({
      region: 'us-east-1',
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await fetch(`${cdn.url}/api/items/1`);
    expect((await fetch(`${cdn.url}/api/items/1`)).headers.get('x-cache')).toBe('Hit from cloudfront');
    await client.send(
      new CreateInvalidationCommand({
        DistributionId: cdn.model.id,
        InvalidationBatch: { CallerReference: 'test-1', Paths: { Quantity: 1, Items: ['#product-1'] } },
      }),
    );
    expect((await fetch(`${cdn.url}/api/items/1`)).headers.get('x-cache')).toBe('Miss from cloudfront');
  });
});

describe('EmulatedDistribution with other origin protections', () => {
  test('rejects a POST body at the AWS_IAM Function URL when nothing hashes it (OriginProtection.oac())', async () => {
    const stack = synthesize((scope) => {
      new Cdn(scope, 'Cdn', { enableLogging: false, originProtection: OriginProtection.oac() }).addFunction(
        '/api/echo',
        plainFunction(scope, 'Echo'),
      );
    });
    const cdn = await emulate(stack, () => json({ ok: true }));
    expect((await fetch(`${cdn.url}/api/echo`)).status).toBe(200);
    const post = await fetch(`${cdn.url}/api/echo`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(403);
    expect(cdn.events).toHaveLength(1);
  });

  test('adds the origin secret from Secrets Manager with OriginProtection.secretHeader()', async () => {
    const stack = synthesize((scope) => {
      new Cdn(scope, 'Cdn', {
        enableLogging: false,
        originProtection: OriginProtection.secretHeader(),
      }).addFunction('/api/echo', plainFunction(scope, 'Echo'));
    });
    const secretId = Object.keys(stack.template.Resources).find(
      (id) => stack.template.Resources[id].Type === 'AWS::SecretsManager::Secret',
    )!;
    const unbound = emulate(stack, () => json({}));
    await expect(unbound).rejects.toThrow(CloudFrontEmulationError);
    await expect(unbound).rejects.toThrow(/reads the secret .* give its value in secretValues/);
    const cdn = await emulate(stack, (event) => json({ secret: event.headers['x-vfa-origin-secret'] }), {
      bindings: { secretValues: { [secretId]: 's3cr3t' } },
    });
    // A viewer's own value is replaced, and the URL (auth type NONE) needs no signature.
    const response = await fetch(`${cdn.url}/api/echo`, { headers: { 'x-vfa-origin-secret': 'guess' } });
    expect(await response.json()).toEqual({ secret: 's3cr3t' });
  });
});

describe('EmulatedDistribution on plain CloudFront constructs', () => {
  function distributionWith(code: string, options: { allowedMethods?: cloudfront.AllowedMethods } = {}) {
    return synthesize((stack) => {
      const url = plainFunction(stack, 'Fn').addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
      new cloudfront.Distribution(stack, 'Distribution', {
        defaultBehavior: {
          origin: new origins.FunctionUrlOrigin(url),
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          allowedMethods: options.allowedMethods,
          functionAssociations: [
            {
              eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
              function: new cloudfront.Function(stack, 'ViewerRequest', {
                code: cloudfront.FunctionCode.fromInline(code),
                runtime: cloudfront.FunctionRuntime.JS_2_0,
              }),
            },
          ],
        },
      });
    });
  }

  test('answers 503 when the viewer-request function throws and 502 when it returns no request', async () => {
    const throws = await emulate(distributionWith("function handler() { throw new Error('boom'); }"), () =>
      json({}),
    );
    const failed = await fetch(`${throws.url}/`);
    expect(failed.status).toBe(503);
    expect(await failed.text()).toContain('boom');
    const invalid = await emulate(distributionWith('function handler() { return 42; }'), () => json({}));
    expect((await fetch(`${invalid.url}/`)).status).toBe(502);
  });

  test('lets a viewer-request function rewrite the URI and query before the origin sees them', async () => {
    const cdn = await emulate(
      distributionWith(
        "function handler(event) { var r = event.request; r.uri = '/rewritten'; r.querystring = { q: { value: '1' } }; return r; }",
      ),
      (event) => json({ path: event.rawPath, query: event.rawQueryString }),
    );
    expect(await (await fetch(`${cdn.url}/original?x=y`)).json()).toEqual({
      path: '/rewritten',
      query: 'q=1',
    });
  });

  test('answers 403 for a method the behaviour does not allow', async () => {
    const cdn = await emulate(distributionWith('function handler(event) { return event.request; }'), () =>
      json({}),
    );
    const response = await fetch(`${cdn.url}/`, { method: 'DELETE' });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-cache')).toBe('Error from cloudfront');
  });
});

describe('EmulatedDistribution on the edge router', () => {
  test("routes through the router's key value store to the function's origin", async () => {
    const stack = synthesize((scope) => {
      new Cdn(scope, 'Cdn', {
        enableLogging: false,
        routes: {
          '/api/users/[id]': plainFunction(scope, 'Users'),
          '/api/users/me': plainFunction(scope, 'Me'),
        },
      });
    });
    const cdn = await emulate(stack, (event, fn) => json({ fn, path: event.rawPath }));
    expect(await (await fetch(`${cdn.url}/api/users/7`)).json()).toEqual({
      fn: expect.stringMatching(/^Users/),
      path: '/api/users/7',
    });
    expect(await (await fetch(`${cdn.url}/api/users/me`)).json()).toEqual({
      fn: expect.stringMatching(/^Me/),
      path: '/api/users/me',
    });
    const deeper = await fetch(`${cdn.url}/api/users/7/posts`);
    expect(deeper.status).toBe(404);
    expect(deeper.headers.get('x-cache')).toBe('FunctionGeneratedResponse from cloudfront');
  });
});
