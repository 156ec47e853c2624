import type { AwsApiError } from './aws-api-error';

// The XML both XML-speaking loopback endpoints write: STS (awsQuery) and CloudFront (REST-XML) answer
// errors with the same `<ErrorResponse>` document, in their own namespace.
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html,
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/CommonErrors.html

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  "'": '&apos;',
  '"': '&quot;',
};

/** `value` as XML text or attribute content. */
export function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => XML_ENTITIES[c]);
}

/**
 * The `<ErrorResponse>` document for `error`: `Type` is `Receiver` for a 5xx (the service's fault),
 * `Sender` otherwise (the caller's).
 */
export function errorResponseXml(xmlns: string, error: AwsApiError, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
