import * as errors from '../../runtime/errors';

describe('errors', () => {
  const instances: [string, Error][] = [
    ['VercelFunctionsAwsError', new errors.VercelFunctionsAwsError('m')],
    ['WebSocketUnsupportedError', new errors.WebSocketUnsupportedError()],
    ['UnsupportedDatabasePoolError', new errors.UnsupportedDatabasePoolError()],
    ['InvalidMiddlewareRequestError', new errors.InvalidMiddlewareRequestError()],
    ['VercelOidcTokenError', new errors.VercelOidcTokenError('m')],
    ['UnsupportedOptionError', new errors.UnsupportedOptionError('m')],
    ['MissingPackageError', new errors.MissingPackageError('pkg')],
  ];

  test.each(instances)('%s sets its name and extends the base class', (name, error) => {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(errors.VercelFunctionsAwsError);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(new RegExp(`^${name}: `));
  });

  test('keeps the cause when given one', () => {
    const cause = new Error('root');
    expect(new errors.VercelFunctionsAwsError('m', { cause }).cause).toBe(cause);
    expect(new errors.MissingPackageError('pkg', { cause }).cause).toBe(cause);
    expect(new errors.WebSocketUnsupportedError({ cause }).cause).toBe(cause);
  });

  test('names the package when a package is missing', () => {
    const error = new errors.MissingPackageError('some-pkg');
    expect(error.message).toBe("package 'some-pkg' not found");
    expect(error.packageName).toBe('some-pkg');
  });
});
