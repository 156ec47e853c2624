import { SecretsManagerEndpoint } from '../../../lib/local/secrets-manager-endpoint';
import { resetOriginSecretVerifier } from '../../../runtime/handler/origin-secret';
import { resetSecretsManagerClient } from '../../../runtime/handler/secrets-manager-client';

// Points the runtime's process-wide Secrets Manager client at a loopback endpoint through the SDK's
// standard variables (endpoint and credentials), and restores the environment afterwards.

const VARIABLES = [
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
] as const;

/** Starts an endpoint and routes the runtime's client to it; call the returned function to undo. */
export async function useSecretsManagerEndpoint(): Promise<{
  endpoint: SecretsManagerEndpoint;
  restore: () => Promise<void>;
}> {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  const endpoint = await SecretsManagerEndpoint.start();
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoint.url;
  process.env.AWS_ACCESS_KEY_ID = SecretsManagerEndpoint.DEFAULT_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = SecretsManagerEndpoint.DEFAULT_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  process.env.AWS_REGION = 'us-east-1';
  await resetSecretsManagerClient();
  resetOriginSecretVerifier();
  return {
    endpoint,
    restore: async () => {
      await resetSecretsManagerClient();
      resetOriginSecretVerifier();
      await endpoint.close();
      for (const name of VARIABLES) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    },
  };
}
