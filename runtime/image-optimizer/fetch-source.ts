import { type LookupAddress, type LookupAllOptions, type LookupOneOptions, lookup } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { ImageRequestError, SourceAddressError } from '../errors';
import { ipLiteralOf, isPublicAddress } from './ip-address';

/*
 * Downloads a source image without ever becoming a proxy to somewhere it should not reach:
 *
 * - Redirects are followed by hand, at most `maxRedirects`, and every hop is checked again by the
 *   caller's policy (allowed patterns) before anything is sent to it.
 * - Hops the policy rules `'public'` never reach a non-public address: an IP literal is refused
 *   outright, and a host name is resolved by a lookup that refuses non-public results — the very
 *   lookup the connection uses, so DNS cannot answer one address for a check and another for the
 *   connection.
 * - The body stops at `maxBytes` (decompressed), checked against `Content-Length` first and while
 *   reading; the whole exchange is bounded by `timeoutMs`.
 * - Nothing of the viewer's request (cookies, authorization, headers) is forwarded.
 */

/**
 * The addresses a hop may connect to: `'public'` only public unicast ones (checked as described
 * above), `'any'` whatever the host resolves to (an origin the operator configured, or remote
 * sources under `dangerouslyAllowLocalIP`).
 */
export type SourceAddresses = 'public' | 'any';

/**
 * Decides whether the optimizer may fetch `url` (the source or a redirect target), and which
 * addresses it may reach. Throws an `ImageRequestError` to refuse.
 */
export type SourcePolicy = (url: URL) => SourceAddresses;

/** Resolves a host name to all its addresses, as `dns.lookup` with `{ all: true }` does. */
export type HostResolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** Options of {@link fetchSource}. */
export interface FetchSourceOptions {
  /** Largest body accepted, in bytes (after decompression). */
  readonly maxBytes: number;
  /**
   * Resolves host names for the public-address check; the connection uses its checked answer.
   * Tests resolve names with it where there is no DNS for them.
   *
   * @default dns.lookup
   */
  readonly resolve?: HostResolver;
  /** @default 7_000 (Next.js's upstream timeout) */
  readonly timeoutMs?: number;
  /** @default 3 (Next.js's) */
  readonly maxRedirects?: number;
}

/** A downloaded source. */
export interface FetchedSource {
  readonly bytes: Buffer;
  /** The source's `Cache-Control`, when it sent one. */
  readonly cacheControl?: string;
  /** Where the bytes came from (after redirects). */
  readonly url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const REQUEST_HEADERS = {
  accept: 'image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8,*/*;q=0.5',
  'accept-encoding': 'identity',
  'user-agent': 'vercel-functions-aws-image-optimizer',
};

/** Fetches `url` as described above. Failures are `ImageRequestError`s with the status to answer. */
export async function fetchSource(
  url: URL,
  policy: SourcePolicy,
  options: FetchSourceOptions,
): Promise<FetchedSource> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? 7_000);
  const maxRedirects = options.maxRedirects ?? 3;
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const resolve = policy(current) === 'public' ? (options.resolve ?? lookup) : undefined;
      const response = await get(current, resolve, signal);
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status)) {
        response.destroy();
        const location = response.headers.location;
        const next = location === undefined ? null : URL.parse(location, current);
        if (!next)
          throw new ImageRequestError(502, `The source redirected (${status}) without a valid Location`);
        if (hop >= maxRedirects) {
          throw new ImageRequestError(508, `The source redirected more than ${maxRedirects} times`);
        }
        current = next;
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        // A missing or forbidden source is the client's problem; a failing one is the upstream's.
        throw new ImageRequestError(
          status >= 400 && status <= 499 ? status : 502,
          `"url" parameter is valid but the source responded with status ${status}`,
        );
      }
      return {
        bytes: await readBody(response, options.maxBytes),
        cacheControl: headerText(response.headers['cache-control']),
        url: current,
      };
    }
  } catch (error) {
    throw asImageRequestError(error, signal);
  }
}

/** GETs `url`; with `publicOnly`, only public addresses, resolved by it. */
function get(
  url: URL,
  publicOnly: HostResolver | undefined,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  if (publicOnly) {
    const literal = ipLiteralOf(url.hostname);
    if (literal !== undefined && !isPublicAddress(literal)) {
      return Promise.reject(
        new ImageRequestError(400, `"url" parameter is not allowed: ${literal} is not a public address`),
      );
    }
  }
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'GET',
      headers: REQUEST_HEADERS,
      signal,
      // A fresh connection per request: a pooled socket was resolved for some earlier request.
      agent: false,
      lookup: publicOnly ? publicOnlyLookup(publicOnly) : undefined,
    });
    request.once('response', resolve);
    request.once('error', reject);
    request.end();
  });
}

/** A connection `lookup` that fails with `SourceAddressError` when any address of the name is not public. */
function publicOnlyLookup(resolve: HostResolver) {
  return (
    hostname: string,
    options: LookupOneOptions | { all: true },
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
      if (blocked) return callback(new SourceAddressError(hostname, blocked.address), []);
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

async function readBody(response: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge(maxBytes, `${declared} bytes`);
  }
  const encoding = (headerText(response.headers['content-encoding']) ?? 'identity').trim().toLowerCase();
  const decoder = decoderFor(encoding);
  let source: Readable = response;
  if (decoder) {
    response.once('error', (error) => decoder.destroy(error));
    source = response.pipe(decoder);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) throw tooLarge(maxBytes, 'more');
      chunks.push(chunk as Buffer);
    }
  } finally {
    response.destroy();
    decoder?.destroy();
  }
  return Buffer.concat(chunks, total);
}

function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  switch (encoding) {
    case 'identity':
    case '':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      throw new ImageRequestError(502, `The source sent an unsupported Content-Encoding: ${encoding}`);
  }
}

function tooLarge(maxBytes: number, actual: string): ImageRequestError {
  return new ImageRequestError(
    413,
    `The source image is larger than the optimizer's limit of ${maxBytes} bytes (maximumResponseBody; got ${actual})`,
  );
}

function asImageRequestError(error: unknown, signal: AbortSignal): ImageRequestError {
  if (error instanceof ImageRequestError) return error;
  if (error instanceof SourceAddressError) {
    return new ImageRequestError(400, `"url" parameter is not allowed: ${error.message}`, { cause: error });
  }
  if (signal.aborted) {
    return new ImageRequestError(504, 'The source did not respond in time', { cause: error });
  }
  if (String((error as { code?: unknown }).code).startsWith('Z_')) {
    return new ImageRequestError(502, 'The source sent a body that does not decompress', { cause: error });
  }
  return new ImageRequestError(502, 'The source could not be fetched', { cause: error });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
