import { randomUUID } from 'node:crypto';
import type { LambdaFunctionURLEvent } from 'aws-lambda';

/** A minimal Function URL event, for invocations that must bypass the HTTP front (bad input). */
export function functionUrlEvent(overrides: Partial<LambdaFunctionURLEvent> = {}): LambdaFunctionURLEvent {
  const requestId = randomUUID();
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { host: 'abc.lambda-url.us-east-1.on.aws', 'user-agent': 'test' },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc',
      domainName: 'abc.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc',
      http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    isBase64Encoded: false,
    ...overrides,
  };
}
