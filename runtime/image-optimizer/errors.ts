import { VercelFunctionsAwsError } from '../errors';

/**
 * Errors of the image optimizer. They extend the runtime's base class; they live next to the
 * optimizer because only it throws them.
 */

/** The optimizer's configuration (the construct props, or the JSON in the environment) is invalid. */
export class InvalidImageOptimizerConfigError extends VercelFunctionsAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidImageOptimizerConfigError';
  }
}

/**
 * A request the optimizer refuses or cannot serve. The client gets `statusCode` and the message as
 * a plain-text body, so the message names the problem without revealing anything internal.
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
 * A remote source's host name resolved to an address the optimizer must not connect to (loopback,
 * private, link-local, ...). Raised by the DNS lookup of the connection itself, so a name cannot
 * resolve to a public address when checked and a private one when connected.
 */
export class SourceAddressError extends VercelFunctionsAwsError {
  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to ${address}, which is not a public address`);
    this.name = 'SourceAddressError';
  }
}
