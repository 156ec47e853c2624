import { VercelFunctionsAwsError } from '../errors';

/**
 * Errors of the request adapter. They extend the runtime's base class; they live next to the
 * adapter because only the adapter throws them.
 */

/** `createHandler()` ran where no Lambda runtime installed the `awslambda` global. */
export class LambdaRuntimeMissingError extends VercelFunctionsAwsError {
  constructor(options?: ErrorOptions) {
    super(
      'createHandler() needs the global `awslambda` (streamifyResponse, HttpResponseStream), which the ' +
        'AWS Lambda Node.js runtime installs. It is missing: run the handler under the Lambda runtime ' +
        '(or aws-lambda-ric), or install an equivalent polyfill first as the local dev server does. ' +
        'AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA also removes it.',
      options,
    );
    this.name = 'LambdaRuntimeMissingError';
  }
}

/** The user's module has no usable Web handler (wrong shape, Node `(req, res)` handler, ...). */
export class InvalidHandlerModuleError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidHandlerModuleError';
  }
}

/** An adapter option has a value it cannot use. */
export class InvalidHandlerOptionError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidHandlerOptionError';
  }
}

/**
 * The invocation event cannot be turned into a Web `Request`. The adapter answers with
 * `statusCode` and the message as a plain-text body; the user's code never runs.
 */
export class InvalidEventError extends VercelFunctionsAwsError {
  /** The HTTP status the client gets: 400, or 405 for a method `Request` refuses. */
  readonly statusCode: number;

  constructor(message: string, options?: ErrorOptions & { statusCode?: number }) {
    super(message, options);
    this.name = 'InvalidEventError';
    this.statusCode = options?.statusCode ?? 400;
  }
}

/**
 * The response body failed after the status and headers were sent. Thrown out of the handler on
 * purpose, so the Lambda runtime fails the stream (error trailers) and the client sees an aborted
 * response rather than a complete-looking one.
 */
export class ResponseBodyError extends VercelFunctionsAwsError {
  constructor(requestId: string, options?: ErrorOptions) {
    super(`The response body failed after the response had started (request ${requestId})`, options);
    this.name = 'ResponseBodyError';
  }
}

/** The middy middleware ran without the execution mode that opens the request context. */
export class MiddyExecutionModeMissingError extends VercelFunctionsAwsError {
  constructor(options?: ErrorOptions) {
    super(
      'vercelRequestContext() middleware found no request context: create the handler with ' +
        'middy(handler, { executionMode: vercelExecutionMode(executionModeStreamifyResponse) }). ' +
        'A middleware alone cannot keep the context for the handler nor wait for waitUntil() work ' +
        'after the response.',
      options,
    );
    this.name = 'MiddyExecutionModeMissingError';
  }
}

/**
 * A route path (the `VERCEL_FUNCTIONS_AWS_ROUTE` variable, or a route given to the constructs) is
 * not a Vercel-style path such as `/api/users/[id]`. The message names the value.
 */
export class InvalidRouteError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidRouteError';
  }
}

/**
 * The origin secret (`OriginProtection.secretHeader()`) could not be read from Secrets Manager, or
 * its value is unusable. The adapter then fails closed: the request gets 503 and user code never
 * runs. The SDK's error is the `cause`.
 */
export class OriginSecretUnavailableError extends VercelFunctionsAwsError {
  /** The secret's ARN (`VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN`). */
  readonly secretId: string;

  constructor(message: string, secretId: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OriginSecretUnavailableError';
    this.secretId = secretId;
  }
}
