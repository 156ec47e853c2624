import { resetCloudFrontClient } from '../../../runtime/cdn/clients';
import { classifyFailure, createInvalidation } from '../../../runtime/cdn/create-invalidation';
import { dynamoDBLocalEndpoint } from '../../setup/dynamodb-tables';
import { startHungEndpoint, useCdnEndpoints } from './cdn-env';

// createInvalidation against a loopback endpoint that accepts connections and never answers.

let hung: Awaited<ReturnType<typeof startHungEndpoint>>;
let restore: () => Promise<void>;

beforeEach(async () => {
  hung = await startHungEndpoint();
  restore = await useCdnEndpoints(hung.url, dynamoDBLocalEndpoint());
  // The SDK logs the request timeout it hits on purpose here.
  jest.spyOn(console, 'error').mockImplementation(() => {});
  jest.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(async () => {
  jest.restoreAllMocks();
  await restore();
  await hung.close();
});

describe('createInvalidation', () => {
  test('rejects with a retryable error when its abort signal fires before CloudFront answers', async () => {
    const failure = await createInvalidation('E1HUNG', ['#a'], 'ref-abort', AbortSignal.timeout(300)).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ name: 'AbortError' });
    expect(classifyFailure(failure)).toBe('retry');
  });

  test("rejects with a retryable TimeoutError at the client's request timeout when given no signal", async () => {
    // Before the client had timeouts this never settled.
    const failure = await createInvalidation('E1HUNG', ['#a'], 'ref-timeout').catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ name: 'TimeoutError' });
    expect(classifyFailure(failure)).toBe('retry');
    await resetCloudFrontClient();
  }, 30_000);
});
