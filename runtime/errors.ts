/**
 * Typed errors thrown by the runtime.
 *
 * Every class sets `name` explicitly (a class name does not survive minification) and passes
 * `{ cause }` through to `Error`. Where upstream `@vercel/functions` throws a plain `Error`, our
 * subclass keeps upstream's exact message, so code that matches on `message` or checks
 * `instanceof Error` behaves the same.
 */

/** Base class of every error this runtime throws. */
export class VercelFunctionsAwsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VercelFunctionsAwsError';
  }
}

/**
 * `experimental_upgradeWebSocket()` was called. Lambda Function URLs carry HTTP request/response
 * streams only; there is no socket to upgrade.
 */
export class WebSocketUnsupportedError extends VercelFunctionsAwsError {
  constructor(options?: ErrorOptions) {
    super(
      // Upstream's message first, so code matching on it still matches.
      'experimental_upgradeWebSocket is not available in the current runtime environment. ' +
        'This feature requires a Vercel runtime that supports WebSocket upgrades. ' +
        'On AWS, Lambda Function URLs do not support WebSockets: serve WebSocket clients from an ' +
        'Amazon API Gateway WebSocket API (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api.html) instead.',
      options,
    );
    this.name = 'WebSocketUnsupportedError';
  }
}

/** `attachDatabasePool()` received an object that matches none of the supported pool shapes. */
export class UnsupportedDatabasePoolError extends VercelFunctionsAwsError {
  constructor(options?: ErrorOptions) {
    super('Unsupported database pool type', options);
    this.name = 'UnsupportedDatabasePoolError';
  }
}

/** `next()` / `rewrite()` received `init.request.headers` that is not a `Headers` instance. */
export class InvalidMiddlewareRequestError extends VercelFunctionsAwsError {
  constructor(options?: ErrorOptions) {
    super('request.headers must be an instance of Headers', options);
    this.name = 'InvalidMiddlewareRequestError';
  }
}

/**
 * No OIDC token is available: neither the request's `x-vercel-oidc-token` header nor the
 * `VERCEL_OIDC_TOKEN` environment variable is set. Named like upstream `@vercel/oidc`'s error.
 */
export class VercelOidcTokenError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VercelOidcTokenError';
  }
}

/** A caller asked for a feature that upstream offers but this runtime does not (yet) provide. */
export class UnsupportedOptionError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnsupportedOptionError';
  }
}

/** An optional peer package needed by the called API could not be loaded. */
export class MissingPackageError extends VercelFunctionsAwsError {
  /** The package that could not be loaded. */
  readonly packageName: string;

  constructor(packageName: string, options?: ErrorOptions) {
    // Upstream's exact wording.
    super(`package '${packageName}' not found`, options);
    this.name = 'MissingPackageError';
    this.packageName = packageName;
  }
}
