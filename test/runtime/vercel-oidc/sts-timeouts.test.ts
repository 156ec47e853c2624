import { createServer, type Server, type Socket } from 'node:net';
import { StsOperationError, VercelOidcTokenError } from '../../../runtime/errors';
import { awsCredentialsProvider } from '../../../runtime/oidc-aws-credentials-provider';
import { getVercelOidcToken } from '../../../runtime/vercel-oidc';
import { stsTimeouts } from '../../../runtime/vercel-oidc/sts-client';
import { resetWebIdentityTokens } from '../../../runtime/vercel-oidc/web-identity-token';
import { API_AUDIENCE, DATA_ROLE, type Federation, rejection, setEnv, startFederation } from './federation';

// A blackholed STS (a function in a VPC with neither a NAT gateway nor an STS endpoint, or an STS
// outage): the connection is accepted and nothing ever answers.
let blackhole: Server;
let blackholeUrl: string;
const held = new Set<Socket>();
let federation: Federation;
let restoreEnv: () => void = () => {};

beforeAll(async () => {
  federation = await startFederation();
  blackhole = createServer((socket) => held.add(socket));
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  const address = blackhole.address();
  if (address === null || typeof address === 'string') throw new Error('no loopback port');
  blackholeUrl = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => blackhole.close(resolve));
  await federation?.stop();
});
beforeEach(() => {
  // Short bounds, and one attempt, so the test does not wait 3 × 10 s.
  jest.replaceProperty(stsTimeouts, 'requestTimeoutMs', 200);
  restoreEnv = setEnv({
    ...federation.functionEnv(),
    AWS_ENDPOINT_URL_STS: blackholeUrl,
    AWS_MAX_ATTEMPTS: '1',
    VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE,
  });
  resetWebIdentityTokens();
});
afterEach(() => {
  restoreEnv();
  resetWebIdentityTokens();
  jest.restoreAllMocks();
});

describe('STS calls against an STS that never answers', () => {
  test('getVercelOidcToken rejects naming GetWebIdentityToken and the timeout', async () => {
    const error = await rejection(getVercelOidcToken());
    expect(error).toBeInstanceOf(VercelOidcTokenError);
    const cause = error.cause as StsOperationError;
    expect(cause).toBeInstanceOf(StsOperationError);
    expect(cause).toMatchObject({ operation: 'GetWebIdentityToken', code: 'TimeoutError' });
    expect(error.message).toContain(
      `STS GetWebIdentityToken: STS GetWebIdentityToken for audience '${API_AUDIENCE}' failed with TimeoutError:`,
    );
    expect(error.message).toContain('STS did not answer in time');
  });

  test('awsCredentialsProvider rejects naming AssumeRole and the timeout on the role-chaining path', async () => {
    const error = (await rejection(awsCredentialsProvider({ roleArn: DATA_ROLE })())) as StsOperationError;
    expect(error).toBeInstanceOf(StsOperationError);
    expect(error).toMatchObject({ operation: 'AssumeRole', code: 'TimeoutError' });
    expect(error.message).toMatch(
      /^STS AssumeRole of role arn:aws:iam::123456789012:role\/data-reader failed with TimeoutError: .*STS did not answer in time/,
    );
  });
});
