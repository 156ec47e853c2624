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
    ['InvalidImageOptimizerConfigError', new errors.InvalidImageOptimizerConfigError('m')],
    ['ImageRequestError', new errors.ImageRequestError(400, 'm')],
    ['SourceAddressError', new errors.SourceAddressError('example.com', '10.0.0.1')],
    ['LambdaRuntimeMissingError', new errors.LambdaRuntimeMissingError()],
    ['InvalidHandlerModuleError', new errors.InvalidHandlerModuleError('m')],
    ['InvalidHandlerOptionError', new errors.InvalidHandlerOptionError('m')],
    ['InvalidEventError', new errors.InvalidEventError('m')],
    ['ResponseBodyError', new errors.ResponseBodyError('r')],
    ['InvocationTimeoutError', new errors.InvocationTimeoutError()],
    ['MiddyExecutionModeMissingError', new errors.MiddyExecutionModeMissingError()],
    ['InvalidRouteError', new errors.InvalidRouteError('m')],
    ['OriginSecretUnavailableError', new errors.OriginSecretUnavailableError('m', 'arn')],
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
    expect(new errors.ImageRequestError(502, 'm', { cause }).cause).toBe(cause);
    expect(new errors.SourceAddressError('example.com', '10.0.0.1', { cause }).cause).toBe(cause);
  });

  test('names the package when a package is missing', () => {
    const error = new errors.MissingPackageError('some-pkg');
    expect(error.message).toBe("package 'some-pkg' not found");
    expect(error.packageName).toBe('some-pkg');
  });

  test('carries the status the client gets when an image request fails', () => {
    const error = new errors.ImageRequestError(415, 'unsupported source type');
    expect(error.statusCode).toBe(415);
    expect(error.message).toBe('unsupported source type');
  });

  test('names the host and the address when an image source resolves to a private address', () => {
    expect(new errors.SourceAddressError('internal.example', '169.254.169.254').message).toBe(
      'internal.example resolves to 169.254.169.254, which is not a public address',
    );
  });
});
