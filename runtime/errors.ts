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

/**
 * `VERCEL_FUNCTIONS_AWS_POOL_RELEASE_GRACE_MS` is not a whole number of milliseconds ≥ 0. Thrown by
 * `attachDatabasePool()`, i.e. at module init; the message names the variable and the value.
 */
export class InvalidPoolReleaseGraceError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidPoolReleaseGraceError';
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
 * `VERCEL_OIDC_TOKEN` environment variable is set, and (for the async getter) STS
 * `GetWebIdentityToken` did not give one either. The message starts with upstream's text and
 * then lists each source tried and why it failed. Named like upstream `@vercel/oidc`'s error.
 */
export class VercelOidcTokenError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VercelOidcTokenError';
  }
}

/**
 * An OIDC option or its environment variable has a value STS would refuse (a signing algorithm
 * other than `RS256` / `ES384`, a token lifetime outside 60–3600 s, an option AWS cannot honour).
 * The message names the option and the value received.
 */
export class InvalidOidcOptionError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidOidcOptionError';
  }
}

/** Upstream `@vercel/oidc`'s error for a missing Vercel CLI login; same name and message. */
export class AccessTokenMissingError extends VercelFunctionsAwsError {
  constructor(options?: ErrorOptions) {
    super('No authentication found. Please log in with the Vercel CLI (vercel login).', options);
    this.name = 'AccessTokenMissingError';
  }
}

/** Upstream `@vercel/oidc`'s error for a failed Vercel CLI token refresh; same name and message. */
export class RefreshAccessTokenFailedError extends VercelFunctionsAwsError {
  constructor(options?: ErrorOptions) {
    super('Failed to refresh authentication token.', options);
    this.name = 'RefreshAccessTokenFailedError';
  }
}

/**
 * An STS call made for OIDC federation failed (`AssumeRoleWithWebIdentity`, `AssumeRole` or
 * `GetWebIdentityToken`). The message names the operation, the role, STS's error code and STS's own
 * message; the AWS SDK's exception is the `cause`, so `instanceof InvalidIdentityTokenException`
 * still works on `error.cause`.
 */
export class StsOperationError extends VercelFunctionsAwsError {
  /** The STS operation, e.g. `AssumeRoleWithWebIdentity`. */
  readonly operation: string;
  /** The SDK's error name, e.g. `InvalidIdentityTokenException`, `ExpiredTokenException`, `AccessDenied`. */
  readonly code: string;

  constructor(message: string, operation: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StsOperationError';
    this.operation = operation;
    this.code = code;
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

/**
 * A cache tag breaks Vercel's documented rules: not a string, empty, longer than 256 bytes of
 * UTF-8, containing a comma (the separator in `Vercel-Cache-Tag` and in purge requests), or not
 * well-formed Unicode. The message names the tag and the rule.
 */
export class InvalidCacheTagError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidCacheTagError';
  }
}

/** A response, or a cache entry, would carry more tags than Vercel allows (128). */
export class TooManyCacheTagsError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TooManyCacheTagsError';
  }
}

/**
 * `addCacheTag()` was called after the response's status and headers were sent (from a streamed
 * body or `waitUntil()` work): the tags can no longer reach the header CloudFront reads.
 */
export class CacheTagsAlreadySentError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CacheTagsAlreadySentError';
  }
}

/** `invalidateBySrcImage()` / `dangerouslyDeleteBySrcImage()` got a source that is no image path or URL. */
export class InvalidSrcImageError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidSrcImageError';
  }
}

/** A purge call got an option it cannot use (e.g. a negative `revalidationDeadlineSeconds`). */
export class InvalidPurgeOptionError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidPurgeOptionError';
  }
}

/**
 * A CDN invalidation could neither be sent to CloudFront nor be queued in the tag table for a
 * later retry. `items` are the `CreateInvalidation` paths (`#tag` items and paths) that were lost.
 */
export class InvalidationFailedError extends VercelFunctionsAwsError {
  /** The invalidation items that were not sent. */
  readonly items: readonly string[];

  constructor(message: string, items: readonly string[], options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidationFailedError';
    this.items = items;
  }
}

/**
 * A purge call could not expire its tags in the Runtime Cache (its tag table unreachable, throttled
 * past the call's budget, or not configured): entries carrying `tags` may still be served. The
 * CloudFront invalidation of the same call was still sent or queued. The store's error is the `cause`.
 */
export class RuntimeCacheExpiryError extends VercelFunctionsAwsError {
  /** The tags the Runtime Cache did not expire. */
  readonly tags: readonly string[];

  constructor(message: string, tags: readonly string[], options?: ErrorOptions) {
    super(message, options);
    this.name = 'RuntimeCacheExpiryError';
    this.tags = tags;
  }
}

/**
 * Base class of the Runtime Cache's input errors: `getCache()` received a key, ttl, name or value it
 * cannot store (bad tags throw {@link InvalidCacheTagError} / {@link TooManyCacheTagsError}, shared
 * with `addCacheTag`). Faults of the store itself (DynamoDB unreachable, throttled) are never
 * thrown: reads miss and writes are logged and skipped.
 */
export class InvalidCacheInputError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidCacheInputError';
  }
}

/** A cache `ttl` is not a finite, non-negative number of seconds. */
export class InvalidCacheTtlError extends InvalidCacheInputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidCacheTtlError';
  }
}

/**
 * A cache key the store cannot hold: not a string, or (transformed) empty, not well-formed Unicode or
 * longer than DynamoDB's key limit.
 */
export class InvalidCacheKeyError extends InvalidCacheInputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidCacheKeyError';
  }
}

/**
 * A cache value JSON cannot represent (a `BigInt`, a circular reference, a throwing `toJSON`).
 * The `JSON.stringify` error is kept as `cause`.
 */
export class UnserializableCacheValueError extends InvalidCacheInputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnserializableCacheValueError';
  }
}

/**
 * A stored cache entry cannot be read back (unknown encoding, missing chunk, undecodable bytes).
 * Never thrown to callers: the read is logged and treated as a miss.
 */
export class CorruptCacheEntryError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CorruptCacheEntryError';
  }
}

/** A Runtime Cache backend was constructed with an option value it cannot use (e.g. a negative duration). */
export class InvalidCacheOptionError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidCacheOptionError';
  }
}

/** The scheduled invalidation sweeper runs without a tag table (`VERCEL_FUNCTIONS_AWS_TAG_TABLE` unset). */
export class MissingTagTableError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MissingTagTableError';
  }
}

/** The image optimizer's configuration (the construct props, or the JSON in the environment) is invalid. */
export class InvalidImageOptimizerConfigError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidImageOptimizerConfigError';
  }
}

/**
 * A request the image optimizer refuses or cannot serve. The client gets `statusCode` and the
 * message as a plain-text body, so the message names the problem without revealing anything internal.
 */
export class ImageRequestError extends VercelFunctionsAwsError {
  /** The HTTP status the client gets (4xx for bad requests and bad sources, 5xx for upstream failures). */
  readonly statusCode: number;

  constructor(statusCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImageRequestError';
    this.statusCode = statusCode;
  }
}

/**
 * A remote image source's host name resolved to an address the optimizer must not connect to
 * (loopback, private, link-local, ...). Raised by the DNS lookup of the connection itself, so a name
 * cannot resolve to a public address when checked and a private one when connected.
 */
export class SourceAddressError extends VercelFunctionsAwsError {
  constructor(hostname: string, address: string, options?: ErrorOptions) {
    super(`${hostname} resolves to ${address}, which is not a public address`, options);
    this.name = 'SourceAddressError';
  }
}

/*
 * Errors of the request adapter (runtime/handler/).
 */

/** `createHandler()` ran where no Lambda runtime installed the `awslambda` global. */
export class LambdaRuntimeMissingError extends VercelFunctionsAwsError {
  constructor(options?: ErrorOptions) {
    super(
      'createHandler() needs the global `awslambda` (streamifyResponse, HttpResponseStream) that the ' +
        'AWS Lambda Node.js runtime installs unless AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is set: run ' +
        'under it or aws-lambda-ric, or install a polyfill first as the local dev server does.',
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

/**
 * On Lambda Managed Instances, the response was still being sent when the invocation reached its
 * timeout (less the drain safety margin). Managed Instances do not stop an invocation at its
 * timeout, so the adapter stops the response itself; this is the `cause` of the `ResponseBodyError`
 * that fails the stream.
 */
export class InvocationTimeoutError extends VercelFunctionsAwsError {
  constructor(options?: ErrorOptions) {
    super(
      'The response was unfinished at the invocation timeout, which Lambda Managed Instances do not enforce',
      options,
    );
    this.name = 'InvocationTimeoutError';
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
