import { Agent, request as httpRequest } from 'node:http';
import type { Readable } from 'node:stream';
import type { OriginModel } from './distribution-model';
import type { OriginRequest } from './lambda-edge';

// How the emulation reaches an origin. Locally an origin's domain (a Function URL's
// `<id>.lambda-url.<region>.on.aws`) is served on a loopback port over plain HTTP; the request still
// carries the domain in Host, as CloudFront sends it and as OAC signs it.

/** An origin's answer: status and headers, and the body as it streams in. */
export interface OriginResponse {
  readonly statusCode: number;
  /** `[name, value]` in the order received (repeated headers repeated). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Readable;
}

/** Sends an origin request and resolves once the origin's status and headers have arrived. */
export interface OriginTransport {
  fetch(origin: OriginModel, request: OriginRequest, readTimeoutMs: number): Promise<OriginResponse>;
  /** Closes kept-alive connections. */
  close(): void;
}

/** The origin did not answer within its read timeout (CloudFront: 504). */
export class OriginTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OriginTimeoutError';
  }
}

/** The origin could not be reached or broke the connection (CloudFront: 502). */
export class OriginConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OriginConnectionError';
  }
}

/**
 * A transport over plain HTTP to loopback servers.
 *
 * @param addressOf where the origin with this domain listens locally (`undefined`: nowhere → 502)
 */
export function httpOriginTransport(
  addressOf: (domainName: string) => { readonly host: string; readonly port: number } | undefined,
): OriginTransport {
  const agent = new Agent({ keepAlive: true });
  return {
    close: () => agent.destroy(),
    fetch: (origin, request, readTimeoutMs) =>
      new Promise<OriginResponse>((resolve, reject) => {
        const address = addressOf(origin.domainName);
        if (!address) {
          reject(
            new OriginConnectionError(
              `no local server serves the origin ${origin.id} (${origin.domainName})`,
            ),
          );
          return;
        }
        const path = `${origin.originPath}${request.uri}${request.querystring === '' ? '' : `?${request.querystring}`}`;
        const headers: [string, string][] = request.headers
          .filter(([name]) => name.toLowerCase() !== 'content-length')
          .map(([n, v]) => [n, v]);
        if (request.body.length > 0 || !['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(request.method)) {
          headers.push(['Content-Length', String(request.body.length)]);
        }
        const outgoing = httpRequest({
          agent,
          host: address.host,
          port: address.port,
          method: request.method,
          path,
          // Flat [name, value, ...] keeps repeated headers and the Host CloudFront set.
          headers: headers.flat(),
          setHost: false,
        });
        let answered = false;
        outgoing.setTimeout(readTimeoutMs, () => {
          const error = new OriginTimeoutError(
            `origin ${origin.id} sent nothing for ${readTimeoutMs / 1000} s (its read timeout)`,
          );
          if (!answered) reject(error);
          outgoing.destroy(error);
        });
        outgoing.on('error', (error) => {
          if (!answered)
            reject(
              error instanceof OriginTimeoutError
                ? error
                : new OriginConnectionError(`origin ${origin.id}: ${error.message}`, { cause: error }),
            );
        });
        outgoing.on('response', (incoming) => {
          answered = true;
          const pairs: [string, string][] = [];
          for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2)
            pairs.push([incoming.rawHeaders[i], incoming.rawHeaders[i + 1]]);
          // A connection the origin breaks mid-body is an error of the body stream, not a clean end.
          incoming.on('aborted', () =>
            incoming.destroy(new OriginConnectionError(`origin ${origin.id} broke off its response`)),
          );
          resolve({ statusCode: incoming.statusCode ?? 502, headers: pairs, body: incoming });
        });
        outgoing.end(request.body.length > 0 ? request.body : undefined);
      }),
  };
}
