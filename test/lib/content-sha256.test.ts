import { createHash } from 'node:crypto';
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { handler } from '../../lib/private/edge/content-sha256';

function event(body?: CloudFrontRequest['body']): CloudFrontRequestEvent {
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: 'd1.cloudfront.net',
            distributionId: 'E1',
            eventType: 'origin-request',
            requestId: 'r1',
          },
          request: {
            clientIp: '198.51.100.1',
            method: body ? 'POST' : 'GET',
            uri: '/api/users/1',
            querystring: '',
            headers: { 'x-amz-content-sha256': [{ key: 'x-amz-content-sha256', value: 'forged' }] },
            body,
          },
        },
      },
    ],
  };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('content-sha256 Lambda@Edge handler', () => {
  test('sets the SHA-256 of a base64 body when a request has one', async () => {
    const payload = Buffer.from('{"name":"Ada"}');
    const request = (await handler(
      event({
        action: 'read-only',
        data: payload.toString('base64'),
        encoding: 'base64',
        inputTruncated: false,
      }),
    )) as CloudFrontRequest;
    expect(request.headers['x-amz-content-sha256']).toEqual([
      { key: 'x-amz-content-sha256', value: sha256(payload) },
    ]);
  });

  test('hashes a text-encoded body as UTF-8', async () => {
    const request = (await handler(
      event({ action: 'read-only', data: 'grüße', encoding: 'text', inputTruncated: false }),
    )) as CloudFrontRequest;
    expect(request.headers['x-amz-content-sha256'][0].value).toBe(sha256(Buffer.from('grüße', 'utf8')));
  });

  test('sets the empty-payload hash when there is no body, replacing a viewer-sent value', async () => {
    const request = (await handler(event())) as CloudFrontRequest;
    expect(request.headers['x-amz-content-sha256'][0].value).toBe(sha256(''));
  });

  test('answers 413 naming the 1 MB limit when CloudFront truncated the body', async () => {
    const response = (await handler(
      event({ action: 'read-only', data: 'AAAA', encoding: 'base64', inputTruncated: true }),
    )) as CloudFrontResultResponse;
    expect(response.status).toBe('413');
    expect(response.body).toMatch(/at most 1 MB/);
    expect(response.body).toMatch(/OriginProtection\.secretHeader\(\)/);
  });
});
