// Lambda@Edge origin-request handler for OriginProtection.oacWithBodySigning(). Bundled on its own
// (lib/private/edge-code.ts) and deployed to us-east-1; it must not import anything but Node built-ins.
//
// CloudFront's origin access control signs requests to a Lambda Function URL with SigV4, but Lambda
// does not accept unsigned payloads: a request with a body must carry the SHA-256 of that body in
// x-amz-content-sha256, or it fails with 403 (AWS docs, "Restricting access to an AWS Lambda function
// URL origin"). Browsers and ordinary HTTP clients do not send it, so this function computes it from
// the body CloudFront hands over (the behaviour's association sets includeBody).
import { createHash } from 'node:crypto';
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from 'aws-lambda';

/** CloudFront passes at most this much of the body to an origin-request function (includeBody). */
export const MAX_SIGNED_BODY_BYTES = 1024 * 1024;

const HASH_HEADER = 'x-amz-content-sha256';

export async function handler(event: CloudFrontRequestEvent): Promise<CloudFrontRequestResult> {
  const request = event.Records[0].cf.request;
  const body = request.body;
  // Above 1 MB CloudFront truncates the body it shows us; a hash of the truncated bytes would be
  // rejected by Lambda as a signature mismatch (403), which would hide the real problem.
  if (body?.inputTruncated) {
    return {
      status: '413',
      statusDescription: 'Payload Too Large',
      headers: {
        'content-type': [{ key: 'Content-Type', value: 'text/plain; charset=utf-8' }],
        'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
      },
      body:
        'Request body too large: this endpoint accepts at most 1 MB, because CloudFront signs requests to the ' +
        'function (OriginProtection.oacWithBodySigning()) and can only hash bodies up to 1 MB. ' +
        'Use OriginProtection.secretHeader() for larger uploads, or upload to S3 with a presigned URL.\n',
    };
  }
  const bytes = body?.data
    ? Buffer.from(body.data, body.encoding === 'text' ? 'utf8' : 'base64')
    : Buffer.alloc(0);
  // Overwrites whatever the viewer sent: a wrong hash would only earn the viewer a 403.
  request.headers[HASH_HEADER] = [
    { key: HASH_HEADER, value: createHash('sha256').update(bytes).digest('hex') },
  ];
  return request;
}
