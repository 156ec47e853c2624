import { AwsApiError } from '../aws-api-error';

// STS errors more than one action answers with. Messages quoted from AWS where it documents them.

/** A parameter outside its documented bounds, worded like STS's `ValidationError`. */
export function validationError(member: string, constraint: string, value?: string): AwsApiError {
  return new AwsApiError(
    400,
    'ValidationError',
    `1 validation error detected: Value ${value === undefined ? 'null' : `'${value}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** The requested session outlasts the role's `MaxSessionDuration`. */
export function maxSessionDurationExceeded(): AwsApiError {
  return new AwsApiError(
    400,
    'ValidationError',
    'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  );
}

/** The IdP's discovery document or JWKS could not be fetched (connection, timeout, 5xx). */
export function idpUnreachable(): AwsApiError {
  // The API reference's description of IDPCommunicationError.
  return new AwsApiError(
    400,
    'IDPCommunicationError',
    'The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached. This is often a transient error caused by network conditions. Retry the request a limited number of times and wait between retries.',
  );
}

/** The IdP answered, but without a key for the token. */
export function keyUnavailable(): AwsApiError {
  // As quoted by AWS re:Post ("iam-sts-invalididentitytoken").
  return new AwsApiError(
    400,
    'InvalidIdentityToken',
    "Couldn't retrieve verification key from your identity provider.",
  );
}

/** The token is no JWT, or its signature does not verify. */
export function invalidToken(): AwsApiError {
  // The API reference's description of InvalidIdentityToken.
  return new AwsApiError(
    400,
    'InvalidIdentityToken',
    'The web identity token that was passed could not be validated by Amazon Web Services. Get a new identity token from the identity provider and then retry the request.',
  );
}
