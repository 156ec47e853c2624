import * as errors from '../../../runtime/errors';

describe('OIDC errors', () => {
  const instances: [string, Error][] = [
    ['AccessTokenMissingError', new errors.AccessTokenMissingError()],
    ['RefreshAccessTokenFailedError', new errors.RefreshAccessTokenFailedError()],
    ['InvalidOidcOptionError', new errors.InvalidOidcOptionError('m')],
    ['StsOperationError', new errors.StsOperationError('m', 'AssumeRole', 'AccessDenied')],
  ];

  test.each(instances)('%s sets its name and extends the base class', (name, error) => {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(errors.VercelFunctionsAwsError);
    expect(String(error)).toMatch(new RegExp(`^${name}: `));
  });

  test('StsOperationError keeps the operation, the code and the SDK error as cause', () => {
    const cause = new Error('denied');
    const error = new errors.StsOperationError('m', 'AssumeRole', 'AccessDenied', { cause });
    expect([error.operation, error.code, error.cause]).toEqual(['AssumeRole', 'AccessDenied', cause]);
  });
});
