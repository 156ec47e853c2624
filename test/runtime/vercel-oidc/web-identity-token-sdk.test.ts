// A pure unit test: the Lambda runtime's own AWS SDK copy may predate STS GetWebIdentityToken, which
// a real SDK cannot show here, so the module is replaced by one without the command.
jest.mock('@aws-sdk/client-sts', () => {
  const actual = jest.requireActual('@aws-sdk/client-sts');
  return { ...actual, GetWebIdentityTokenCommand: undefined };
});

import { StsOperationError } from '../../../runtime/errors';
import {
  fetchWebIdentityToken,
  resetWebIdentityTokens,
} from '../../../runtime/vercel-oidc/web-identity-token';

describe('fetchWebIdentityToken', () => {
  afterEach(() => resetWebIdentityTokens());

  test('names bundleAwsSDK when the loaded AWS SDK has no GetWebIdentityToken', async () => {
    const error = await fetchWebIdentityToken({
      audience: 'https://api.example.com',
      signingAlgorithm: 'RS256',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StsOperationError);
    expect(error).toMatchObject({ operation: 'GetWebIdentityToken', code: 'UnsupportedSdkVersion' });
    expect((error as Error).message).toMatch(/predates it.*bundleAwsSDK: true/);
  });
});
