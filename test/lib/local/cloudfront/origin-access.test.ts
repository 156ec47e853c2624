import { createHash } from 'node:crypto';
import {
  authorizeFunctionUrlRequest,
  createSigningCredentials,
  signOriginRequest,
} from '../../../../lib/local/cloudfront';
import { parseSigV4Authorization, verifySigV4 } from '../../../../lib/local/sigv4';

const HOST = 'abc123.lambda-url.us-east-1.on.aws';
const credentials = createSigningCredentials();
const trusted = (id: string) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function signed(
  method: string,
  path: string,
  body: string,
  extra: Record<string, string> = {},
  at = new Date(),
) {
  const headers = new Map([['host', HOST], ...Object.entries(extra)]);
  const signature = signOriginRequest({ method, path, headers }, credentials, 'us-east-1', at);
  return { method, url: path, headers: { host: HOST, ...extra, ...signature }, body: Buffer.from(body) };
}

describe('signOriginRequest', () => {
  test('produces signatures the local SigV4 verifier accepts, query strings and encoded paths included', () => {
    const request = signed('GET', '/api/users/J%C3%BCrgen?b=2&a=1&a=0', '');
    const authorization = parseSigV4Authorization(request.headers.authorization)!;
    expect(authorization).toMatchObject({
      service: 'lambda',
      region: 'us-east-1',
      signedHeaders: ['host', 'x-amz-date'],
    });
    expect(verifySigV4(request, authorization, credentials.secretAccessKey)).toBe(true);
    expect(verifySigV4(request, authorization, 'another secret')).toBe(false);
  });
});

describe('authorizeFunctionUrlRequest', () => {
  test('lets everything through a NONE Function URL', () => {
    expect(
      authorizeFunctionUrlRequest(
        'NONE',
        { method: 'POST', url: '/', headers: {}, body: Buffer.from('x') },
        trusted,
      ),
    ).toEqual({
      allowed: true,
    });
  });

  test('accepts a signed request whose body matches x-amz-content-sha256', () => {
    expect(authorizeFunctionUrlRequest('AWS_IAM', signed('GET', '/a', ''), trusted)).toEqual({
      allowed: true,
    });
    const body = '{"name":"Ada"}';
    expect(
      authorizeFunctionUrlRequest(
        'AWS_IAM',
        signed('POST', '/a', body, { 'x-amz-content-sha256': sha256(body) }),
        trusted,
      ),
    ).toEqual({
      allowed: true,
    });
  });

  test('refuses an unsigned request with 403 Forbidden', () => {
    expect(
      authorizeFunctionUrlRequest(
        'AWS_IAM',
        { method: 'GET', url: '/', headers: { host: HOST }, body: Buffer.alloc(0) },
        trusted,
      ),
    ).toMatchObject({
      allowed: false,
      statusCode: 403,
      body: '{"Message":"Forbidden"}',
    });
  });

  test('refuses a body CloudFront signed without hashing it, and a hash that does not match the body', () => {
    expect(authorizeFunctionUrlRequest('AWS_IAM', signed('POST', '/a', 'x'), trusted)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('signature does not match'),
    });
    expect(
      authorizeFunctionUrlRequest(
        'AWS_IAM',
        signed('POST', '/a', 'x', { 'x-amz-content-sha256': sha256('y') }),
        trusted,
      ),
    ).toMatchObject({
      allowed: false,
      reason: 'x-amz-content-sha256 does not match the body',
    });
    expect(
      authorizeFunctionUrlRequest(
        'AWS_IAM',
        signed('POST', '/a', 'x', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }),
        trusted,
      ),
    ).toMatchObject({
      allowed: false,
      reason: 'Lambda does not accept unsigned payloads',
    });
  });

  test('refuses unknown principals, other services and stale signatures', () => {
    expect(authorizeFunctionUrlRequest('AWS_IAM', signed('GET', '/a', ''), () => undefined)).toMatchObject({
      allowed: false,
      body: '{"message":"The security token included in the request is invalid."}',
    });
    const s3 = signed('GET', '/a', '');
    s3.headers.authorization = s3.headers.authorization.replace('/lambda/', '/s3/');
    expect(authorizeFunctionUrlRequest('AWS_IAM', s3, trusted)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('service s3'),
    });
    const old = signed('GET', '/a', '', {}, new Date(Date.now() - 10 * 60_000));
    expect(authorizeFunctionUrlRequest('AWS_IAM', old, trusted)).toMatchObject({
      allowed: false,
      body: '{"message":"Signature expired"}',
    });
  });
});
