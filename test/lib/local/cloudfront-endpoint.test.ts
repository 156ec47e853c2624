import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { CloudFrontEndpoint } from '../../../lib/local/cloudfront-endpoint';

// The loopback CloudFront endpoint, driven by the real @aws-sdk/client-cloudfront: the SDK must
// parse every reply, and the endpoint must enforce CloudFront's documented invalidation rules.

const DISTRIBUTION = 'E1TESTDIST0001';
let endpoint: CloudFrontEndpoint;
let client: CloudFrontClient;

beforeEach(async () => {
  endpoint = await CloudFrontEndpoint.start({ distributionIds: [DISTRIBUTION], completionDelayMs: 60_000 });
  client = new CloudFrontClient({
    region: 'us-east-1',
    endpoint: endpoint.url,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    maxAttempts: 1,
  });
});
afterEach(async () => {
  client.destroy();
  await endpoint.close();
});

function create(items: string[], callerReference = `ref-${Math.random()}`, distributionId = DISTRIBUTION) {
  return client.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: {
        CallerReference: callerReference,
        Paths: { Quantity: items.length, Items: items },
      },
    }),
  );
}

async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, status: failure.$metadata?.httpStatusCode, message: failure.message };
  }
  throw new Error('expected the call to fail');
}

describe('CloudFrontEndpoint', () => {
  test('creates an invalidation the SDK parses when given paths and tags', async () => {
    const result = await create(['/api/a?x=1', '#product:42', '/images/*'], 'ref-1');
    expect(result.Invalidation).toMatchObject({
      Status: 'InProgress',
      InvalidationBatch: {
        CallerReference: 'ref-1',
        Paths: { Quantity: 3, Items: ['/api/a?x=1', '#product:42', '/images/*'] },
      },
    });
    expect(result.Invalidation?.Id).toMatch(/^I[A-Z0-9]{13}$/);
    expect(result.Invalidation?.CreateTime).toBeInstanceOf(Date);
    expect(result.Location).toContain(
      `/distribution/${DISTRIBUTION}/invalidation/${result.Invalidation?.Id}`,
    );
    expect(endpoint.invalidations()).toHaveLength(1);
    expect(endpoint.createRequests()[0]).toMatchObject({
      statusCode: 201,
      items: ['/api/a?x=1', '#product:42', '/images/*'],
    });
  });

  test('escapes and unescapes XML special characters in paths when round-tripping', async () => {
    const result = await create(['/a?x=1&y=<2>', '#"quoted"']);
    expect(result.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(['/a?x=1&y=<2>', '#"quoted"']);
  });

  test('reports Completed once the completion delay has passed', async () => {
    endpoint.setCompletionDelay(0);
    const created = await create(['/a']);
    const fetched = await client.send(
      new GetInvalidationCommand({ DistributionId: DISTRIBUTION, Id: created.Invalidation?.Id }),
    );
    expect(fetched.Invalidation).toMatchObject({ Id: created.Invalidation?.Id, Status: 'Completed' });
  });

  test('lists invalidations newest first with pagination when there are more than MaxItems', async () => {
    const first = await create(['/1']);
    const second = await create(['/2']);
    const third = await create(['/3']);
    const page1 = await client.send(
      new ListInvalidationsCommand({ DistributionId: DISTRIBUTION, MaxItems: 2 }),
    );
    expect(page1.InvalidationList?.Items?.map((item) => item.Id)).toEqual([
      third.Invalidation?.Id,
      second.Invalidation?.Id,
    ]);
    expect(page1.InvalidationList?.IsTruncated).toBe(true);
    const page2 = await client.send(
      new ListInvalidationsCommand({
        DistributionId: DISTRIBUTION,
        MaxItems: 2,
        Marker: page1.InvalidationList?.NextMarker,
      }),
    );
    expect(page2.InvalidationList?.Items?.map((item) => item.Id)).toEqual([first.Invalidation?.Id]);
    expect(page2.InvalidationList?.IsTruncated).toBe(false);
  });

  test('returns the earlier invalidation when a CallerReference is reused with the same paths', async () => {
    const first = await create(['/a', '#t'], 'same');
    const again = await create(['#t', '/a'], 'same');
    expect(again.Invalidation?.Id).toBe(first.Invalidation?.Id);
    expect(endpoint.invalidations()).toHaveLength(1);
  });

  test('answers InvalidationBatchAlreadyExists when a CallerReference is reused with other paths', async () => {
    await create(['/a'], 'same');
    expect(await errorOf(create(['/b'], 'same'))).toMatchObject({
      name: 'InvalidationBatchAlreadyExists',
      status: 409,
    });
  });

  test('answers NoSuchDistribution when the distribution does not exist', async () => {
    expect(await errorOf(create(['/a'], 'r', 'EUNKNOWN'))).toMatchObject({
      name: 'NoSuchDistribution',
      status: 404,
    });
    expect(
      await errorOf(client.send(new GetInvalidationCommand({ DistributionId: DISTRIBUTION, Id: 'INOPE' }))),
    ).toMatchObject({ name: 'NoSuchInvalidation', status: 404 });
  });

  test('answers TooManyInvalidationsInProgress when 3,000 paths are in progress', async () => {
    const paths = Array.from({ length: 2999 }, (_, i) => `/p/${i}`);
    await create(paths);
    await create(['#one-more']);
    expect(await errorOf(create(['/over']))).toMatchObject({
      name: 'TooManyInvalidationsInProgress',
      status: 400,
    });
    endpoint.completeAll();
    await expect(create(['/over'])).resolves.toBeDefined();
  });

  test('answers TooManyInvalidationsInProgress when 15 wildcard paths are in progress', async () => {
    await create(Array.from({ length: 15 }, (_, i) => `/w${i}/*`));
    expect(await errorOf(create(['/w15/*']))).toMatchObject({ name: 'TooManyInvalidationsInProgress' });
    // The wildcard limit is independent of the one on individual paths.
    await expect(create(['/plain'])).resolves.toBeDefined();
  });

  test('answers BatchTooLarge when one batch has more than 3,000 paths', async () => {
    const paths = Array.from({ length: 3001 }, (_, i) => `/p/${i}`);
    expect(await errorOf(create(paths))).toMatchObject({ name: 'BatchTooLarge', status: 413 });
  });

  test.each([
    ['a tag with a comma', '#a,b'],
    ['a tag with a wildcard', '#a*'],
    ['a tag over 256 characters', `#${'x'.repeat(257)}`],
    ['an empty tag', '#'],
    ['a tag with non-ASCII', '#café'],
    ['a path without a leading slash', 'api/a'],
    ['a wildcard before the end', '/a*/b'],
    ['a path with a space', '/a b'],
  ])('answers InvalidArgument naming the item when given %s', async (_, item) => {
    const failure = await errorOf(create([item]));
    expect(failure).toMatchObject({ name: 'InvalidArgument', status: 400 });
    expect(failure.message).toContain(JSON.stringify(item));
  });

  test('answers InconsistentQuantities when Quantity does not match the items', async () => {
    const failure = await errorOf(
      client.send(
        new CreateInvalidationCommand({
          DistributionId: DISTRIBUTION,
          InvalidationBatch: { CallerReference: 'q', Paths: { Quantity: 2, Items: ['/a'] } },
        }),
      ),
    );
    expect(failure).toMatchObject({ name: 'InconsistentQuantities', status: 400 });
  });

  test('rejects unsigned requests with AccessDenied', async () => {
    const response = await fetch(`${endpoint.url}/2020-05-31/distribution/${DISTRIBUTION}/invalidation`, {
      method: 'POST',
      body: '<InvalidationBatch/>',
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>AccessDenied</Code>');
  });

  test('fails the next N calls with the injected error when the fault switch is set', async () => {
    endpoint.failNext('Throttling', { count: 2 });
    expect(await errorOf(create(['/a'], 'r1'))).toMatchObject({
      name: 'Throttling',
      message: 'Rate exceeded',
    });
    expect(await errorOf(create(['/a'], 'r1'))).toMatchObject({ name: 'Throttling' });
    await expect(create(['/a'], 'r1')).resolves.toBeDefined();
    expect(endpoint.createRequests().map((request) => request.errorCode ?? request.statusCode)).toEqual([
      'Throttling',
      'Throttling',
      201,
    ]);
  });

  test('fails every call during a time window when the fault switch is set with forMs', async () => {
    endpoint.failNext('ServiceUnavailable', { forMs: 60_000 });
    expect(await errorOf(create(['/a']))).toMatchObject({ name: 'ServiceUnavailable', status: 503 });
    expect(await errorOf(create(['/b']))).toMatchObject({ name: 'ServiceUnavailable' });
    endpoint.clearFaults();
    await expect(create(['/c'])).resolves.toBeDefined();
  });

  test('throws when given a negative completion delay', async () => {
    await expect(CloudFrontEndpoint.start({ completionDelayMs: -1 })).rejects.toThrow(
      'completionDelayMs must be a finite number >= 0, got -1',
    );
  });
});
