import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  localCloudFrontEnvironment,
  ProcessEnv,
  vercelDevEnvironment,
} from '../../../lib/local/dev-server-env';
import { VercelOidcTokenError } from '../../../runtime/errors';
import { awsCredentialsProvider } from '../../../runtime/oidc-aws-credentials-provider';
import { setEnv } from '../../runtime/vercel-oidc/federation';

// A developer machine with no AWS credentials: nothing the SDK's default chain could find (no keys,
// files, IMDS). STS points at a closed loopback port, so a regression fails there instead of
// sending placeholder keys to AWS.
const NO_CREDENTIALS = {
  AWS_REGION: 'eu-west-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1',
};

describe('localCloudFrontEnvironment', () => {
  let restoreEnv: () => void;
  beforeEach(() => {
    restoreEnv = setEnv(NO_CREDENTIALS);
  });
  afterEach(() => restoreEnv());

  test('sets only the CloudFront endpoint, no credentials, when none are configured', () => {
    expect(localCloudFrontEnvironment('http://127.0.0.1:4000')).toEqual({
      AWS_ENDPOINT_URL_CLOUDFRONT: 'http://127.0.0.1:4000',
    });
  });

  test('leaves awsCredentialsProvider reporting the missing token and credentials when the dev server applied it', async () => {
    const env = new ProcessEnv();
    env.apply(localCloudFrontEnvironment('http://127.0.0.1:4000'));
    try {
      expect(process.env.AWS_ACCESS_KEY_ID).toBeUndefined();
      const provider = awsCredentialsProvider({ roleArn: 'arn:aws:iam::123456789012:role/reader' });
      const error = await provider().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(VercelOidcTokenError);
      expect((error as Error).message).toContain('No OIDC token could be obtained. Tried, in order:');
      expect((error as Error).message).toContain(
        "the function's own AWS credentials (to call sts:AssumeRole on arn:aws:iam::123456789012:role/reader)",
      );
    } finally {
      env.restore();
    }
  });
});

describe('vercelDevEnvironment', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dev-server-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('keeps dev1 and the server address when a .env file names VERCEL_REGION and VERCEL_URL', () => {
    // A file naming them (a deployment's values, or empty ones); `vercel dev` replaces both
    // (packages/cli/src/util/dev/server.ts, injectSystemValuesInDotenv).
    writeFileSync(join(dir, '.env'), 'VERCEL_REGION="iad1"\nGREETING=hello\n');
    writeFileSync(join(dir, '.env.local'), 'VERCEL_REGION=""\nVERCEL_URL=""\n');
    expect(vercelDevEnvironment(dir, '127.0.0.1:3000')).toEqual({
      VERCEL: '1',
      VERCEL_ENV: 'development',
      VERCEL_REGION: 'dev1',
      NOW_REGION: 'dev1',
      VERCEL_URL: '127.0.0.1:3000',
      GREETING: 'hello',
    });
  });

  test('lets a .env file set the other system variables when it names them', () => {
    writeFileSync(join(dir, '.env'), 'VERCEL_ENV=preview\n');
    expect(vercelDevEnvironment(dir, 'localhost:3000')).toMatchObject({
      VERCEL_ENV: 'preview',
      VERCEL_REGION: 'dev1',
    });
  });
});
