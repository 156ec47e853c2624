import type { SecretsManagerEndpoint } from '../../../lib/local/secrets-manager-endpoint';
import { OriginSecretUnavailableError } from '../../../runtime/errors';
import { fetchOriginSecretValues, OriginSecretVerifier } from '../../../runtime/handler/origin-secret';
import { useSecretsManagerEndpoint } from './secrets-env';

// The verifier with the real SDK against the loopback Secrets Manager endpoint; time is injected so
// the refresh bounds are tested without waiting.

let endpoint: SecretsManagerEndpoint;
let restore: () => Promise<void>;
let warnings: jest.SpyInstance;
let errors: jest.SpyInstance;

beforeEach(async () => {
  ({ endpoint, restore } = await useSecretsManagerEndpoint());
  warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
  errors = jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(async () => {
  jest.restoreAllMocks();
  await restore();
});

function verifierAt(clock: { now: number }) {
  return new OriginSecretVerifier({
    now: () => clock.now,
    refreshIntervalMs: 300_000,
    minRefreshIntervalMs: 30_000,
    failureBackoffMs: 5_000,
  });
}

describe('OriginSecretVerifier', () => {
  test('accepts the current value and refuses a wrong or missing one', async () => {
    const arn = endpoint.createSecret('origin', 'right-value');
    const verifier = verifierAt({ now: 0 });
    await expect(verifier.verify(arn, 'right-value', 'r1')).resolves.toBe(true);
    await expect(verifier.verify(arn, 'wrong-value', 'r2')).resolves.toBe(false);
    await expect(verifier.verify(arn, null, 'r3')).resolves.toBe(false);
    await expect(verifier.verify(arn, '', 'r4')).resolves.toBe(false);
  });

  test('reads the secret once while the values are fresh', async () => {
    const arn = endpoint.createSecret('origin', 'v');
    const verifier = verifierAt({ now: 0 });
    await Promise.all([verifier.verify(arn, 'v', 'a'), verifier.verify(arn, 'v', 'b')]);
    await verifier.verify(arn, 'v', 'c');
    // One read = AWSCURRENT + AWSPREVIOUS.
    const stages = endpoint.getSecretValueCalls().map((call) => call.versionStage ?? 'AWSCURRENT');
    expect(stages.sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
  });

  test('does not read the secret when the header is missing', async () => {
    const arn = endpoint.createSecret('origin', 'v');
    await verifierAt({ now: 0 }).verify(arn, null, 'r');
    expect(endpoint.getSecretValueCalls()).toHaveLength(0);
  });

  test('accepts the previous value after a rotation, until CloudFront sends the new one', async () => {
    const arn = endpoint.createSecret('origin', 'old');
    const clock = { now: 0 };
    const verifier = verifierAt(clock);
    await verifier.verify(arn, 'old', 'r1');
    endpoint.putSecretValue(arn, 'new');
    clock.now = 300_000;
    await expect(verifier.verify(arn, 'old', 'r2')).resolves.toBe(true);
    await expect(verifier.verify(arn, 'new', 'r3')).resolves.toBe(true);
  });

  test('re-reads on a mismatch at most once per minimum interval', async () => {
    const arn = endpoint.createSecret('origin', 'old');
    const clock = { now: 0 };
    const verifier = verifierAt(clock);
    await verifier.verify(arn, 'old', 'r1');
    endpoint.putSecretValue(arn, 'new');
    clock.now = 10_000;
    // Too soon after the last read: refused without asking Secrets Manager.
    await expect(verifier.verify(arn, 'new', 'r2')).resolves.toBe(false);
    expect(endpoint.getSecretValueCalls()).toHaveLength(2);
    clock.now = 30_000;
    await expect(verifier.verify(arn, 'new', 'r3')).resolves.toBe(true);
    await expect(verifier.verify(arn, 'guess', 'r4')).resolves.toBe(false);
    expect(endpoint.getSecretValueCalls()).toHaveLength(4);
  });

  test('fails closed with OriginSecretUnavailableError when the secret was never read, then backs off', async () => {
    const arn = endpoint.createSecret('origin', 'v');
    endpoint.failNext('AccessDeniedException', 2);
    const clock = { now: 0 };
    const verifier = verifierAt(clock);
    const failure = verifier.verify(arn, 'v', 'r1');
    await expect(failure).rejects.toThrow(OriginSecretUnavailableError);
    await expect(failure).rejects.toThrow(
      `Could not read the origin secret ${arn} from Secrets Manager: AccessDeniedException`,
    );
    expect(String(errors.mock.calls[0][0])).toMatch(/Failing closed: requests get 503.*\(request r1\)/);
    // Within the backoff: the same error, no new call.
    clock.now = 4_000;
    await expect(verifier.verify(arn, 'v', 'r2')).rejects.toThrow(OriginSecretUnavailableError);
    expect(endpoint.getSecretValueCalls()).toHaveLength(2);
    clock.now = 5_000;
    await expect(verifier.verify(arn, 'v', 'r3')).resolves.toBe(true);
  });

  test('keeps the values read earlier while Secrets Manager fails, and warns', async () => {
    const arn = endpoint.createSecret('origin', 'v');
    const clock = { now: 0 };
    const verifier = verifierAt(clock);
    await verifier.verify(arn, 'v', 'r1');
    endpoint.failNext('InternalServiceError', 10);
    clock.now = 300_000;
    await expect(verifier.verify(arn, 'v', 'r2')).resolves.toBe(true);
    expect(String(warnings.mock.calls[0][0])).toMatch(/Keeping the values read earlier/);
    // The next attempt waits for the minimum interval.
    const callsAfterFailure = endpoint.getSecretValueCalls().length;
    clock.now = 310_000;
    await expect(verifier.verify(arn, 'v', 'r3')).resolves.toBe(true);
    expect(endpoint.getSecretValueCalls()).toHaveLength(callsAfterFailure);
  });

  test('refuses to work with an empty secret value', async () => {
    const arn = endpoint.createSecret('origin', '');
    await expect(verifierAt({ now: 0 }).verify(arn, 'x', 'r')).rejects.toThrow(
      `The origin secret ${arn} is empty`,
    );
  });
});

describe('fetchOriginSecretValues', () => {
  test('returns AWSCURRENT alone before the first rotation', async () => {
    const arn = endpoint.createSecret('origin', 'one');
    await expect(fetchOriginSecretValues(arn, 'r')).resolves.toEqual(['one']);
    expect(warnings).not.toHaveBeenCalled();
  });

  test('returns AWSCURRENT then AWSPREVIOUS after a rotation', async () => {
    const arn = endpoint.createSecret('origin', 'one');
    endpoint.putSecretValue(arn, 'two');
    await expect(fetchOriginSecretValues(arn, 'r')).resolves.toEqual(['two', 'one']);
  });

  test('throws OriginSecretUnavailableError naming the SDK error when the secret does not exist', async () => {
    const error = await fetchOriginSecretValues('missing', 'r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OriginSecretUnavailableError);
    expect((error as OriginSecretUnavailableError).message).toMatch(/missing.*ResourceNotFoundException/);
    expect((error as OriginSecretUnavailableError).cause).toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
