/**
 * An error a loopback AWS endpoint answers with: the HTTP status and the service's error code.
 * The endpoint's request handling throws it and turns it into the service's error document
 * (awsQuery / REST-XML `<ErrorResponse>`, awsJson `{ __type, Message }`); it never reaches callers of
 * the endpoint's own methods, which throw plain errors naming the bad argument.
 */
export class AwsApiError extends Error {
  constructor(
    /** The HTTP status of the answer. */
    readonly status: number,
    /** The service's error code, e.g. `InvalidIdentityToken`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AwsApiError';
  }
}
