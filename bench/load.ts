import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * HTTP load from the bench process: a fixed number of requests over a fixed number of keep-alive
 * connections, each connection sending its next request as soon as the previous response has been
 * read to the end. Loopback only.
 */

export interface LoadOptions {
  readonly url: string;
  /** Requests in total (bounded, never a duration). */
  readonly requests: number;
  /** Requests in flight at once; also the number of connections. */
  readonly concurrency: number;
  readonly agent: Agent;
  /** The body every response must have (checked, so a broken variant cannot look fast). */
  readonly expectBody: string;
  /**
   * Request headers, sent with every request (e.g. fixtures/cloudfront-request.ts). A `host` here
   * replaces the one the URL gives.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LoadResult {
  readonly requests: number;
  readonly elapsedMs: number;
  readonly requestsPerSecond: number;
}

/** A keep-alive agent with one socket per concurrent request. */
export function keepAliveAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { requests, concurrency } = options;
  if (!Number.isInteger(requests) || requests < 1) {
    throw new RangeError(`runLoad: requests must be a positive integer, got ${requests}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`runLoad: concurrency must be a positive integer, got ${concurrency}`);
  }
  let issued = 0;
  const worker = async () => {
    while (issued < requests) {
      issued++;
      const { status, body } = await get(options.url, options.agent, options.headers);
      if (status !== 200 || body !== options.expectBody) {
        throw new Error(
          `runLoad: ${options.url} answered ${status} ${JSON.stringify(body.slice(0, 200))}, expected 200 ${JSON.stringify(options.expectBody)}`,
        );
      }
    }
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  const elapsedMs = performance.now() - startedAt;
  return { requests, elapsedMs, requestsPerSecond: (requests / elapsedMs) * 1000 };
}

/** One timed GET: time to the first body byte and to the end of the body. */
export interface TimedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** From sending the request to the first byte of the body, in ms. */
  readonly ttfbMs: number;
  /** From sending the request to the end of the body, in ms. */
  readonly totalMs: number;
  /** Wall clock (epoch ms) when the body ended, comparable with the function's log timestamps. */
  readonly completedAt: number;
}

/** One GET, timed; `headers` as for {@link runLoad}. */
export function timedGet(
  url: string,
  agent: Agent,
  headers?: Readonly<Record<string, string>>,
): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const req = request(url, { agent, headers }, (res) => {
      let firstByteAt: number | undefined;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        firstByteAt ??= performance.now();
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        const endedAt = performance.now();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          ttfbMs: (firstByteAt ?? endedAt) - startedAt,
          totalMs: endedAt - startedAt,
          completedAt: Date.now(),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function get(
  url: string,
  agent: Agent,
  headers: Readonly<Record<string, string>> | undefined,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}
