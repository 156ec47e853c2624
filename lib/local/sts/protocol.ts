import type { IncomingMessage } from 'node:http';
import type { AwsApiError } from '../aws-api-error';
import { errorResponseXml, escapeXml } from '../aws-xml';
import type { LocalCredentials } from './types';

// STS's Query protocol (awsQuery): parameters form-encoded in a POST body (or the query string of a
// GET), answers as `<{Action}Response><{Action}Result>…` XML, errors as `<ErrorResponse>`.
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonParameters.html

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** The request's parameters: the form body of a POST, else the query string. */
export function queryParameters(req: IncomingMessage, body: Buffer): URLSearchParams {
  const requestUrl = new URL(req.url ?? '/', 'http://localhost');
  return new URLSearchParams(req.method === 'POST' ? body.toString('utf8') : requestUrl.search);
}

/** Values of a Query-protocol list: `Name.member.1`, `Name.member.2`, … (or `Name.member.N.field`). */
export function members(params: URLSearchParams, name: string, field?: string): string[] {
  const values: string[] = [];
  for (let i = 1; ; i += 1) {
    const value = params.get(field ? `${name}.member.${i}.${field}` : `${name}.member.${i}`);
    if (value === null) return values;
    values.push(value);
  }
}

/** The answer to a successful `action`, wrapping the `<{Action}Result>` content `result`. */
export function resultXml(action: string, result: string, requestId: string): string {
  return `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

/** The answer to a failed call. */
export function errorXml(error: AwsApiError, requestId: string): string {
  return errorResponseXml(XMLNS, error, requestId);
}

/** The `AssumedRoleUser` and `Credentials` elements of an AssumeRole* result. */
export function assumedRoleXml(roleId: string, credentials: LocalCredentials): string {
  return (
    `<AssumedRoleUser><AssumedRoleId>${roleId}:${escapeXml(credentials.sessionName)}</AssumedRoleId>` +
    `<Arn>${escapeXml(credentials.arn)}</Arn></AssumedRoleUser>` +
    `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId>` +
    `<SecretAccessKey>${escapeXml(credentials.secretAccessKey)}</SecretAccessKey>` +
    `<SessionToken>${escapeXml(credentials.sessionToken)}</SessionToken>` +
    `<Expiration>${credentials.expiration.toISOString()}</Expiration></Credentials>`
  );
}
