import * as path from 'node:path';
import {
  BENCH_DISTRIBUTION,
  BENCH_FUNCTION_URL,
  BENCH_ROUTE,
  CLOUDFRONT_REQUEST_HEADERS,
} from '../../bench/fixtures/cloudfront-request';
import { projectFunctionEnvironment, startBundled } from '../../bench/functions';
import { CLOUDFRONT_HEADERS } from '../../lib/local/cloudfront/policies';
import {
  CACHE_TABLE_ENV,
  DISTRIBUTION_DOMAIN_HEADER,
  DISTRIBUTION_ID_HEADER,
  INTERNAL_HEADER_PREFIX,
  ROUTE_ENV,
  TAG_TABLE_ENV,
} from '../../runtime/constructs-contract';

const names = Object.keys(CLOUDFRONT_REQUEST_HEADERS);

describe('the bench request (fixtures/cloudfront-request.ts)', () => {
  test('carries only CloudFront headers that the Cdn’s origin request policy forwards', () => {
    const cloudFront = names.filter((name) => name.startsWith('cloudfront-'));
    expect(cloudFront.length).toBeGreaterThanOrEqual(19);
    expect(cloudFront.filter((name) => !CLOUDFRONT_HEADERS.includes(name))).toEqual([]);
  });

  test('carries the internal headers the viewer-request function adds, and no origin secret', () => {
    expect(names.filter((name) => name.startsWith(INTERNAL_HEADER_PREFIX)).sort()).toEqual(
      [DISTRIBUTION_DOMAIN_HEADER, DISTRIBUTION_ID_HEADER].sort(),
    );
    expect(CLOUDFRONT_REQUEST_HEADERS[DISTRIBUTION_ID_HEADER]).toBe(BENCH_DISTRIBUTION.id);
  });

  test('has no header the viewer-request function drops, and lower-case names only', () => {
    expect(names.filter((name) => /^x-real-ip$|^x-vercel-/.test(name))).toEqual([]);
    expect(names.filter((name) => name !== name.toLowerCase())).toEqual([]);
    expect(CLOUDFRONT_REQUEST_HEADERS.host).toMatch(/\.lambda-url\.us-east-1\.on\.aws$/);
  });
});

describe('startBundled', () => {
  test('gives the function the event of the AWS_IAM Function URL that OAC signs the bench request to', async () => {
    const fn = await startBundled({
      taskRoot: path.join(__dirname, 'fixtures', 'echo-event'),
      handler: 'index.handler',
    });
    try {
      const response = await fetch(`${fn.url}${BENCH_ROUTE}`, { headers: CLOUDFRONT_REQUEST_HEADERS });
      const seen = await response.json();
      expect(seen).toEqual({
        authorizer: { iam: expect.objectContaining({ accessKey: BENCH_FUNCTION_URL.iamAccessKey }) },
        domainName: CLOUDFRONT_REQUEST_HEADERS.host,
        authorization: CLOUDFRONT_REQUEST_HEADERS.authorization,
      });
      // The signer Lambda names is the one whose signature the request carries.
      expect(CLOUDFRONT_REQUEST_HEADERS.authorization).toContain(
        `Credential=${BENCH_FUNCTION_URL.iamAccessKey}/`,
      );
    } finally {
      await fn.stop();
    }
  }, 30_000);
});

describe('projectFunctionEnvironment', () => {
  test('sets what a VercelProject sets for the route: the route, the VERCEL_* variables and the tables', () => {
    const env = projectFunctionEnvironment('/api/hello');
    expect(env).toMatchObject({
      [ROUTE_ENV]: '/api/hello',
      VERCEL: '1',
      VERCEL_ENV: 'production',
      VERCEL_REGION: 'iad1',
      VERCEL_URL: BENCH_DISTRIBUTION.domain,
    });
    expect(env[CACHE_TABLE_ENV]).toBeTruthy();
    expect(env[TAG_TABLE_ENV]).toBeTruthy();
  });
});
