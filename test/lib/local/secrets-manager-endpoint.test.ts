import {
  GetSecretValueCommand,
  InvalidRequestException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsManagerEndpoint } from '../../../lib/local/secrets-manager-endpoint';

// The real @aws-sdk/client-secrets-manager against the loopback endpoint: the wire protocol
// (awsJson1_1, SigV4) must be what the SDK speaks, or these calls fail.

let endpoint: SecretsManagerEndpoint;

function client(
  credentials: { accessKeyId: string; secretAccessKey: string } = SecretsManagerEndpoint.DEFAULT_CREDENTIALS,
): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
}

beforeEach(async () => {
  endpoint = await SecretsManagerEndpoint.start();
});
afterEach(async () => {
  await endpoint.close();
});

describe('SecretsManagerEndpoint', () => {
  test('returns the AWSCURRENT value by name, complete ARN and partial ARN', async () => {
    const arn = endpoint.createSecret('origin-secret', 's3cret');
    const sm = client();
    for (const SecretId of ['origin-secret', arn, arn.slice(0, -7)]) {
      const result = await sm.send(new GetSecretValueCommand({ SecretId }));
      expect(result).toMatchObject({
        ARN: arn,
        Name: 'origin-secret',
        SecretString: 's3cret',
        VersionStages: ['AWSCURRENT'],
      });
      expect(result.CreatedDate).toBeInstanceOf(Date);
    }
    expect(arn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:origin-secret-[A-Za-z0-9]{6}$/,
    );
    sm.destroy();
  });

  test('moves the old value to AWSPREVIOUS when a new value is put', async () => {
    const arn = endpoint.createSecret('rotating', 'one');
    endpoint.putSecretValue(arn, 'two');
    const sm = client();
    const current = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
    const previous = await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }));
    expect([current.SecretString, previous.SecretString]).toEqual(['two', 'one']);
    const byId = await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: previous.VersionId }));
    expect(byId.SecretString).toBe('one');
    sm.destroy();
  });

  test('answers ResourceNotFoundException for an unknown secret or stage', async () => {
    endpoint.createSecret('fresh', 'x');
    const sm = client();
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'missing' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
    await expect(
      sm.send(new GetSecretValueCommand({ SecretId: 'fresh', VersionStage: 'AWSPREVIOUS' })),
    ).rejects.toThrow("Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS");
    sm.destroy();
  });

  test('answers InvalidRequestException when the secret is scheduled for deletion', async () => {
    endpoint.createSecret('doomed', 'x');
    endpoint.scheduleDeletion('doomed');
    const sm = client();
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'doomed' }))).rejects.toThrow(
      InvalidRequestException,
    );
    sm.destroy();
  });

  test('rejects requests signed with an unknown key or a wrong secret key', async () => {
    endpoint.createSecret('guarded', 'x');
    const stranger = client({ accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' });
    await expect(stranger.send(new GetSecretValueCommand({ SecretId: 'guarded' }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    const forger = client({
      accessKeyId: SecretsManagerEndpoint.DEFAULT_CREDENTIALS.accessKeyId,
      secretAccessKey: 'wrong',
    });
    await expect(forger.send(new GetSecretValueCommand({ SecretId: 'guarded' }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    expect(endpoint.getSecretValueCalls().map((call) => call.code)).toEqual([
      'UnrecognizedClientException',
      'InvalidSignatureException',
    ]);
    stranger.destroy();
    forger.destroy();
  });

  test('fails the next calls with an injected fault, then recovers', async () => {
    endpoint.createSecret('flaky', 'x');
    endpoint.failNext('InternalServiceError', 1);
    const sm = client();
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'flaky' }))).rejects.toMatchObject({
      name: 'InternalServiceError',
      $metadata: { httpStatusCode: 500 },
    });
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'flaky' }))).resolves.toMatchObject({
      SecretString: 'x',
    });
    sm.destroy();
  });

  test('throws when a secret name is not one Secrets Manager accepts', () => {
    expect(() => endpoint.createSecret('bad name', 'x')).toThrow(/secret name must be 1–512 characters/);
  });
});
