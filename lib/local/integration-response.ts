/**
 * The wire format of a streamed HTTP integration response, as `awslambda.HttpResponseStream.from`
 * writes it: the JSON prelude, 8 NUL bytes, then the body
 * (https://docs.aws.amazon.com/lambda/latest/dg/config-rs-write-functions.html).
 */

/** The content type `HttpResponseStream.from` gives the response stream. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** What the prelude carries that a Function URL uses. */
export interface IntegrationPrelude {
  readonly statusCode: number;
  /** Response headers, names as the function wrote them. */
  readonly headers: Readonly<Record<string, string>>;
  /** Each entry becomes one `Set-Cookie` header. */
  readonly cookies: readonly string[];
}

/** The stream did not carry a usable prelude; a Function URL answers 502 in that case. */
export class MalformedIntegrationResponseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MalformedIntegrationResponseError';
  }
}

const DELIMITER = Buffer.alloc(8);
// API Gateway documents that the metadata must come within the first 16 KB; Function URLs document
// no limit, so this only stops a stream that never sends the delimiter from growing without bound.
const MAX_PRELUDE_BYTES = 1024 * 1024;

/**
 * Splits the prelude off an integration stream whatever the chunk boundaries. JSON text never holds a
 * raw NUL byte, so the first run of 8 NULs is the delimiter even when the body itself starts with NULs.
 */
export class PreludeSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private parsed?: IntegrationPrelude;

  /** The prelude, once the delimiter has been seen. */
  get prelude(): IntegrationPrelude | undefined {
    return this.parsed;
  }

  /** Whether any byte has been pushed while the prelude was still incomplete. */
  get hasPendingBytes(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Feeds one chunk. Returns the body bytes it contains: none until the prelude is complete, then the
   * bytes after the delimiter, then every later chunk unchanged.
   */
  push(chunk: Buffer): Buffer {
    if (this.parsed) return chunk;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    // Start the search 7 bytes back so a delimiter split across chunks is still found.
    const at = this.pending.indexOf(DELIMITER, Math.max(0, this.pending.length - chunk.length - 7));
    if (at === -1) {
      if (this.pending.length > MAX_PRELUDE_BYTES) {
        throw new MalformedIntegrationResponseError(
          `no prelude delimiter in the first ${MAX_PRELUDE_BYTES} bytes of the response stream`,
        );
      }
      return Buffer.alloc(0);
    }
    this.parsed = parsePrelude(this.pending.subarray(0, at));
    const body = this.pending.subarray(at + DELIMITER.length);
    this.pending = Buffer.alloc(0);
    return body;
  }
}

/** Validates the prelude JSON the way a Function URL reads it: `statusCode`, `headers`, `cookies`. */
export function parsePrelude(json: Buffer | string): IntegrationPrelude {
  let value: unknown;
  try {
    value = JSON.parse(json.toString());
  } catch (error) {
    throw new MalformedIntegrationResponseError('the response prelude is not valid JSON', { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedIntegrationResponseError(`the response prelude must be a JSON object, got ${json}`);
  }
  const { statusCode = 200, headers = {}, cookies = [] } = value as Record<string, unknown>;
  if (!Number.isInteger(statusCode) || (statusCode as number) < 100 || (statusCode as number) > 599) {
    throw new MalformedIntegrationResponseError(
      `the response prelude's statusCode must be an integer from 100 to 599, got ${JSON.stringify(statusCode)}`,
    );
  }
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new MalformedIntegrationResponseError(
      `the response prelude's headers must be an object, got ${JSON.stringify(headers)}`,
    );
  }
  if (!Array.isArray(cookies) || cookies.some((cookie) => typeof cookie !== 'string')) {
    throw new MalformedIntegrationResponseError(
      `the response prelude's cookies must be an array of strings, got ${JSON.stringify(cookies)}`,
    );
  }
  const stringHeaders: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(headers)) {
    if (headerValue !== null && headerValue !== undefined) stringHeaders[name] = String(headerValue);
  }
  return { statusCode: statusCode as number, headers: stringHeaders, cookies: cookies as string[] };
}
