import { setTimeout as sleep } from 'node:timers/promises';
import { geolocation, ipAddress, waitUntil } from '@vercel/functions';
import {
  InvalidHandlerModuleError,
  InvalidHandlerOptionError,
  LambdaRuntimeMissingError,
} from '../../../runtime/errors';
import { getContext } from '../../../runtime/get-context';
import { createHandler } from '../../../runtime/handler';
import type { VercelModule } from '../../../runtime/handler/types';
import {
  FakeResponseStream,
  fakeContext,
  functionUrlEvent,
  installFakeLambdaRuntime,
  invoke,
} from './fake-lambda';

let uninstall: () => void;
let errors: jest.SpyInstance;
let warnings: jest.SpyInstance;

beforeEach(() => {
  uninstall = installFakeLambdaRuntime();
  errors = jest.spyOn(console, 'error').mockImplementation(() => {});
  warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  uninstall();
  jest.restoreAllMocks();
});

const handlerFor = (userModule: VercelModule, options?: Parameters<typeof createHandler>[1]) =>
  createHandler(userModule, options);

/** Every console.error line, flattened to text, so tests can look for what was logged. */
const logged = (spy: jest.SpyInstance) => spy.mock.calls.map((args) => args.map(String).join(' ')).join('\n');

describe('createHandler', () => {
  test('throws LambdaRuntimeMissingError when the awslambda global is absent', () => {
    uninstall();
    expect(() => createHandler({ GET: () => new Response() })).toThrow(LambdaRuntimeMissingError);
    expect(() => createHandler({ GET: () => new Response() })).toThrow(/needs the global `awslambda`/);
  });

  test('throws at creation when the module has no usable handler', () => {
    expect(() => createHandler({ default: ((_req: unknown, _res: unknown) => {}) as never })).toThrow(
      InvalidHandlerModuleError,
    );
  });

  test('throws at creation when drainSafetyMarginMs is not a usable number', () => {
    for (const drainSafetyMarginMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
      expect(() => createHandler({ GET: () => new Response() }, { drainSafetyMarginMs })).toThrow(
        InvalidHandlerOptionError,
      );
    }
    expect(() => createHandler({ GET: () => new Response() }, { drainSafetyMarginMs: -1 })).toThrow(
      'drainSafetyMarginMs must be a finite number of milliseconds ≥ 0, got -1',
    );
  });

  test('marks the handler as response-streaming through awslambda.streamifyResponse', () => {
    const handler = handlerFor({ GET: () => new Response() });
    expect(
      (handler as unknown as Record<symbol, unknown>)[Symbol.for('aws.lambda.runtime.handler.streaming')],
    ).toBe('response');
  });

  test('streams status, headers, cookies and body when the handler returns a Response', async () => {
    const handler = handlerFor({
      POST: async (request) => {
        const headers = new Headers({ 'content-type': 'application/json', 'x-custom': 'yes' });
        headers.append('x-multi', 'a');
        headers.append('x-multi', 'b');
        headers.append('set-cookie', 'a=1; Path=/; HttpOnly');
        headers.append('set-cookie', 'b=2, with comma; Secure');
        return new Response(JSON.stringify({ echo: await request.text() }), { status: 201, headers });
      },
    });
    const result = await invoke(handler, functionUrlEvent({ method: 'POST', body: 'ping' }));
    expect(result.prelude).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json', 'x-custom': 'yes', 'x-multi': 'a, b' },
      cookies: ['a=1; Path=/; HttpOnly', 'b=2, with comma; Secure'],
    });
    expect(JSON.parse(result.body.toString())).toEqual({ echo: 'ping' });
    expect(result.rejection).toBeUndefined();
    expect(result.stream.writableFinished).toBe(true);
  });

  test('delivers status and headers when the body is empty or null', async () => {
    const handler = handlerFor({
      GET: () => new Response(null, { status: 204, headers: { 'x-empty': 'null' } }),
      PUT: () => new Response('', { status: 202, headers: { 'x-empty': 'string' } }),
    });
    const nullBody = await invoke(handler, functionUrlEvent());
    expect(nullBody.prelude).toEqual({ statusCode: 204, headers: { 'x-empty': 'null' }, cookies: [] });
    expect(nullBody.body.length).toBe(0);
    const emptyString = await invoke(handler, functionUrlEvent({ method: 'PUT' }));
    expect(emptyString.prelude?.statusCode).toBe(202);
    expect(emptyString.prelude?.headers).toEqual({
      'content-type': 'text/plain;charset=UTF-8',
      'x-empty': 'string',
    });
  });

  test('sends the GET handler status and headers but no body when the method is HEAD', async () => {
    let cancelled = false;
    const handler = handlerFor({
      GET: () =>
        new Response(
          new ReadableStream({
            pull: (controller) => controller.enqueue(new TextEncoder().encode('never sent')),
            cancel: () => {
              cancelled = true;
            },
          }),
          { headers: { 'content-type': 'text/plain', 'content-length': '10' } },
        ),
    });
    const result = await invoke(handler, functionUrlEvent({ method: 'HEAD' }));
    expect(result.prelude).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain', 'content-length': '10' },
      cookies: [],
    });
    expect(result.body.length).toBe(0);
    expect(cancelled).toBe(true);
  });

  test('answers 500 and logs the error with the request id when the handler throws before responding', async () => {
    const handler = handlerFor({
      GET: () => {
        throw new Error('kaboom');
      },
      POST: async () => {
        await sleep(5);
        throw new TypeError('async kaboom');
      },
    });
    for (const method of ['GET', 'POST']) {
      const result = await invoke(handler, functionUrlEvent({ method }), { requestId: `throw-${method}` });
      expect(result.prelude).toEqual({
        statusCode: 500,
        // no-store: CloudFront must not serve a passing error to other viewers.
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        cookies: [],
      });
      expect(result.body.toString()).toBe('Internal Server Error');
      expect(result.rejection).toBeUndefined();
      expect(result.stream.writableFinished).toBe(true);
    }
    expect(logged(errors)).toMatch(
      /handler threw before returning a response \(request throw-GET\) Error: kaboom/,
    );
    expect(logged(errors)).toMatch(/\(request throw-POST\) TypeError: async kaboom/);
  });

  test('answers 500 and logs what was returned when the handler does not return a Response', async () => {
    const handler = handlerFor({
      GET: () => ({ status: 200, body: 'plain object' }) as unknown as Response,
      POST: () => undefined as unknown as Response,
    });
    const object = await invoke(handler, functionUrlEvent(), { requestId: 'not-a-response' });
    expect(object.prelude?.statusCode).toBe(500);
    expect(logged(errors)).toMatch(
      /The handler returned an object instead of a Response \(request not-a-response\)/,
    );
    const nothing = await invoke(handler, functionUrlEvent({ method: 'POST' }), {
      requestId: 'undefined-response',
    });
    expect(nothing.prelude?.statusCode).toBe(500);
    expect(logged(errors)).toMatch(
      /The handler returned undefined instead of a Response \(request undefined-response\)/,
    );
  });

  test('answers 500 before sending anything when the returned Response body was already read', async () => {
    const handler = handlerFor({
      GET: async () => {
        const response = new Response('consumed');
        await response.text();
        return response;
      },
    });
    const result = await invoke(handler, functionUrlEvent(), { requestId: 'body-used' });
    expect(result.prelude?.statusCode).toBe(500);
    expect(result.aborted).toBe(false);
    expect(logged(errors)).toMatch(/returned a Response whose body was already read \(request body-used\)/);
  });

  test('accepts a Response from another fetch implementation when it has the Response shape', async () => {
    const foreign = {
      status: 203,
      headers: new Headers({ 'x-foreign': '1' }),
      body: new Response('from elsewhere').body,
      bodyUsed: false,
    };
    const handler = handlerFor({ GET: () => foreign as unknown as Response });
    const result = await invoke(handler, functionUrlEvent());
    expect(result.prelude).toEqual({ statusCode: 203, headers: { 'x-foreign': '1' }, cookies: [] });
    expect(result.body.toString()).toBe('from elsewhere');
  });

  test('fails the stream so the client sees an aborted response when the body errors after the first byte', async () => {
    let background = 'pending';
    const handler = handlerFor({
      GET: () => {
        waitUntil(sleep(50).then(() => (background = 'done')));
        let step = 0;
        return new Response(
          new ReadableStream({
            async pull(controller) {
              step++;
              if (step === 1) controller.enqueue(new TextEncoder().encode('partial '));
              else throw new Error('database went away');
            },
          }),
          { headers: { 'content-type': 'text/plain' } },
        );
      },
    });
    const result = await invoke(handler, functionUrlEvent(), { requestId: 'mid-stream' });
    expect(result.prelude?.statusCode).toBe(200);
    expect(result.body.toString()).toBe('partial ');
    // The handler rejected while the stream was still open: the runtime sends error trailers.
    expect(result.aborted).toBe(true);
    expect(result.rejection).toEqual({
      errorType: 'ResponseBodyError',
      errorMessage: 'The response body failed after the response had started (request mid-stream)',
    });
    expect(background).toBe('done');
    expect(logged(errors)).toMatch(
      /response body failed after the status and headers were sent.*\(request mid-stream\)/,
    );
    expect(logged(errors)).toMatch(/database went away/);
  });

  test('sends status and headers at once when the first body chunk is slow', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = handlerFor({
      GET: () =>
        new Response(
          new ReadableStream({
            async pull(controller) {
              await gate;
              controller.enqueue(new TextEncoder().encode('late'));
              controller.close();
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    });
    const { stream, done } = startInvocation(handler, 'slow-first');
    await until(() => stream.chunks.length > 0);
    expect(preludeOf(stream)).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/event-stream' },
      cookies: [],
    });
    release();
    await done;
    expect(stream.writableEnded).toBe(true);
    expect(Buffer.concat(stream.chunks).toString()).toMatch(/late$/);
  });

  test('sends status and headers before waiting when the first body chunk is empty', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let pulls = 0;
    const handler = handlerFor({
      GET: () =>
        new Response(
          new ReadableStream({
            async pull(controller) {
              pulls++;
              if (pulls === 1) return controller.enqueue(new Uint8Array(0));
              await gate;
              controller.enqueue(new TextEncoder().encode('data'));
              controller.close();
            },
          }),
        ),
    });
    const { stream, done } = startInvocation(handler, 'empty-first');
    await until(() => stream.chunks.length > 0);
    expect(preludeOf(stream)?.statusCode).toBe(200);
    release();
    await done;
    expect(Buffer.concat(stream.chunks).toString()).toMatch(/data$/);
  });

  test('sends status and headers, then fails the stream, when the body fails before its first chunk', async () => {
    const handler = handlerFor({
      GET: () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.error(new Error('no data at all'));
            },
          }),
        ),
    });
    const result = await invoke(handler, functionUrlEvent(), { requestId: 'fails-first' });
    expect(result.prelude?.statusCode).toBe(200);
    expect(result.body.length).toBe(0);
    expect(result.aborted).toBe(true);
    expect(result.rejection?.errorType).toBe('ResponseBodyError');
    expect(logged(errors)).toMatch(/no data at all/);
  });

  test('awaits a thenable the handler returns, as await would', async () => {
    const handler = handlerFor({
      GET: () =>
        ({
          // biome-ignore lint/suspicious/noThenProperty: the point of the test is a non-Promise thenable
          then: (resolve: (value: Response) => void) => resolve(new Response('from a thenable')),
        }) as unknown as Response,
      POST: () =>
        ({
          // biome-ignore lint/suspicious/noThenProperty: the point of the test is a non-Promise thenable
          then: (_resolve: unknown, reject: (reason: unknown) => void) =>
            reject(new Error('thenable failed')),
        }) as unknown as Response,
    });
    const resolved = await invoke(handler, functionUrlEvent());
    expect(resolved.body.toString()).toBe('from a thenable');
    const rejected = await invoke(handler, functionUrlEvent({ method: 'POST' }), { requestId: 'thenable' });
    expect(rejected.prelude?.statusCode).toBe(500);
    expect(logged(errors)).toMatch(
      /handler threw before returning a response \(request thenable\).*thenable failed/,
    );
  });

  test('answers 400 with the reason and logs it when the event is not a Function URL event', async () => {
    const userCalls: string[] = [];
    const handler = handlerFor({
      default: {
        fetch: () => {
          userCalls.push('called');
          return new Response();
        },
      },
    });

    const malformed = await invoke(handler, { hello: 'world' }, { requestId: 'bad-event' });
    expect(malformed.prelude?.statusCode).toBe(400);
    expect(malformed.prelude?.headers?.['content-type']).toBe('text/plain; charset=utf-8');
    expect(malformed.body.toString()).toMatch(/payload format version "2.0"\), got undefined as the version/);

    const badBase64 = await invoke(
      handler,
      functionUrlEvent({ method: 'POST', body: '%%%', isBase64Encoded: true }),
    );
    expect(badBase64.prelude?.statusCode).toBe(400);
    expect(badBase64.body.toString()).toBe(
      'Invalid request body: isBase64Encoded is true but the body is not valid base64 (character "%" at offset 0)',
    );

    const notAnObject = await invoke(handler, 'just a string');
    expect(notAnObject.prelude?.statusCode).toBe(400);
    expect(userCalls).toEqual([]);
    expect(logged(errors)).toMatch(/Rejected the invocation event with 400: .* \(request bad-event\)/);
  });

  test('answers an invalid HEAD event with a 400 that has no body', async () => {
    const handler = handlerFor({ default: { fetch: () => new Response('user code') } });
    const head = await invoke(
      handler,
      functionUrlEvent({ method: 'HEAD', headers: { 'x-bad': 'a\u0000b' } }),
    );
    expect(head.prelude?.statusCode).toBe(400);
    expect(head.body.length).toBe(0);

    const get = await invoke(handler, functionUrlEvent({ method: 'GET', headers: { 'x-bad': 'a\u0000b' } }));
    expect(get.prelude?.statusCode).toBe(400);
    expect(get.body.toString()).toBe('Invalid event: header "x-bad" has an invalid name or value');
  });

  test('serves a request whose User-Agent has characters above U+00FF, as Vercel does', async () => {
    const userAgent = 'Mozilla/5.0 (Linux; Android 12; \u7ea2\u7c73Note 11) Mobile';
    const handler = handlerFor({
      default: {
        fetch: (request: Request) =>
          Response.json({
            request: request.headers.get('user-agent'),
            context: getContext().headers?.['user-agent'],
          }),
      },
    });
    const result = await invoke(handler, functionUrlEvent({ headers: { 'user-agent': userAgent } }));
    expect(result.prelude?.statusCode).toBe(200);
    const nodeView = Buffer.from(userAgent, 'utf8').toString('latin1');
    expect(JSON.parse(result.body.toString())).toEqual({ request: nodeView, context: nodeView });
  });

  test('resolves only after waitUntil work has finished, and that work runs after the stream ended', async () => {
    let finishedAt = 0;
    const handler = handlerFor({
      GET: () => {
        waitUntil(sleep(150).then(() => (finishedAt = Date.now())));
        return new Response('fast response');
      },
    });
    const result = await invoke(handler, functionUrlEvent());
    expect(result.body.toString()).toBe('fast response');
    const endedAt = result.stream.endCalledAt ?? Number.POSITIVE_INFINITY;
    expect(endedAt).toBeLessThan(finishedAt);
    expect(finishedAt - endedAt).toBeGreaterThanOrEqual(100);
    expect(result.settledAt).toBeGreaterThanOrEqual(finishedAt);
  });

  test('logs a rejected waitUntil promise with the request id without changing the response', async () => {
    const handler = handlerFor({
      GET: () => {
        waitUntil(Promise.reject(new Error('analytics down')));
        return new Response('still fine');
      },
    });
    const result = await invoke(handler, functionUrlEvent(), { requestId: 'wu-reject' });
    expect(result.prelude?.statusCode).toBe(200);
    expect(result.body.toString()).toBe('still fine');
    expect(result.rejection).toBeUndefined();
    expect(logged(errors)).toMatch(
      /A waitUntil\(\) promise rejected \(request wu-reject\) Error: analytics down/,
    );
  });

  test('stops draining at the remaining time minus the safety margin and logs what it abandoned', async () => {
    const handler = handlerFor({
      GET: () => {
        waitUntil(new Promise(() => {}));
        waitUntil(new Promise(() => {}));
        waitUntil(sleep(10));
        return new Response('ok');
      },
    });
    const started = Date.now();
    const result = await invoke(handler, functionUrlEvent(), { requestId: 'bounded', timeoutMs: 1_000 });
    const took = result.settledAt - started;
    // 1000 ms timeout - 500 ms default margin.
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(900);
    expect(result.body.toString()).toBe('ok');
    expect(logged(warnings)).toMatch(
      /2 waitUntil\(\) promise\(s\) still running 500 ms before the invocation deadline were abandoned \(request bounded\)/,
    );

    const tight = handlerFor(
      {
        GET: () => {
          waitUntil(new Promise(() => {}));
          return new Response();
        },
      },
      { drainSafetyMarginMs: 900 },
    );
    const tightStarted = Date.now();
    const tightResult = await invoke(tight, functionUrlEvent(), { timeoutMs: 1_000 });
    expect(tightResult.settledAt - tightStarted).toBeLessThan(400);
  });

  test('waits for drain instead of buffering the body when the consumer is slower than the producer', async () => {
    const chunk = 64 * 1024;
    const total = 2 * 1024 * 1024;
    let produced = 0;
    const handler = handlerFor({
      GET: () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              if (produced >= total) return controller.close();
              controller.enqueue(new Uint8Array(chunk).fill(produced / chunk));
              produced += chunk;
            },
          }),
        ),
    });
    const result = await invoke(handler, functionUrlEvent(), { consumeDelayMs: 1, highWaterMark: 16 * 1024 });
    expect(result.body.length).toBe(total);
    expect(result.body[total - 1]).toBe(total / chunk - 1);
    // Without waiting for 'drain' the whole 2 MB would sit in the stream's buffer.
    expect(result.stream.maxBuffered).toBeLessThanOrEqual(chunk + 16 * 1024 + 1024);
  });

  test('gives the handler a request context with the derived headers and deadline', async () => {
    let seen: ReturnType<typeof getContext> | undefined;
    let geo: ReturnType<typeof geolocation> | undefined;
    let ip: string | undefined;
    // Set before the handler is created: it reads the environment once, as Lambda fixes it then.
    const previousRegion = process.env.AWS_REGION;
    process.env.AWS_REGION = 'eu-west-1';
    try {
      const handler = handlerFor({
        GET: (request) => {
          seen = getContext();
          geo = geolocation(request);
          ip = ipAddress(request);
          return new Response();
        },
      });
      const before = Date.now();
      await invoke(
        handler,
        functionUrlEvent({
          headers: {
            'x-forwarded-host': 'shop.example.com',
            'cloudfront-viewer-address': '[2001:db8::7]:61000',
            'cloudfront-viewer-country': 'IE',
            'x-vercel-oidc-token': 'spoofed',
          },
          cookies: ['theme=dark'],
        }),
        { requestId: 'ctx-1', timeoutMs: 10_000 },
      );
      expect(seen?.headers).toMatchObject({
        host: 'shop.example.com',
        'x-forwarded-host': 'shop.example.com',
        'x-real-ip': '2001:db8::7',
        'x-forwarded-for': '2001:db8::7',
        'x-vercel-ip-country': 'IE',
        'x-vercel-id': 'dub1::ctx-1',
        cookie: 'theme=dark',
      });
      expect(seen?.headers?.['x-vercel-oidc-token']).toBeUndefined();
      const deadline = new Date(seen?.deadline ?? 0).getTime();
      expect(deadline).toBeGreaterThanOrEqual(before + 9_000);
      expect(deadline).toBeLessThanOrEqual(Date.now() + 10_000);
      expect(typeof seen?.waitUntil).toBe('function');
      expect(ip).toBe('2001:db8::7');
      expect(geo).toMatchObject({ country: 'IE', flag: '🇮🇪', region: 'dub1' });
    } finally {
      if (previousRegion === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = previousRegion;
    }
    expect(getContext()).toEqual({});
  });

  test('keeps 200 interleaved concurrent invocations apart, including their bodies and waitUntil work', async () => {
    const backgroundSeen = new Map<number, string | undefined>();
    const handler = handlerFor({
      default: {
        async fetch(request) {
          const id = Number(request.headers.get('x-test-id'));
          await sleep(Math.random() * 20);
          waitUntil(
            (async () => {
              await sleep(Math.random() * 40);
              backgroundSeen.set(
                id,
                `${getContext().headers?.['x-test-id']}|${getContext().headers?.['x-real-ip']}`,
              );
            })(),
          );
          let step = 0;
          return new Response(
            new ReadableStream({
              async pull(controller) {
                await sleep(Math.random() * 5);
                const fromContext = getContext().headers?.['x-test-id'];
                if (step++ < 3)
                  controller.enqueue(new TextEncoder().encode(`${id}:${fromContext}:${ipAddress(request)};`));
                else controller.close();
              },
            }),
            { headers: { 'x-echo': String(id) } },
          );
        },
      },
    });

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, id) =>
        invoke(
          handler,
          functionUrlEvent({
            headers: {
              'x-test-id': String(id),
              'cloudfront-viewer-address': `10.0.${id >> 8}.${id & 255}:443`,
            },
          }),
          { requestId: `concurrent-${id}` },
        ),
      ),
    );

    results.forEach((result, id) => {
      const ip = `10.0.${id >> 8}.${id & 255}`;
      expect(result.prelude?.headers?.['x-echo']).toBe(String(id));
      expect(result.body.toString()).toBe(`${id}:${id}:${ip};`.repeat(3));
      expect(backgroundSeen.get(id)).toBe(`${id}|${ip}`);
    });
    expect(errors).not.toHaveBeenCalled();
  });
});

describe('createHandler with vercel.json rewrites and headers', () => {
  const ROUTE_ENV = 'VERCEL_FUNCTIONS_AWS_ROUTE';
  const saved = process.env[ROUTE_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[ROUTE_ENV];
    else process.env[ROUTE_ENV] = saved;
  });

  /** A module answering with what reached it; the handler reads the route variable at creation. */
  const reporter = (responseHeaders: Record<string, string> = {}) =>
    handlerFor({
      GET: (request) =>
        Response.json(
          {
            url: request.url,
            headers: Object.fromEntries(request.headers),
            contextHeaders: getContext().headers,
          },
          { headers: responseHeaders },
        ),
    });

  const cdnHeaders = (routeHeaders: Record<string, string>, rewritePath?: string) => ({
    'x-vfa-route-headers': JSON.stringify(routeHeaders),
    ...(rewritePath === undefined ? {} : { 'x-vfa-rewrite-path': rewritePath }),
  });

  test("routes by the rewrite's destination, keeps the viewer's URL, and hides both headers from user code", async () => {
    process.env[ROUTE_ENV] = '/api/users/[id]';
    const result = await invoke(
      reporter(),
      functionUrlEvent({
        rawPath: '/u/7',
        rawQueryString: 'id=7',
        headers: cdnHeaders({ 'x-frame-options': 'DENY' }, '/api/users/7'),
      }),
    );
    expect(result.prelude?.statusCode).toBe(200);
    const seen = JSON.parse(result.body.toString());
    expect(seen.url).toBe('https://abc123.lambda-url.us-east-1.on.aws/u/7?id=7');
    for (const headers of [seen.headers, seen.contextHeaders]) {
      expect(headers['x-vfa-rewrite-path']).toBeUndefined();
      expect(headers['x-vfa-route-headers']).toBeUndefined();
    }
    expect(result.prelude?.headers?.['x-frame-options']).toBe('DENY');
  });

  test("adds the rules' headers under the function's own, before the CDN step rewrites Cache-Control", async () => {
    const result = await invoke(
      reporter({ 'cache-control': 'max-age=10', 'x-frame-options': 'SAMEORIGIN' }),
      functionUrlEvent({
        headers: cdnHeaders({
          'cache-control': 'max-age=999',
          'cdn-cache-control': 's-maxage=300',
          'x-frame-options': 'DENY',
          'set-cookie': 'seen=1; Path=/',
        }),
      }),
    );
    expect(result.prelude?.headers).toMatchObject({
      // The rule's CDN-Cache-Control would be what CloudFront caches by, but the rule's Set-Cookie
      // keeps the response out of its cache; the function's Cache-Control (which wins over the
      // rule's) is what browsers get.
      'cache-control': 'private',
      'x-vfa-browser-cache-control': 'max-age=10',
      'x-frame-options': 'SAMEORIGIN',
    });
    expect(result.prelude?.cookies).toEqual(['seen=1; Path=/']);
  });

  test("gives CloudFront a rule's Cache-Control when the function sets none", async () => {
    const result = await invoke(
      reporter(),
      functionUrlEvent({ headers: cdnHeaders({ 'cache-control': 's-maxage=60' }) }),
    );
    expect(result.prelude?.headers?.['cache-control']).toBe('s-maxage=60');
  });

  test("adds the rules' headers to the adapter's 404, 405 and 400 responses", async () => {
    process.env[ROUTE_ENV] = '/api/users/[id]';
    const rules = cdnHeaders({ 'x-robots-tag': 'noindex' });
    const notFound = await invoke(
      reporter(),
      functionUrlEvent({
        rawPath: '/u/7',
        headers: { ...rules, 'x-vfa-rewrite-path': '/api/users/7/posts' },
      }),
    );
    expect(notFound.prelude?.statusCode).toBe(404);
    expect(notFound.prelude?.headers?.['x-robots-tag']).toBe('noindex');

    const badRewrite = await invoke(
      reporter(),
      functionUrlEvent({ rawPath: '/u/7', headers: { ...rules, 'x-vfa-rewrite-path': 'api/users/7' } }),
      { requestId: 'bad-rewrite' },
    );
    expect(badRewrite.prelude?.statusCode).toBe(400);
    expect(badRewrite.prelude?.headers?.['x-robots-tag']).toBe('noindex');
    expect(badRewrite.body.toString()).toBe('Bad Request');
    expect(logged(errors)).toMatch(/Rejected the request with 400.*\(request bad-rewrite\)/);

    const notAllowed = await invoke(
      reporter(),
      functionUrlEvent({ method: 'DELETE', rawPath: '/api/users/7', headers: rules }),
    );
    expect(notAllowed.prelude?.statusCode).toBe(405);
    expect(notAllowed.prelude?.headers?.['x-robots-tag']).toBe('noindex');

    const badEvent = await invoke(reporter(), { version: '2.0', headers: rules });
    expect(badEvent.prelude?.statusCode).toBe(400);
    expect(badEvent.prelude?.headers?.['x-robots-tag']).toBe('noindex');
  });

  test("leaves the rules' CDN cache headers off the adapter's own 404 and 500", async () => {
    process.env[ROUTE_ENV] = '/api/users/[id]';
    const rules = cdnHeaders({ 'cdn-cache-control': 'max-age=3600', 'x-robots-tag': 'noindex' });
    const notFound = await invoke(
      reporter(),
      functionUrlEvent({ rawPath: '/api/users/7/8', headers: rules }),
    );
    expect(notFound.prelude?.statusCode).toBe(404);
    expect(notFound.prelude?.headers?.['cache-control']).toBe('public, max-age=0, must-revalidate');
    expect(notFound.prelude?.headers?.['x-robots-tag']).toBe('noindex');

    const thrower = handlerFor({
      GET: () => {
        throw new Error('boom');
      },
    });
    const failed = await invoke(thrower, functionUrlEvent({ rawPath: '/api/users/7', headers: rules }));
    expect(failed.prelude?.statusCode).toBe(500);
    expect(failed.prelude?.headers?.['cache-control']).toBe('no-store');
    expect(failed.prelude?.headers?.['x-robots-tag']).toBe('noindex');
  });

  test("leaves the rules' headers off an invalid event's 400 when the origin secret is configured", async () => {
    const SECRET_ENV = 'VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN';
    process.env[SECRET_ENV] = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:origin-AbCdEf';
    try {
      const badEvent = await invoke(reporter(), {
        version: '2.0',
        headers: cdnHeaders({ 'content-security-policy': "default-src 'self'" }),
      });
      expect(badEvent.prelude?.statusCode).toBe(400);
      expect(badEvent.prelude?.headers?.['content-security-policy']).toBeUndefined();
    } finally {
      delete process.env[SECRET_ENV];
    }
  });

  test('sends the response without the rules, and logs why once, when the route headers are not valid JSON', async () => {
    const result = await invoke(
      reporter({ 'x-own': '1' }),
      functionUrlEvent({ headers: { 'x-vfa-route-headers': '{"x-robots-tag":' } }),
      { requestId: 'bad-rules' },
    );
    expect(result.prelude?.statusCode).toBe(200);
    expect(result.prelude?.headers?.['x-own']).toBe('1');
    expect(result.prelude?.headers?.['x-robots-tag']).toBeUndefined();
    expect(errors).toHaveBeenCalledTimes(1);
    expect(logged(errors)).toMatch(/"x-vfa-route-headers" is not valid JSON.*\(request bad-rules\)/);
  });

  // A bundle built without the headers rules (bundle-switches.ts) sees the switch as a global
  // `false`, read when the handler is created; setting the global stands in for esbuild's define.
  // test/harness/rewrites.test.ts runs a real bundle built that way.
  describe('in a bundle built without the headers rules', () => {
    const switches = globalThis as Record<string, unknown>;
    beforeEach(() => {
      switches.__VFA_ROUTE_HEADERS__ = false;
    });
    afterEach(() => {
      delete switches.__VFA_ROUTE_HEADERS__;
    });

    test('answers 500 without calling user code, and logs the fix, when route headers arrive', async () => {
      let calls = 0;
      const handler = handlerFor({
        GET: () => {
          calls++;
          return new Response('served');
        },
      });
      const result = await invoke(
        handler,
        functionUrlEvent({ headers: cdnHeaders({ 'strict-transport-security': 'max-age=63072000' }) }),
        { requestId: 'lean' },
      );
      expect(result.prelude?.statusCode).toBe(500);
      expect(result.prelude?.headers?.['strict-transport-security']).toBeUndefined();
      expect(result.body.toString()).toBe('Internal Server Error');
      expect(calls).toBe(0);
      expect(logged(errors)).toMatch(
        /The CDN sent vercel\.json headers rules' response headers \(x-vfa-route-headers\), but this function was bundled with routeHeaders: false; set routeHeaders: true on its VercelFunction.*\(request lean\)/,
      );
    });

    test('serves a request without route headers, a rewritten one included', async () => {
      process.env[ROUTE_ENV] = '/api/users/[id]';
      const result = await invoke(
        reporter({ 'x-own': '1' }),
        functionUrlEvent({ rawPath: '/u/7', headers: { 'x-vfa-rewrite-path': '/api/users/7' } }),
      );
      expect(result.prelude?.statusCode).toBe(200);
      expect(result.prelude?.headers?.['x-own']).toBe('1');
      expect(JSON.parse(result.body.toString()).url).toMatch(/\/u\/7\?id=7$/);
      expect(errors).not.toHaveBeenCalled();
    });

    test('rejects an invalid event carrying route headers with its own status, without their headers', async () => {
      const result = await invoke(reporter(), {
        version: '2.0',
        headers: cdnHeaders({ 'x-robots-tag': 'noindex' }),
      });
      expect(result.prelude?.statusCode).toBe(400);
      expect(result.prelude?.headers?.['x-robots-tag']).toBeUndefined();
    });
  });
});

/** Starts an invocation on a stream the test can watch while the handler is still running. */
function startInvocation(handler: (...args: never[]) => unknown, requestId: string) {
  const stream = new FakeResponseStream();
  const call = handler as (event: unknown, stream: FakeResponseStream, context: unknown) => Promise<void>;
  return { stream, done: call(functionUrlEvent(), stream, fakeContext(requestId)) };
}

/** Waits, turn by turn of the event loop, until `condition` holds; fails after 1,000 turns. */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1_000; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not met within 1,000 turns of the event loop');
}

/** The prelude a stream carries so far, or undefined before its delimiter was written. */
function preludeOf(stream: FakeResponseStream): Record<string, unknown> | undefined {
  const raw = Buffer.concat(stream.chunks);
  const delimiter = raw.indexOf(Buffer.alloc(8));
  return delimiter < 0 ? undefined : JSON.parse(raw.subarray(0, delimiter).toString('utf8'));
}
