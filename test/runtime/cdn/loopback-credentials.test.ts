import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { CloudFrontEndpoint } from '../../../lib/local/cloudfront-endpoint';
import { cloudFrontClient, resetCloudFrontClient } from '../../../runtime/cdn/clients';
import {
  configuredEndpoint,
  isLoopbackUrl,
  LOOPBACK_PLACEHOLDER_CREDENTIALS,
  withLoopbackPlaceholder,
} from '../../../runtime/cdn/loopback-credentials';
import { setEnv } from '../vercel-oidc/federation';

const DISTRIBUTION = 'E1TESTDIST0001';

// Nothing the SDK's default chain could find credentials in (no keys, files, IMDS).
const NO_CREDENTIALS = {
  AWS_REGION: 'eu-west-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_CONFIG_FILE: '/nonexistent/config',
};

describe('isLoopbackUrl', () => {
  test.each(['http://127.0.0.1:4566', 'http://127.1.2.3', 'https://localhost:8443/x', 'http://[::1]:3000'])(
    'accepts %s',
    (url) => {
      expect(isLoopbackUrl(url)).toBe(true);
    },
  );

  test.each([
    undefined,
    '',
    'not a url',
    'https://cloudfront.amazonaws.com',
    'http://127.0.0.1.example.com',
    'http://10.0.0.1',
    'file://localhost/etc',
  ])('rejects %j', (url) => {
    expect(isLoopbackUrl(url)).toBe(false);
  });
});

describe('configuredEndpoint', () => {
  const names = ['AWS_ENDPOINT_URL_CLOUDFRONT', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'];
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    for (const name of names) delete process.env[name];
  });
  afterEach(() => {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  test('prefers the service variable over AWS_ENDPOINT_URL, as the SDK does', () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:1';
    expect(configuredEndpoint('CLOUDFRONT')).toBe('http://127.0.0.1:1');
    process.env.AWS_ENDPOINT_URL_CLOUDFRONT = 'http://127.0.0.1:2';
    expect(configuredEndpoint('CLOUDFRONT')).toBe('http://127.0.0.1:2');
  });

  test('returns undefined when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true', () => {
    process.env.AWS_ENDPOINT_URL_CLOUDFRONT = 'http://127.0.0.1:2';
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = 'true';
    expect(configuredEndpoint('CLOUDFRONT')).toBeUndefined();
  });
});

describe('withLoopbackPlaceholder', () => {
  test('returns what the chain finds when it finds credentials', async () => {
    const found = { accessKeyId: 'AKIDREAL', secretAccessKey: 'secret' };
    await expect(withLoopbackPlaceholder(async () => found)()).resolves.toBe(found);
  });

  test('returns the placeholder when the chain finds none', async () => {
    const provider = withLoopbackPlaceholder(async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    });
    await expect(provider()).resolves.toEqual({ accessKeyId: 'local', secretAccessKey: 'local' });
  });
});

describe('cloudFrontClient credentials', () => {
  let endpoint: CloudFrontEndpoint;
  let restoreEnv: () => void = () => {};
  beforeAll(async () => {
    endpoint = await CloudFrontEndpoint.start({ distributionIds: [DISTRIBUTION], completionDelayMs: 0 });
  });
  afterAll(async () => {
    await endpoint?.close();
  });
  afterEach(async () => {
    restoreEnv();
    restoreEnv = () => {};
    await resetCloudFrontClient();
  });

  function useEnv(vars: Record<string, string>): void {
    restoreEnv();
    restoreEnv = setEnv(vars);
  }

  function invalidate() {
    return cloudFrontClient().then((client) =>
      client.send(
        new CreateInvalidationCommand({
          DistributionId: DISTRIBUTION,
          InvalidationBatch: {
            CallerReference: `ref-${Math.random()}`,
            Paths: { Quantity: 1, Items: ['/*'] },
          },
        }),
      ),
    );
  }

  test('reaches a loopback endpoint with placeholder keys when no credentials are configured', async () => {
    useEnv({ ...NO_CREDENTIALS, AWS_ENDPOINT_URL_CLOUDFRONT: endpoint.url });
    const before = endpoint.requests.length;
    await expect(invalidate()).resolves.toMatchObject({ Invalidation: { Status: 'Completed' } });
    expect(endpoint.requests.slice(before).map((r) => r.statusCode)).toEqual([201]);
    const client = await cloudFrontClient();
    await expect(client.config.credentials()).resolves.toMatchObject(LOOPBACK_PLACEHOLDER_CREDENTIALS);
  });

  test('signs a loopback endpoint with the configured credentials when there are some', async () => {
    useEnv({
      ...NO_CREDENTIALS,
      AWS_ENDPOINT_URL_CLOUDFRONT: endpoint.url,
      AWS_ACCESS_KEY_ID: 'AKIDCONFIGURED',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    await expect(invalidate()).resolves.toBeDefined();
    const client = await cloudFrontClient();
    await expect(client.config.credentials()).resolves.toMatchObject({ accessKeyId: 'AKIDCONFIGURED' });
  });

  test('never uses placeholder keys when the endpoint is not a loopback address', async () => {
    // Nothing listens there: the credentials fail first, before any connection is attempted.
    useEnv({ ...NO_CREDENTIALS, AWS_ENDPOINT_URL_CLOUDFRONT: 'https://cloudfront.invalid' });
    await expect(invalidate()).rejects.toMatchObject({ name: 'CredentialsProviderError' });
  });
});
