import { setFlagsFromString } from 'node:v8';
import { InvalidEventError } from '../../../runtime/errors';
import {
  isHeadEvent,
  readFunctionUrlRequest,
  routeHeadersOf,
  toWebRequest,
} from '../../../runtime/handler/event';
import { functionUrlEvent } from './fake-lambda';

const options = { requestId: 'req-1', awsRegion: 'eu-central-1' };

function rejection(event: unknown): InvalidEventError {
  try {
    toWebRequest(event, options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    return error as InvalidEventError;
  }
  throw new Error('expected toWebRequest to throw');
}

// Whether V8 keeps `object` in fast mode; a dictionary-mode header record costs µs per request.
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (
  object: object,
) => boolean;

// Forty viewer headers, as many as a request through CloudFront carries.
const viewerHeaders = Object.fromEntries(
  Array.from({ length: 40 }, (_, i) => [`x-viewer-${i}`, `value ${i}`]),
);

// A deployed-size Function URL event with `headers` on top of the viewer's, parsed from JSON as
// Lambda's runtime client gives it (so V8 builds its objects as it does there).
function deployedSizeEvent(
  headers: Record<string, string>,
  requestContext: Record<string, unknown>,
): unknown {
  return JSON.parse(
    JSON.stringify(functionUrlEvent({ headers: { ...viewerHeaders, ...headers }, requestContext })),
  );
}

describe('toWebRequest', () => {
  test('builds the URL from x-forwarded-host, rawPath and rawQueryString when CloudFront set the public host', () => {
    const request = toWebRequest(
      functionUrlEvent({
        rawPath: '/api/items/42',
        rawQueryString: 'a=1&b=two%20words',
        headers: { 'x-forwarded-host': 'www.example.com', 'cloudfront-forwarded-proto': 'https' },
      }),
      options,
    );
    expect(request.url).toBe('https://www.example.com/api/items/42?a=1&b=two%20words');
    expect(new URL(request.url).searchParams.get('b')).toBe('two words');
  });

  test('keeps the URL as the viewer sent it next to the parsed one when URL parsing re-encodes the query', () => {
    // CloudFront keys the cached response on the query as received; invalidation paths must name it so.
    const { request, url } = readFunctionUrlRequest(
      functionUrlEvent({
        rawPath: '/api/items',
        rawQueryString: "q='x'&flag=&a=1&a=2",
        headers: { host: 'www.example.com' },
      }),
      options,
    );
    expect(url).toBe("https://www.example.com/api/items?q='x'&flag=&a=1&a=2");
    expect(request.url).toBe('https://www.example.com/api/items?q=%27x%27&flag=&a=1&a=2');
  });

  test('gives the Host header the public host too when CloudFront set x-forwarded-host, as Vercel does', () => {
    const { request, headers } = readFunctionUrlRequest(
      functionUrlEvent({
        headers: {
          host: 'abc123.lambda-url.us-east-1.on.aws',
          'x-forwarded-host': 'shop.example.com, b.example.com',
        },
      }),
      options,
    );
    expect(request.headers.get('host')).toBe('shop.example.com');
    expect(headers.host).toBe('shop.example.com');
    expect(request.headers.get('x-forwarded-host')).toBe('shop.example.com, b.example.com');
  });

  test("sets x-vercel-cron-schedule from requestContext, which only a direct invoker can write (a vercel.json cron's schedule)", () => {
    const event = functionUrlEvent();
    (event.requestContext as unknown as Record<string, unknown>).vercelCronSchedule = '0 5 * * 1-5';
    const { request, headers } = readFunctionUrlRequest(event, options);
    expect(request.headers.get('x-vercel-cron-schedule')).toBe('0 5 * * 1-5');
    expect(headers['x-vercel-cron-schedule']).toBe('0 5 * * 1-5');
  });

  test('drops an x-vercel-cron-schedule header a client sent', () => {
    const { request } = readFunctionUrlRequest(
      functionUrlEvent({ headers: { 'x-vercel-cron-schedule': '* * * * *' } }),
      options,
    );
    expect(request.headers.get('x-vercel-cron-schedule')).toBeNull();
  });

  test('rejects a requestContext cron schedule that could not be a header value', () => {
    const event = functionUrlEvent();
    (event.requestContext as unknown as Record<string, unknown>).vercelCronSchedule = '0 5 * * *\r\nx: y';
    expect(rejection(event).message).toBe(
      'Invalid event: requestContext.vercelCronSchedule must be a cron schedule, got the string "0 5 * * *\\r\\nx: y"',
    );
  });

  test('leaves the Host header as it came when there is no x-forwarded-host (a Function URL called directly)', () => {
    const { request } = readFunctionUrlRequest(
      functionUrlEvent({ headers: { host: 'direct.example.com' } }),
      options,
    );
    expect(request.headers.get('host')).toBe('direct.example.com');
  });

  test('falls back to the host header, then to requestContext.domainName, when there is no x-forwarded-host', () => {
    expect(toWebRequest(functionUrlEvent({ headers: { host: 'direct.example.com' } }), options).url).toBe(
      'https://direct.example.com/api/hello',
    );
    const event = functionUrlEvent();
    (event.headers as Record<string, string>).host = '';
    expect(toWebRequest(event, options).url).toBe('https://abc123.lambda-url.us-east-1.on.aws/api/hello');
  });

  test('uses the first host of a comma-separated x-forwarded-host and the forwarded protocol when given', () => {
    const request = toWebRequest(
      functionUrlEvent({
        headers: { 'x-forwarded-host': 'a.example.com, b.example.com', 'x-forwarded-proto': 'http' },
      }),
      options,
    );
    expect(request.url).toBe('http://a.example.com/api/hello');
  });

  test('keeps the method, headers and a plain body when the event is not base64-encoded', async () => {
    const request = toWebRequest(
      functionUrlEvent({
        method: 'POST',
        body: '{"hello":"wörld"}',
        headers: { 'content-type': 'application/json' },
      }),
      options,
    );
    expect(request.method).toBe('POST');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(await request.json()).toEqual({ hello: 'wörld' });
  });

  test('decodes a base64 body byte for byte when isBase64Encoded is true', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 255, 10, 13]);
    const request = toWebRequest(
      functionUrlEvent({ method: 'PUT', body: bytes.toString('base64'), isBase64Encoded: true }),
      options,
    );
    expect(Buffer.from(await request.arrayBuffer())).toEqual(bytes);
  });

  test('joins cookies[] into one cookie header when the event carries cookies', () => {
    const request = toWebRequest(functionUrlEvent({ cookies: ['a=1', 'b=two', 'session=xyz'] }), options);
    expect(request.headers.get('cookie')).toBe('a=1; b=two; session=xyz');
  });

  test('drops the body when the method is GET or HEAD', async () => {
    const get = toWebRequest(functionUrlEvent({ method: 'GET', body: 'ignored' }), options);
    const head = toWebRequest(
      functionUrlEvent({ method: 'HEAD', body: 'aWdub3JlZA==', isBase64Encoded: true }),
      options,
    );
    expect(get.body).toBeNull();
    expect(head.body).toBeNull();
  });

  test('derives the trusted headers when the event has CloudFront viewer headers', () => {
    const request = toWebRequest(
      functionUrlEvent({
        headers: {
          'cloudfront-viewer-address': '203.0.113.9:51234',
          'x-real-ip': '6.6.6.6',
          'x-vercel-id': 'spoofed',
        },
      }),
      options,
    );
    expect(request.headers.get('x-real-ip')).toBe('203.0.113.9');
    expect(request.headers.get('x-vercel-id')).toBe('fra1::req-1');
  });

  test('derives the trusted headers from CloudFront viewer headers when OAC signed the Function URL request', () => {
    const { headers } = readFunctionUrlRequest(
      functionUrlEvent({
        headers: { 'cloudfront-viewer-address': '203.0.113.9:51234', 'cloudfront-viewer-country': 'IE' },
        requestContext: {
          accountId: '123456789012',
          authorizer: {
            iam: {
              accountId: '123456789012',
              callerId: 'AROAEXAMPLE',
              userArn: 'arn:aws:sts::123456789012:assumed-role/x',
            },
          },
        },
      }),
      options,
    );
    expect(headers).toMatchObject({ 'x-real-ip': '203.0.113.9', 'x-vercel-ip-country': 'IE' });
  });

  test('leaves out the SigV4 signature headers Lambda verified when the event is IAM-authorized', () => {
    const { request, headers } = readFunctionUrlRequest(
      functionUrlEvent({
        headers: {
          authorization: 'AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261127/us-east-1/lambda/aws4_request',
          'x-amz-date': '20261127T120000Z',
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
          'x-amz-security-token': 'token',
          'x-amz-meta-kept': 'yes',
        },
        requestContext: { accountId: '123456789012', authorizer: { iam: { accessKey: 'ASIAEXAMPLE' } } },
      }),
      options,
    );
    for (const name of ['authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token']) {
      expect([name, headers[name], request.headers.get(name)]).toEqual([name, undefined, null]);
    }
    expect(headers['x-amz-meta-kept']).toBe('yes');
  });

  test('gives an IAM-authorized event of many headers a fast-properties record, not a V8 dictionary', () => {
    // The deployed shape behind the default OAC: ~45 headers, signed. Built name by name (or
    // deleted from a clone), the record became a dictionary object: ~8 µs more per request.
    const event = deployedSizeEvent(
      { authorization: 'AWS4-HMAC-SHA256 x', 'x-amz-date': '20261127T120000Z' },
      { authorizer: { iam: { accessKey: 'ASIAEXAMPLE' } } },
    );
    const { headers } = readFunctionUrlRequest(event, options);
    expect(headers).toMatchObject(viewerHeaders);
    expect([headers.authorization, headers['x-amz-date']]).toEqual([undefined, undefined]);
    expect(hasFastProperties(headers)).toBe(true);
  });

  test('leaves out the signature headers in any casing when an IAM-authorized event needs its headers copied', () => {
    const { headers } = readFunctionUrlRequest(
      functionUrlEvent({
        headers: {
          Authorization: 'AWS4-HMAC-SHA256 x',
          'X-Amz-Date': '20261127T120000Z',
          accept: ' text/html ',
        },
        requestContext: { authorizer: { iam: { accessKey: 'ASIAEXAMPLE' } } },
      }),
      options,
    );
    expect(headers.authorization).toBeUndefined();
    expect(headers['x-amz-date']).toBeUndefined();
    expect(headers.accept).toBe('text/html');
  });

  test('keeps an Authorization header when the event is not IAM-authorized', () => {
    const { request, headers } = readFunctionUrlRequest(
      functionUrlEvent({
        headers: { authorization: 'Bearer alice-token', 'x-amz-date': '20261127T120000Z' },
        requestContext: { authorizer: { jwt: { claims: {} } } },
      }),
      options,
    );
    expect(headers).toMatchObject({ authorization: 'Bearer alice-token', 'x-amz-date': '20261127T120000Z' });
    expect(request.headers.get('authorization')).toBe('Bearer alice-token');
  });

  describe('with an API Gateway HTTP API event (payload 2.0, not a Function URL)', () => {
    const apiGatewayEvent = () =>
      functionUrlEvent({
        headers: {
          'cloudfront-viewer-address': '6.6.6.6:1234',
          'cloudfront-viewer-country': 'KP',
          'CloudFront-Viewer-City': 'Pyongyang',
          'x-real-ip': '7.7.7.7',
        },
        requestContext: {
          domainName: 'a1b2c3.execute-api.us-east-1.amazonaws.com',
          http: { method: 'GET', path: '/api/hello', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9' },
        },
      });
    const saved = process.env.VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN;
    afterEach(() => {
      if (saved === undefined) delete process.env.VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN;
      else process.env.VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN = saved;
    });

    test("takes the IP from the source IP and drops the client's CloudFront-Viewer-* headers", () => {
      delete process.env.VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN;
      const { request, headers } = readFunctionUrlRequest(apiGatewayEvent(), options);
      expect(request.headers.get('x-real-ip')).toBe('203.0.113.9');
      expect(request.headers.get('x-forwarded-for')).toBe('203.0.113.9');
      expect(request.headers.get('x-vercel-ip-country')).toBeNull();
      expect(request.headers.get('cloudfront-viewer-country')).toBeNull();
      expect(Object.keys(headers).filter((name) => name.startsWith('cloudfront-viewer-'))).toEqual([]);
      expect(headers['x-vercel-ip-city']).toBeUndefined();
    });

    test('trusts the CloudFront-Viewer-* headers behind secretHeader(), whose guard admits only CloudFront', () => {
      process.env.VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN =
        'arn:aws:secretsmanager:us-east-1:123456789012:secret:o-AbCdEf';
      const { headers } = readFunctionUrlRequest(apiGatewayEvent(), options);
      expect(headers).toMatchObject({
        'x-real-ip': '6.6.6.6',
        'x-vercel-ip-country': 'KP',
        'cloudfront-viewer-country': 'KP',
      });
    });
  });

  test.each([
    ['no padding', 'aGVsbG8h', 'hello!'],
    ['one "="', 'aGVsbG8=', 'hello'],
    ['two "="', 'aGVsbA==', 'hell'],
    ['no characters', '', ''],
  ])('decodes a base64 body with %s', async (_name, body, text) => {
    const request = toWebRequest(functionUrlEvent({ method: 'POST', body, isBase64Encoded: true }), options);
    expect(await request.text()).toBe(text);
  });

  test('decodes a base64 body of several megabytes byte for byte, and still refuses a bad one of that size', async () => {
    // Large enough that the former grouped regex overflowed V8's stack (from about 3.3 MB).
    const bytes = Buffer.alloc(4_500_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
    const body = bytes.toString('base64');
    const request = toWebRequest(functionUrlEvent({ method: 'POST', body, isBase64Encoded: true }), options);
    expect(Buffer.from(await request.arrayBuffer()).equals(bytes)).toBe(true);

    const corrupted = `${body.slice(0, -5)}*${body.slice(-4)}`;
    const error = rejection(functionUrlEvent({ method: 'POST', body: corrupted, isBase64Encoded: true }));
    expect(error.message).toBe(
      `Invalid request body: isBase64Encoded is true but the body is not valid base64 (character "*" at offset ${body.length - 5})`,
    );
  });

  test.each([
    ['a character outside the alphabet', 'aGVsbG8*', 'character "*" at offset 7'],
    ['whitespace', 'aGVs bG8=', 'character " " at offset 4'],
    ['a missing padding', 'aGVsbG8', 'length 7 is not a multiple of 4'],
    ['padding in the middle', 'aG==bG8=', 'misplaced "=" padding'],
    ['the base64url alphabet', 'a-_b', 'character "-" at offset 1'],
    ['three "=" at the end', 'aGV===', 'length 6 is not a multiple of 4'],
    ['a whole group of "="', 'aGVs====', 'misplaced "=" padding'],
    ['"=" then a character in the last group', 'aGV=bG8=', 'misplaced "=" padding'],
    ['one "=" after a group of two', 'aGVsbG=', 'length 7 is not a multiple of 4'],
    ['three "=" in the last group', 'aGVsb===', 'misplaced "=" padding'],
  ])('rejects the body with 400 naming the problem when the base64 has %s', (_name, body, problem) => {
    const error = rejection(functionUrlEvent({ method: 'POST', body, isBase64Encoded: true }));
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe(
      `Invalid request body: isBase64Encoded is true but the body is not valid base64 (${problem})`,
    );
  });

  test.each([
    ['a string', 'hello', /expected a Lambda Function URL event object, got the string "hello"/],
    ['null', null, /got null/],
    ['an array', [], /got an array/],
    [
      'a payload v1 event',
      { version: '1.0' },
      /payload format version "2.0"\), got the string "1.0" as the version/,
    ],
    ['an event without a version', { rawPath: '/' }, /got undefined as the version/],
    [
      'an event without requestContext',
      { version: '2.0', rawPath: '/' },
      /requestContext.http.method is missing/,
    ],
    [
      'an event whose requestContext is a string',
      { version: '2.0', rawPath: '/', requestContext: 'GET' },
      /requestContext.http.method is missing/,
    ],
    [
      'an event whose requestContext.http is an array',
      { version: '2.0', rawPath: '/', requestContext: { http: ['GET'] } },
      /requestContext.http.method is missing/,
    ],
    [
      'an event whose requestContext.http.method is empty',
      { version: '2.0', rawPath: '/', requestContext: { http: { method: '' } } },
      /requestContext.http.method is missing/,
    ],
    [
      'an event without rawPath',
      { version: '2.0', requestContext: { http: { method: 'GET' } } },
      /rawPath must be a string starting with "\/", got undefined/,
    ],
    [
      'a relative rawPath',
      { version: '2.0', rawPath: 'api', requestContext: { http: { method: 'GET' } } },
      /rawPath must be a string starting with "\/", got the string "api"/,
    ],
    [
      'a non-string header',
      {
        version: '2.0',
        rawPath: '/',
        headers: { host: 'x', n: 1 },
        requestContext: { http: { method: 'GET' } },
      },
      /header "n" must be a string, got the number 1/,
    ],
    [
      'cookies that are not strings',
      {
        version: '2.0',
        rawPath: '/',
        cookies: [1],
        headers: { host: 'x' },
        requestContext: { http: { method: 'GET' } },
      },
      /cookies must be an array of strings/,
    ],
    [
      'a body that is not a string',
      {
        version: '2.0',
        rawPath: '/',
        body: {},
        headers: { host: 'x' },
        requestContext: { http: { method: 'POST' } },
      },
      /body must be a string, got an object/,
    ],
  ])('rejects %s with 400 and a reason', (_name, event, reason) => {
    const error = rejection(event);
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(reason);
  });

  test('rejects with 400 when no host can be found or the host is not a host', () => {
    const noHost = functionUrlEvent({ headers: { host: '' }, requestContext: { domainName: undefined } });
    expect(rejection(noHost).message).toMatch(/cannot tell the request's host/);
    expect(rejection(functionUrlEvent({ headers: { 'x-forwarded-host': 'evil.com/path' } })).message).toMatch(
      /cannot tell the request's host \(got the string "evil.com\/path"\)/,
    );
  });

  test('rejects with 405 when the method is one Request refuses', () => {
    const error = rejection(functionUrlEvent({ method: 'CONNECT' }));
    expect(error.statusCode).toBe(405);
    expect(error.message).toBe('Method "CONNECT" is not supported');
  });
});

describe('readFunctionUrlRequest', () => {
  test('returns the headers the request carries as a record when the event repeats a name in other cases', () => {
    const { request, headers } = readFunctionUrlRequest(
      functionUrlEvent({ headers: { 'X-Custom': ' a ', 'x-custom': 'b\t', Accept: 'text/html' } }),
      options,
    );
    expect(headers['x-custom']).toBe('a, b');
    expect(request.headers.get('x-custom')).toBe('a, b');
    expect(Object.fromEntries(request.headers)).toEqual(headers);
  });

  test('gives a value with characters above U+00FF as Node on Vercel reads it: its UTF-8 bytes as latin1', () => {
    const userAgent = 'Mozilla/5.0 (Linux; Android 12; \u7ea2\u7c73Note 11) \u{1f600}';
    const { request, headers } = readFunctionUrlRequest(
      functionUrlEvent({ headers: { 'User-Agent': userAgent, 'x-other': 'Jos\u00e9' } }),
      options,
    );
    const nodeView = Buffer.from(userAgent, 'utf8').toString('latin1');
    expect(request.headers.get('user-agent')).toBe(nodeView);
    expect(headers['user-agent']).toBe(nodeView);
    // The bytes are the viewer's, so a handler can still get the text back.
    expect(Buffer.from(request.headers.get('user-agent')!, 'latin1').toString('utf8')).toBe(userAgent);
    // A Latin-1 value is a valid ByteString and stays as it is.
    expect(request.headers.get('x-other')).toBe('Jos\u00e9');
    expect(Object.fromEntries(request.headers)).toEqual(headers);
  });

  test.each([
    ['leading and trailing runs', ' \t\r\n value with  inner  spaces \n\t ', 'value with  inner  spaces'],
    ['only trailing whitespace', 'v\t', 'v'],
    ['only whitespace', ' \t ', ''],
    ['a control character that is not HTTP whitespace at the end', 'v\u000b', 'v\u000b'],
    ['only leading whitespace', '\n\r v', 'v'],
    ['control characters that are not HTTP whitespace at the start', '\u000c\u000b v', '\u000c\u000b v'],
    ['whitespace around a control character that is not HTTP whitespace', ' \u001f ', '\u001f'],
  ])('trims HTTP whitespace from a value with %s', (_name, raw, trimmed) => {
    const { headers } = readFunctionUrlRequest(functionUrlEvent({ headers: { 'x-v': raw } }), options);
    expect(headers['x-v']).toBe(trimmed);
  });

  test('trims a long value with whitespace runs in the middle and at both ends', () => {
    const inner = `a${' '.repeat(50_000)}b`;
    const { request, headers } = readFunctionUrlRequest(
      functionUrlEvent({ headers: { 'x-long': `  ${inner} \t` } }),
      options,
    );
    expect(headers['x-long']).toBe(inner);
    expect(request.headers.get('x-long')).toBe(inner);
  });

  test('reads a non-string value as an invalid event when an earlier name needs lower-casing', () => {
    expect(() =>
      readFunctionUrlRequest(
        functionUrlEvent({ headers: { 'X-Upper': 'a', 'x-n': 1 as unknown as string } }),
        options,
      ),
    ).toThrow(/header "x-n" must be a string, got the number 1/);
  });

  test("replaces Lambda's X-Forwarded-For with the viewer's address when every name is already as Headers reads it", () => {
    const { request, headers } = readFunctionUrlRequest(
      functionUrlEvent({
        headers: {
          'x-forwarded-for': '198.51.100.7, 15.158.1.1',
          'cloudfront-viewer-address': '203.0.113.42:53124',
          accept: 'text/html',
        },
      }),
      options,
    );
    expect(headers['x-forwarded-for']).toBe('203.0.113.42');
    expect(headers['x-real-ip']).toBe('203.0.113.42');
    expect(Object.fromEntries(request.headers)).toEqual(headers);
  });

  test("drops Lambda's X-Forwarded-For when no address can be told, whatever shape the other names have", () => {
    for (const extra of [{ accept: 'text/html' }, { Accept: 'text/html' }]) {
      const event = functionUrlEvent({ headers: { 'x-forwarded-for': '198.51.100.7', ...extra } });
      (event.requestContext as { http: { sourceIp: string } }).http.sourceIp = 'not-an-ip';
      const { request, headers } = readFunctionUrlRequest(event, options);
      expect(headers).not.toHaveProperty('x-forwarded-for');
      expect(headers).not.toHaveProperty('x-real-ip');
      expect(request.headers.has('x-forwarded-for')).toBe(false);
      expect(headers.accept).toBe('text/html');
    }
  });

  test('hands the origin secret on apart, in neither the record nor the request, when CloudFront sent it', () => {
    const { request, headers, originSecret } = readFunctionUrlRequest(
      functionUrlEvent({ headers: { 'x-vfa-origin-secret': ' shh ' } }),
      options,
    );
    expect(originSecret).toBe('shh');
    expect(request.headers.has('x-vfa-origin-secret')).toBe(false);
    expect(headers).not.toHaveProperty('x-vfa-origin-secret');
  });

  test.each([
    ['behind secretHeader()', {}],
    ['behind OAC', { authorizer: { iam: { accessKey: 'ASIAEXAMPLE' } } }],
  ])(
    'takes the internal headers out of a clone, keeping a fast-properties record, %s',
    (_, requestContext) => {
      // They sent the record down the name-by-name copy, a V8 dictionary object: 5–12 µs more per request.
      const event = deployedSizeEvent(
        {
          authorization: 'AWS4-HMAC-SHA256 x',
          'x-vfa-origin-secret': 'shh',
          'x-vfa-rewrite-path': '/api/users/7',
          'x-vfa-route-headers': '',
        },
        requestContext,
      );
      const incoming = readFunctionUrlRequest(event, options);
      expect([incoming.originSecret, incoming.rewritePath, incoming.routeHeaders]).toEqual([
        'shh',
        '/api/users/7',
        '',
      ]);
      expect(Object.keys(incoming.headers).filter((name) => name.startsWith('x-vfa-'))).toEqual([]);
      expect([...incoming.request.headers.keys()].filter((name) => name.startsWith('x-vfa-'))).toEqual([]);
      expect(incoming.headers).toMatchObject(viewerHeaders);
      expect(hasFastProperties(incoming.headers)).toBe(true);
    },
  );

  test('takes an internal header with an empty value out too', () => {
    const { request, headers, routeHeaders } = readFunctionUrlRequest(
      functionUrlEvent({ headers: { 'x-vfa-route-headers': '' } }),
      options,
    );
    expect(routeHeaders).toBe('');
    expect(headers).not.toHaveProperty('x-vfa-route-headers');
    expect(request.headers.has('x-vfa-route-headers')).toBe(false);
  });

  test('has no origin secret when the event carries none', () => {
    expect(readFunctionUrlRequest(functionUrlEvent(), options).originSecret).toBeUndefined();
  });

  test('toWebRequest keeps the origin secret on the request for guardRequest when CloudFront sent it', () => {
    const request = toWebRequest(functionUrlEvent({ headers: { 'x-vfa-origin-secret': 'shh' } }), options);
    expect(request.headers.get('x-vfa-origin-secret')).toBe('shh');
  });

  test("hands a rewrite's path and the route headers on apart, in neither the record nor the request, when the CDN sent them", () => {
    const routeHeaders = '{"cache-control":"s-maxage=60"}';
    const incoming = readFunctionUrlRequest(
      functionUrlEvent({
        rawPath: '/u/7',
        rawQueryString: 'id=7',
        headers: { 'X-Vfa-Rewrite-Path': '/api/users/7', 'x-vfa-route-headers': routeHeaders },
      }),
      options,
    );
    expect(incoming.rewritePath).toBe('/api/users/7');
    expect(incoming.routeHeaders).toBe(routeHeaders);
    expect(incoming.request.url).toBe('https://abc123.lambda-url.us-east-1.on.aws/u/7?id=7');
    expect([...incoming.request.headers.keys()].filter((name) => name.startsWith('x-vfa-'))).toEqual([]);
    expect(Object.keys(incoming.headers).filter((name) => name.startsWith('x-vfa-'))).toEqual([]);
  });

  test('has no rewrite path and no route headers when the event carries neither', () => {
    const incoming = readFunctionUrlRequest(functionUrlEvent(), options);
    expect(incoming.rewritePath).toBeUndefined();
    expect(incoming.routeHeaders).toBeUndefined();
  });

  test("toWebRequest keeps a rewrite's path and the route headers on the request for guardRequest", () => {
    const request = toWebRequest(
      functionUrlEvent({ headers: { 'x-vfa-rewrite-path': '/api/users/7', 'x-vfa-route-headers': '{}' } }),
      options,
    );
    expect(request.headers.get('x-vfa-rewrite-path')).toBe('/api/users/7');
    expect(request.headers.get('x-vfa-route-headers')).toBe('{}');
  });

  test('builds the request with the event method and body when the method is not a plain GET', async () => {
    const request = toWebRequest(
      functionUrlEvent({ method: 'put', body: 'hi', headers: { 'content-type': 'text/plain' } }),
      options,
    );
    expect(request.method).toBe('PUT');
    expect(request.headers.get('content-type')).toBe('text/plain');
    expect(await request.text()).toBe('hi');
  });

  test('drops spoofed trusted headers whatever their case when the viewer sent them', () => {
    const { headers } = readFunctionUrlRequest(
      functionUrlEvent({ headers: { 'X-Vercel-IP-Country': 'XX', 'X-Real-IP': '6.6.6.6' } }),
      options,
    );
    expect(headers['x-vercel-ip-country']).toBeUndefined();
    // From the source IP Lambda saw, not from the viewer.
    expect(headers['x-real-ip']).toBe('15.158.1.1');
  });

  test('drops a header named __proto__ without touching the record prototype when the event has one', () => {
    const event = functionUrlEvent();
    event.headers = JSON.parse('{"host":"example.com","__proto__":"not a prototype","x-kept":"1"}');
    const { request, headers } = readFunctionUrlRequest(event, options);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.hasOwn(headers, '__proto__')).toBe(false);
    expect(request.headers.get('__proto__')).toBeNull();
    expect(headers['x-kept']).toBe('1');
  });

  test('keeps headers named like Object.prototype members when the event has them', () => {
    const { request, headers } = readFunctionUrlRequest(
      functionUrlEvent({ headers: { constructor: 'a', toString: 'b', hasOwnProperty: 'c' } }),
      options,
    );
    expect(headers).toMatchObject({ constructor: 'a', tostring: 'b', hasownproperty: 'c' });
    expect(request.headers.get('constructor')).toBe('a');
  });

  test.each([
    [
      'a value outside Latin-1 that also has a NUL byte',
      { 'user-agent': '\u7ea2\u7c73\u0000' },
      'user-agent',
    ],
    ['a value outside Latin-1 that also has a line break inside', { 'x-ua': '\u7ea2\r\nx: y' }, 'x-ua'],
    ['a name that is not a token', { 'x bad': 'v' }, 'x bad'],
    ['a value with a NUL byte', { 'x-nul': 'a\u0000b' }, 'x-nul'],
  ])('rejects with 400 naming the header when the event has %s', (_name, bad, named) => {
    const error = rejection(functionUrlEvent({ headers: bad }));
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe(`Invalid event: header ${JSON.stringify(named)} has an invalid name or value`);
  });

  test('rejects with 400 when the URL built from the event cannot be parsed', () => {
    const error = rejection(functionUrlEvent({ headers: { host: 'exa mple.com' } }));
    expect(error.statusCode).toBe(400);
  });
});

describe('routeHeadersOf', () => {
  test('returns the raw route headers of an event, whatever else is wrong with it', () => {
    expect(routeHeadersOf({ version: '1.0', headers: { 'x-vfa-route-headers': '{"x-a":"1"}' } })).toBe(
      '{"x-a":"1"}',
    );
  });

  test('returns undefined when the event has no headers or no route headers', () => {
    expect(routeHeadersOf(null)).toBeUndefined();
    expect(routeHeadersOf({ headers: 'nope' })).toBeUndefined();
    expect(routeHeadersOf(functionUrlEvent())).toBeUndefined();
    expect(routeHeadersOf({ headers: { 'x-vfa-route-headers': 7 } })).toBeUndefined();
    expect(routeHeadersOf({ headers: [] })).toBeUndefined();
    expect(routeHeadersOf('x-vfa-route-headers')).toBeUndefined();
  });
});

describe('isHeadEvent', () => {
  test('is true when the event asks for HEAD, in any case', () => {
    expect(isHeadEvent(functionUrlEvent({ method: 'HEAD' }))).toBe(true);
    expect(isHeadEvent(functionUrlEvent({ method: 'head' }))).toBe(true);
  });

  test('is false when the event asks for another method or is not an event', () => {
    expect(isHeadEvent(functionUrlEvent({ method: 'GET' }))).toBe(false);
    expect(isHeadEvent(null)).toBe(false);
    expect(isHeadEvent({ requestContext: { http: 'HEAD' } })).toBe(false);
    expect(isHeadEvent({ requestContext: { http: { method: 7 } } })).toBe(false);
    expect(isHeadEvent({ requestContext: { http: { method: ['HEAD'] } } })).toBe(false);
    expect(isHeadEvent({ requestContext: ['HEAD'] })).toBe(false);
    expect(isHeadEvent('HEAD')).toBe(false);
    expect(isHeadEvent(undefined)).toBe(false);
  });
});
