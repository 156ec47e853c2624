import type { CloudFrontHeaders, CloudFrontRequestEvent } from 'aws-lambda';
import type { OriginModel } from './distribution-model';

// Lambda@Edge origin-request functions: the event CloudFront builds for them and what it does with
// the result (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html,
// lambda-generating-http-responses.html). Headers are `{ lowercase: [{ key, value }] }`; with
// IncludeBody the body arrives base64-encoded, cut at 1 MB with `inputTruncated`.

/** Runs a Lambda@Edge function of the template with an event and resolves with what it returned. */
export type EdgeFunctionInvoker = (
  functionLogicalId: string,
  event: CloudFrontRequestEvent,
) => Promise<unknown>;

/** The request CloudFront is about to send to an origin. */
export interface OriginRequest {
  readonly method: string;
  readonly uri: string;
  /** Raw query string, without `?`. */
  readonly querystring: string;
  /** Names as CloudFront sends them. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** A response generated instead of contacting the origin. */
export interface GeneratedResponse {
  readonly statusCode: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** CloudFront passes at most this much of a body to an origin-request function. */
export const MAX_EDGE_BODY_BYTES = 1024 * 1024;

/** The origin-request event for `request`. */
export function originRequestEvent(
  request: OriginRequest,
  context: {
    readonly distributionId: string;
    readonly distributionDomainName: string;
    readonly requestId: string;
    readonly clientIp: string;
    readonly origin: OriginModel;
    readonly includeBody: boolean;
  },
): CloudFrontRequestEvent {
  const headers: CloudFrontHeaders = {};
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    headers[lower] ??= [];
    headers[lower].push({ key: name, value });
  }
  const customHeaders: CloudFrontHeaders = {};
  for (const { name, value } of context.origin.customHeaders)
    customHeaders[name.toLowerCase()] = [{ key: name, value }];
  const truncated = request.body.length > MAX_EDGE_BODY_BYTES;
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: context.distributionDomainName,
            distributionId: context.distributionId,
            eventType: 'origin-request',
            requestId: context.requestId,
          },
          request: {
            clientIp: context.clientIp,
            headers,
            method: request.method,
            querystring: request.querystring,
            uri: request.uri,
            origin: {
              custom: {
                customHeaders,
                domainName: context.origin.domainName,
                keepaliveTimeout: 5,
                path: context.origin.originPath,
                port: 443,
                protocol: 'https',
                readTimeout: context.origin.readTimeoutSeconds,
                sslProtocols: ['TLSv1.2'],
              },
            },
            ...(context.includeBody
              ? {
                  body: {
                    action: 'read-only' as const,
                    data: request.body.subarray(0, MAX_EDGE_BODY_BYTES).toString('base64'),
                    encoding: 'base64' as const,
                    inputTruncated: truncated,
                  },
                }
              : {}),
          },
        },
      },
    ],
  } as CloudFrontRequestEvent;
}

/** A Lambda@Edge result CloudFront cannot use (CloudFront answers 502, LambdaValidationError). */
export class EdgeFunctionResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LambdaValidationError';
  }
}

/**
 * Applies an origin-request function's result: a request (possibly changed) goes on to the origin;
 * a response (`status`) goes back to the viewer without contacting it.
 *
 * @throws EdgeFunctionResultError for a result that is neither
 */
export function applyOriginRequestResult(
  result: unknown,
  request: OriginRequest,
): { kind: 'request'; request: OriginRequest } | { kind: 'response'; response: GeneratedResponse } {
  if (typeof result !== 'object' || result === null) {
    throw new EdgeFunctionResultError(
      `the origin-request function returned ${JSON.stringify(result)}, neither a request nor a response`,
    );
  }
  const value = result as Record<string, unknown>;
  if ('status' in value) {
    const statusCode = Number(value.status);
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      throw new EdgeFunctionResultError(
        `the origin-request function returned a response with status ${JSON.stringify(value.status)}`,
      );
    }
    const text = typeof value.body === 'string' ? value.body : '';
    return {
      kind: 'response',
      response: {
        statusCode,
        headers: headerPairs(value.headers),
        body: Buffer.from(text, value.bodyEncoding === 'base64' ? 'base64' : 'utf8'),
      },
    };
  }
  if (typeof value.uri !== 'string' || !value.uri.startsWith('/')) {
    throw new EdgeFunctionResultError(
      'the origin-request function returned a request without a uri starting with /',
    );
  }
  const body = value.body as { action?: string; data?: string; encoding?: string } | undefined;
  return {
    kind: 'request',
    request: {
      method: request.method,
      uri: value.uri,
      querystring: typeof value.querystring === 'string' ? value.querystring : request.querystring,
      headers: headerPairs(value.headers),
      body:
        body?.action === 'replace' && typeof body.data === 'string'
          ? Buffer.from(body.data, body.encoding === 'text' ? 'utf8' : 'base64')
          : request.body,
    },
  };
}

function headerPairs(headers: unknown): [string, string][] {
  const pairs: [string, string][] = [];
  if (typeof headers !== 'object' || headers === null) return pairs;
  for (const [name, values] of Object.entries(headers as CloudFrontHeaders)) {
    if (!Array.isArray(values)) continue;
    for (const entry of values) pairs.push([entry.key ?? name, String(entry.value)]);
  }
  return pairs;
}
