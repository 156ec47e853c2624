import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { readRequestBody } from '../endpoint-server';
import { flushHead } from '../response-head';
import { cacheKeyOf } from './cache-key';
import { cacheLifetime } from './cache-lifetime';
import { CloudFrontFunctionError, CloudFrontFunctionRunner } from './cloudfront-function';
import type { BehaviorModel, CloudFrontFunctionModel, DistributionModel } from './distribution-model';
import { type CachedObject, cacheTagsOf, EdgeCache } from './edge-cache';
import {
  type FunctionEvent,
  type FunctionRequest,
  type FunctionResponse,
  fromFunctionValues,
  parseQueryString,
  parseSetCookies,
  serializeQueryString,
  serializeSetCookies,
  toFunctionHeaders,
} from './function-event';
import type { EdgeFunctionInvoker } from './lambda-edge';
import { createSigningCredentials, type SigningCredentials } from './origin-access';
import { type Fetched, OriginFetcher, originErrorStatus } from './origin-fetch';
import type { OriginTransport } from './origin-transport';
import { identifyViewer, type Viewer } from './viewer';
import { pathPatternMatches, viewerRequest } from './viewer-request';
import {
  applyResponseHeadersPolicy,
  type CacheResult,
  cloudFrontErrorPage,
  firstValues,
  type HeaderPairs,
  withCloudFrontHeaders,
} from './viewer-response';

/** Where invalidations come from: the loopback CloudFront API (lib/local/cloudfront-endpoint.ts) fits. */
export interface InvalidationSource {
  /** Every invalidation created for the distribution so far, oldest first. */
  invalidations(distributionId: string): readonly { readonly items: readonly string[] }[];
}

/** One request the distribution answered. */
export interface AccessLogEntry {
  readonly method: string;
  /** Path and query as the viewer sent them. */
  readonly target: string;
  readonly statusCode: number;
  /** What X-Cache said. */
  readonly result: CacheResult;
  readonly durationMs: number;
  /** Whether the viewer received the whole response. */
  readonly complete: boolean;
  /** Why CloudFront answered with an error of its own, if it did. */
  readonly reason?: string;
}

/** Options of {@link EmulatedDistribution}. */
export interface EmulatedDistributionOptions {
  /** The distribution, read from a synthesized template (`readDistribution`). */
  readonly model: DistributionModel;
  /** How origins are reached. */
  readonly transport: OriginTransport;
  /**
   * Runs the Lambda@Edge functions the behaviours associate.
   *
   * @default - a behaviour with a Lambda@Edge function answers 503
   */
  readonly edgeFunction?: EdgeFunctionInvoker;
  /**
   * What origin access control signs with; Function URLs behind the emulation must trust them.
   *
   * @default - fresh random credentials
   */
  readonly signingCredentials?: SigningCredentials;
  /**
   * Region OAC signs for when an origin's domain does not name one.
   *
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * `CloudFront-Viewer-*` location headers for viewers whose requests state no location.
   *
   * @default - no location
   */
  readonly defaultLocation?: Readonly<Record<string, string>>;
  /**
   * Where `CreateInvalidation` calls arrive; applied before every request.
   *
   * @default - only {@link EmulatedDistribution.invalidate}
   */
  readonly invalidations?: InvalidationSource;
  /** Receives CloudFront Function logs and internal errors. @default - dropped */
  readonly log?: (line: string) => void;
  /** Called once per request when its response is over. @default - nothing */
  readonly onResponse?: (entry: AccessLogEntry) => void;
}

/** One viewer request on its way through the distribution. */
interface Exchange {
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly method: string;
  readonly behavior: BehaviorModel;
  readonly viewer: Viewer;
  /** The request after the viewer-request function. */
  request: FunctionRequest;
  /** The query string as the viewer sent it (without `?`). */
  readonly rawQuery: string;
  result: CacheResult;
  reason?: string;
}

/**
 * A CloudFront distribution, emulated from its template: each request goes through the behaviour its
 * path selects — viewer-request CloudFront Function, cache lookup keyed like the cache policy, origin
 * request built from the origin request policy, Lambda@Edge origin-request function, OAC signing, the
 * origin, caching by the TTL rules with cache tags from the `CacheTagConfig` header, response headers
 * policy, viewer-response function — and carries `X-Cache: Hit|Miss|... from cloudfront`.
 *
 * @example
 * const distribution = new EmulatedDistribution({ model, transport: httpOriginTransport(addressOf) });
 * createServer((req, res) => void distribution.handle(req, res)).listen(3000);
 */
export class EmulatedDistribution {
  /** The edge cache (one, where CloudFront has one per edge location). */
  readonly cache = new EdgeCache();
  readonly signingCredentials: SigningCredentials;
  private readonly origins: OriginFetcher;
  private readonly runners = new Map<string, CloudFrontFunctionRunner>();
  private readonly refreshing = new Set<string>();
  private readonly viaHost = `${randomBytes(16).toString('hex')}.cloudfront.net`;
  private appliedInvalidations = 0;

  constructor(private readonly options: EmulatedDistributionOptions) {
    this.signingCredentials = options.signingCredentials ?? createSigningCredentials();
    this.origins = new OriginFetcher({
      model: options.model,
      transport: options.transport,
      edgeFunction: options.edgeFunction,
      credentials: this.signingCredentials,
      region: options.region ?? 'us-east-1',
      viaHost: this.viaHost,
    });
  }

  /** The distribution's (local) id. */
  get id(): string {
    return this.options.model.id;
  }

  get model(): DistributionModel {
    return this.options.model;
  }

  /** Evicts what CloudFront would for these invalidation items; returns the number evicted. */
  invalidate(items: readonly string[]): number {
    return this.cache.invalidate(items);
  }

  /** Answers one viewer request. Never rejects. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const requestId = randomBytes(42).toString('base64url');
    let exchange: Exchange | undefined;
    res.once('close', () =>
      this.options.onResponse?.({
        method,
        target: req.url ?? '/',
        statusCode: res.statusCode,
        result: exchange?.result ?? 'Error',
        durationMs: Date.now() - startedAt,
        complete: res.writableFinished,
        reason: exchange?.reason,
      }),
    );
    try {
      this.applyInvalidations();
      const target = req.url ?? '/';
      const queryAt = target.indexOf('?');
      let uri = queryAt === -1 ? target : target.slice(0, queryAt);
      const query = queryAt === -1 ? '' : target.slice(queryAt + 1);
      if (uri === '/' && this.model.defaultRootObject) uri = `/${this.model.defaultRootObject}`;
      const behavior = this.behaviorFor(uri);
      const viewer = identifyViewer(req, this.options.defaultLocation);
      const request = viewerRequest(req, behavior, { method, uri, query }, viewer);
      exchange = { res, requestId, method, behavior, viewer, request, rawQuery: query, result: 'Miss' };
      if (!uri.startsWith('/')) {
        req.resume();
        return this.sendError(exchange, 400, 'Bad request: the request target is not a path.');
      }
      await this.serve(req, exchange);
    } catch (error) {
      this.log(`request ${requestId} failed inside the emulation: ${describe(error)}`);
      if (res.headersSent) res.destroy(error instanceof Error ? error : new Error(String(error)));
      else if (exchange) this.sendError(exchange, 502, `The CloudFront emulation failed: ${describe(error)}`);
      else res.writeHead(502).end();
    }
  }

  private async serve(req: IncomingMessage, exchange: Exchange): Promise<void> {
    const { behavior, method } = exchange;
    if (!behavior.allowedMethods.includes(method)) {
      req.resume();
      return this.sendError(
        exchange,
        403,
        'This distribution is not configured to allow the HTTP request method that was used for this request.',
      );
    }
    let originId = behavior.targetOriginId;
    if (behavior.viewerRequest) {
      let outcome: Awaited<ReturnType<CloudFrontFunctionRunner['run']>>;
      try {
        outcome = await this.runner(behavior.viewerRequest).run(
          this.functionEvent('viewer-request', exchange),
        );
      } catch (error) {
        req.resume();
        return this.sendFunctionError(exchange, error);
      }
      if (outcome.kind === 'response') {
        req.resume();
        exchange.result = 'FunctionGeneratedResponse';
        const { statusCode, headers, body } = generatedResponse(outcome.response);
        return this.respond(exchange, statusCode, headers, body, { viewerResponse: false });
      }
      exchange.request = outcome.request;
      originId = outcome.originId ?? originId;
    }

    const body = await readRequestBody(req);
    const key = behavior.cachedMethods.includes(method)
      ? `${method === 'HEAD' ? 'GET' : method} ${cacheKeyOf(behavior.cachePolicy, exchange.request)}`
      : undefined;
    const hit = key === undefined ? undefined : this.cache.lookup(key);
    if (key !== undefined && hit) {
      if (hit.state === 'stale') this.refreshInBackground(key, exchange, originId);
      exchange.result = hit.object.statusCode >= 400 ? 'Error' : 'Hit';
      return this.sendCached(exchange, hit.object);
    }

    let fetched: Fetched;
    try {
      fetched = await this.origins.fetch(
        behavior,
        originId,
        exchange.request,
        body,
        exchange.viewer,
        exchange.requestId,
      );
    } catch (error) {
      const status = originErrorStatus(error);
      if (!status) throw error;
      const stale = key === undefined ? undefined : this.cache.staleForError(key);
      if (stale) return this.sendCached(Object.assign(exchange, { result: 'Hit' as const }), stale);
      return this.sendError(exchange, status.statusCode, status.reason);
    }
    if (fetched.kind === 'generated') {
      exchange.result = 'LambdaGeneratedResponse';
      const { statusCode, headers, body: generated } = fetched.response;
      return this.respond(exchange, statusCode, headers, generated, { viewerResponse: true });
    }
    const response = fetched.response;
    const stale = key !== undefined && response.statusCode >= 500 ? this.cache.staleForError(key) : undefined;
    if (stale) {
      response.body.resume();
      exchange.result = 'Hit';
      return this.sendCached(exchange, stale);
    }
    exchange.result = response.statusCode >= 400 ? 'Error' : 'Miss';
    const storeUnder = key !== undefined && method !== 'HEAD' ? key : undefined;
    return this.respond(exchange, response.statusCode, response.headers, response.body, {
      viewerResponse: true,
      onComplete:
        storeUnder === undefined
          ? undefined
          : (content) => this.store(storeUnder, exchange, response.statusCode, response.headers, content),
    });
  }

  /** The behaviour whose path pattern matches first, else the default one. */
  private behaviorFor(uri: string): BehaviorModel {
    const model = this.options.model;
    const match = model.behaviors.find((behavior) => pathPatternMatches(behavior.pathPattern ?? '*', uri));
    return match ?? model.defaultBehavior;
  }

  /**
   * Caches an origin response by the TTL rules. Never a partial one: CloudFront answers range
   * requests itself, from the whole object, so a 206 or the answer to a `Range` request stored here
   * would be served for every later request of the URL, whatever range it asks for (or none).
   */
  private store(
    key: string,
    exchange: Pick<Exchange, 'behavior' | 'request' | 'rawQuery'>,
    statusCode: number,
    headers: readonly (readonly [string, string])[],
    body: Buffer,
  ): void {
    const { behavior, request } = exchange;
    if (statusCode === 206 || request.headers.range !== undefined) return;
    const model = this.options.model;
    const values = firstValues(headers);
    const lifetime = cacheLifetime(statusCode, values, behavior.cachePolicy, model.errorCachingMinTtl);
    if (!lifetime) return;
    const now = Date.now();
    const freshUntil = now + lifetime.ttlSeconds * 1000;
    const query = objectQuery(request, exchange.rawQuery);
    const tagHeader = model.cacheTagHeader?.toLowerCase();
    this.cache.store(key, {
      statusCode,
      headers: headers.map(([name, value]) => [name, value] as const),
      body,
      path: query === '' ? request.uri : `${request.uri}?${query}`,
      tags: tagHeader === undefined ? new Set() : cacheTagsOf(values[tagHeader]),
      storedAt: now,
      freshUntil,
      staleUntil: freshUntil + lifetime.staleWhileRevalidateSeconds * 1000,
      staleIfErrorUntil: freshUntil + lifetime.staleIfErrorSeconds * 1000,
    });
  }

  // stale-while-revalidate: the viewer got the stale object; one background fetch replaces it.
  private refreshInBackground(key: string, exchange: Exchange, originId: string): void {
    if (this.refreshing.has(key)) return;
    this.refreshing.add(key);
    const { behavior, request, viewer, requestId } = exchange;
    const refresh = async () => {
      const fetched = await this.origins.fetch(
        behavior,
        originId,
        request,
        Buffer.alloc(0),
        viewer,
        requestId,
      );
      if (fetched.kind !== 'origin') return;
      const chunks: Buffer[] = [];
      for await (const chunk of fetched.response.body) chunks.push(Buffer.from(chunk as Buffer));
      this.store(key, exchange, fetched.response.statusCode, fetched.response.headers, Buffer.concat(chunks));
    };
    refresh()
      .catch((error: unknown) => this.log(`background refresh of ${request.uri} failed: ${describe(error)}`))
      .finally(() => this.refreshing.delete(key));
  }

  private sendCached(exchange: Exchange, object: CachedObject): Promise<void> {
    const headers: HeaderPairs = object.headers
      .filter(([name]) => name.toLowerCase() !== 'content-length')
      .map(([name, value]) => [name, value]);
    const ageSeconds = Math.max(0, Math.floor((Date.now() - object.storedAt) / 1000));
    const etag = firstValues(object.headers).etag;
    if (
      etag !== undefined &&
      object.statusCode === 200 &&
      exchange.request.headers['if-none-match']?.value === etag
    ) {
      return this.respond(exchange, 304, headers, Buffer.alloc(0), { viewerResponse: true, ageSeconds });
    }
    headers.push(['Content-Length', String(object.body.length)]);
    return this.respond(exchange, object.statusCode, headers, object.body, {
      viewerResponse: true,
      ageSeconds,
    });
  }

  /**
   * Sends a response to the viewer: response headers policy, viewer-response function (below 400, as
   * CloudFront runs none for errors), CloudFront's headers, then the body — streamed with
   * backpressure when it comes from the origin, handed to `onComplete` once it is whole.
   */
  private async respond(
    exchange: Exchange,
    statusCode: number,
    headers: readonly (readonly [string, string])[],
    body: Buffer | Readable,
    options: { viewerResponse: boolean; ageSeconds?: number; onComplete?: (body: Buffer) => void },
  ): Promise<void> {
    const { res, behavior } = exchange;
    let status = statusCode;
    let pairs = applyResponseHeadersPolicy(headers, behavior.responseHeadersPolicy);
    if (options.viewerResponse && behavior.viewerResponse && status < 400) {
      try {
        ({ status, pairs } = await this.viewerResponse(behavior.viewerResponse, exchange, status, pairs));
      } catch (error) {
        if (!Buffer.isBuffer(body)) body.resume();
        return this.sendFunctionError(exchange, error);
      }
    }
    pairs = withCloudFrontHeaders(pairs, {
      result: exchange.result,
      requestId: exchange.requestId,
      viaHost: this.viaHost,
      ageSeconds: options.ageSeconds,
    });
    const withoutBody = exchange.method === 'HEAD' || status === 304;
    res.writeHead(status, pairs.flat());
    if (Buffer.isBuffer(body)) {
      res.end(withoutBody ? undefined : body);
      options.onComplete?.(body);
      return;
    }
    flushHead(res);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of body) {
        const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        if (options.onComplete) chunks.push(bytes);
        // A viewer that left does not stop the origin (Lambda does not stop streaming either): keep
        // reading, so the response can still be cached.
        if (!withoutBody && !res.destroyed && !res.write(bytes)) await drained(res);
      }
    } catch (error) {
      this.log(`the origin's response to ${exchange.request.uri} broke off: ${describe(error)}`);
      res.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!res.destroyed) res.end();
    options.onComplete?.(Buffer.concat(chunks));
  }

  private async viewerResponse(
    fn: CloudFrontFunctionModel,
    exchange: Exchange,
    statusCode: number,
    pairs: HeaderPairs,
  ): Promise<{ status: number; pairs: HeaderPairs }> {
    const setCookies = pairs
      .filter(([name]) => name.toLowerCase() === 'set-cookie')
      .map(([, value]) => value);
    const event = this.functionEvent('viewer-response', exchange);
    event.request = structuredClone(exchange.request);
    event.response = {
      statusCode,
      statusDescription: STATUS_CODES[statusCode],
      headers: toFunctionHeaders(pairs.filter(([name]) => name.toLowerCase() !== 'set-cookie')),
      cookies: parseSetCookies(setCookies),
    };
    const outcome = await this.runner(fn).run(event);
    if (outcome.kind !== 'response') {
      throw new CloudFrontFunctionError('validation', 'a viewer-response function must return a response');
    }
    const { headers } = generatedResponse(outcome.response);
    return { status: outcome.response.statusCode, pairs: headers };
  }

  private sendFunctionError(exchange: Exchange, error: unknown): void {
    if (!(error instanceof CloudFrontFunctionError)) throw error;
    this.log(error.message);
    this.sendError(exchange, error.kind === 'execution' ? 503 : 502, `${error.name}: ${error.message}`);
  }

  private sendError(exchange: Exchange, statusCode: number, reason: string): void {
    exchange.result = 'Error';
    exchange.reason = reason;
    const page = cloudFrontErrorPage(statusCode, reason, exchange.requestId);
    const headers = withCloudFrontHeaders(page.headers, {
      result: 'Error',
      requestId: exchange.requestId,
      viaHost: this.viaHost,
    });
    exchange.res.writeHead(statusCode, headers.flat());
    exchange.res.end(exchange.method === 'HEAD' ? undefined : page.body);
  }

  private functionEvent(eventType: 'viewer-request' | 'viewer-response', exchange: Exchange): FunctionEvent {
    const model = this.options.model;
    return {
      version: '1.0',
      context: {
        distributionDomainName: model.domainName,
        distributionId: model.id,
        eventType,
        requestId: exchange.requestId,
      },
      viewer: { ip: exchange.viewer.ip },
      request: exchange.request,
    };
  }

  private runner(fn: CloudFrontFunctionModel): CloudFrontFunctionRunner {
    let runner = this.runners.get(fn.logicalId);
    if (!runner) {
      runner = new CloudFrontFunctionRunner(fn, {
        originIds: new Set(this.options.model.origins.keys()),
        log: (line) => this.log(line),
      });
      this.runners.set(fn.logicalId, runner);
    }
    return runner;
  }

  private applyInvalidations(): void {
    const source = this.options.invalidations;
    if (!source) return;
    const all = source.invalidations(this.options.model.id);
    for (const invalidation of all.slice(this.appliedInvalidations))
      this.cache.invalidate(invalidation.items);
    this.appliedInvalidations = all.length;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/** A function's response object → status, header pairs (cookies as `set-cookie`) and body bytes. */
function generatedResponse(response: FunctionResponse): {
  statusCode: number;
  headers: HeaderPairs;
  body: Buffer;
} {
  const headers: HeaderPairs = [
    ...fromFunctionValues(response.headers),
    ...serializeSetCookies(response.cookies).map((value): [string, string] => ['set-cookie', value]),
  ];
  const body = response.body;
  const bytes =
    body === undefined
      ? Buffer.alloc(0)
      : typeof body === 'string'
        ? Buffer.from(body)
        : Buffer.from(body.data, body.encoding === 'base64' ? 'base64' : 'utf8');
  return { statusCode: response.statusCode, headers, body: bytes };
}

/**
 * The query of the object's path, which invalidation paths match exactly: as the viewer sent it —
 * CloudFront keeps it as received, repeated keys in their order and `flag=` with its `=` — unless
 * the viewer-request function changed it, when it is the function's, serialized.
 */
function objectQuery(request: FunctionRequest, rawQuery: string): string {
  const query = serializeQueryString(request.querystring);
  return query === serializeQueryString(parseQueryString(rawQuery)) ? rawQuery : query;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
