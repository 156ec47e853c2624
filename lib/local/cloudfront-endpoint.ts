import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsApiError } from './aws-api-error';
import { errorResponseXml, escapeXml } from './aws-xml';
import { type EndpointServer, startEndpointServer } from './endpoint-server';
import { parseSigV4Authorization } from './sigv4';

// A loopback endpoint speaking CloudFront's REST-XML invalidation API (API version 2020-05-31) to
// the real @aws-sdk/client-cloudfront — CloudFront has no local emulator. Point the SDK at it with
// AWS_ENDPOINT_URL_CLOUDFRONT. It enforces the documented rules the runtime depends on and records
// everything it receives, so tests and the bench can count requests and items.
//
// Rules (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html,
// invalidation-specifying-objects.html, invalidation-specifying-tags.html, and the CreateInvalidation
// API reference):
// - per distribution at most 3,000 paths in progress (tag items count as paths) and, independently,
//   15 wildcard paths in progress → TooManyInvalidationsInProgress (400);
// - one batch of more than 3,000 paths → BatchTooLarge (413);
// - Quantity must equal the number of Items → InconsistentQuantities (400);
// - a path starts with `/`, holds visible ASCII only, `*` only as its last character, at most 4,000
//   characters; a tag item is `#` + 1–256 visible ASCII characters without comma or `*` →
//   InvalidArgument (400);
// - CallerReference reused with the same paths → the earlier invalidation (201), with other paths →
//   InvalidationBatchAlreadyExists (409);
// - unknown distribution → NoSuchDistribution (404), unknown invalidation → NoSuchInvalidation (404);
// - requests must carry a SigV4 Authorization header for service `cloudfront` → AccessDenied (403).
// An invalidation is InProgress for `completionDelayMs`, then Completed.

const API_PREFIX = '/2020-05-31/distribution/';
const XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const MAX_PATHS_IN_PROGRESS = 3000;
const MAX_WILDCARDS_IN_PROGRESS = 15;
const MAX_PATH_LENGTH = 4000;
const MAX_TAG_LENGTH = 256;

/** Options of {@link CloudFrontEndpoint.start}. */
export interface CloudFrontEndpointOptions {
  /** Distribution ids that exist; others answer NoSuchDistribution. @default ['E2EXAMPLE00001'] */
  readonly distributionIds?: readonly string[];
  /**
   * How long an invalidation stays InProgress (counting against the in-progress limits).
   * CloudFront reports completion in under 25 s at P95.
   *
   * @default 5_000
   */
  readonly completionDelayMs?: number;
  /** @default - a free port */
  readonly port?: number;
}

/** Error codes the fault switch can answer with. */
export type InjectedFault =
  | 'Throttling'
  | 'TooManyInvalidationsInProgress'
  | 'ServiceUnavailable'
  | 'InternalError'
  | 'AccessDenied';

/** One request the endpoint received. */
export interface ReceivedRequest {
  readonly operation: 'CreateInvalidation' | 'GetInvalidation' | 'ListInvalidations' | 'Unknown';
  readonly distributionId?: string;
  readonly callerReference?: string;
  /** The batch's paths, for CreateInvalidation. */
  readonly items?: readonly string[];
  readonly statusCode: number;
  /** The error code, when the request failed. */
  readonly errorCode?: string;
  /** Epoch ms. */
  readonly receivedAt: number;
}

/** An invalidation the endpoint created. */
export interface RecordedInvalidation {
  readonly id: string;
  readonly distributionId: string;
  readonly callerReference: string;
  readonly items: readonly string[];
  /** Epoch ms. */
  readonly createdAt: number;
}

interface Fault {
  readonly code: InjectedFault;
  remaining: number;
  readonly until: number;
}

/**
 * The running endpoint.
 *
 * @example
 * const cloudFront = await CloudFrontEndpoint.start({ distributionIds: ['E1'] });
 * process.env.AWS_ENDPOINT_URL_CLOUDFRONT = cloudFront.url;
 * // ... code under test calls CreateInvalidation ...
 * expect(cloudFront.invalidations().flatMap((i) => i.items)).toContain('#product');
 * await cloudFront.close();
 */
export class CloudFrontEndpoint {
  /** Every request, in arrival order. */
  readonly requests: ReceivedRequest[] = [];
  private readonly created: RecordedInvalidation[] = [];
  private readonly distributionIds: Set<string>;
  private completionDelayMs: number;
  private completedBefore = 0;
  private fault?: Fault;
  // Set by start(), before anyone can reach the endpoint.
  private server!: EndpointServer;

  private constructor(options: CloudFrontEndpointOptions) {
    this.distributionIds = new Set(options.distributionIds ?? ['E2EXAMPLE00001']);
    this.completionDelayMs = options.completionDelayMs ?? 5_000;
  }

  /** Starts the endpoint on 127.0.0.1. */
  static async start(options: CloudFrontEndpointOptions = {}): Promise<CloudFrontEndpoint> {
    const completionDelayMs = options.completionDelayMs ?? 5_000;
    if (!Number.isFinite(completionDelayMs) || completionDelayMs < 0) {
      throw new RangeError(`completionDelayMs must be a finite number >= 0, got ${completionDelayMs}`);
    }
    const endpoint = new CloudFrontEndpoint(options);
    endpoint.server = await startEndpointServer(
      (req, body, res) => endpoint.handle(req, body.toString('utf8'), res),
      options.port,
    );
    return endpoint;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`: the value for `AWS_ENDPOINT_URL_CLOUDFRONT`. */
  get url(): string {
    return this.server.url;
  }

  /** The invalidations created, oldest first (optionally of one distribution). */
  invalidations(distributionId?: string): RecordedInvalidation[] {
    return this.created.filter(
      (invalidation) => !distributionId || invalidation.distributionId === distributionId,
    );
  }

  /** The CreateInvalidation requests received, whatever their outcome. */
  createRequests(): ReceivedRequest[] {
    return this.requests.filter((request) => request.operation === 'CreateInvalidation');
  }

  /** Whether `invalidation` is still InProgress. */
  inProgress(invalidation: RecordedInvalidation, now = Date.now()): boolean {
    return (
      invalidation.createdAt > this.completedBefore && now - invalidation.createdAt < this.completionDelayMs
    );
  }

  /**
   * Makes CreateInvalidation fail with `code`: for the next `count` calls, or for every call during
   * the next `forMs` milliseconds (whichever is given; both: until either runs out).
   */
  failNext(code: InjectedFault, limits: { readonly count?: number; readonly forMs?: number }): void {
    this.fault = {
      code,
      remaining: limits.count ?? Number.POSITIVE_INFINITY,
      until: limits.forMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + limits.forMs,
    };
  }

  /** Ends any injected fault. */
  clearFaults(): void {
    this.fault = undefined;
  }

  /** Marks every invalidation created so far Completed (frees the in-progress limits). */
  completeAll(): void {
    this.completedBefore = Date.now();
  }

  /** Changes how long new and existing invalidations stay InProgress. */
  setCompletionDelay(ms: number): void {
    this.completionDelayMs = ms;
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    await this.server.close();
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routeOf(req.method ?? 'GET', url.pathname);
    const receivedAt = Date.now();
    let recorded = false;
    const record = (entry: Omit<ReceivedRequest, 'operation' | 'distributionId' | 'receivedAt'>) => {
      recorded = true;
      this.requests.push({
        operation: route.operation,
        distributionId: route.distributionId,
        receivedAt,
        ...entry,
      });
    };
    try {
      const authorization = parseSigV4Authorization(req.headers.authorization);
      if (authorization?.service !== 'cloudfront') {
        throw new AwsApiError(
          403,
          'AccessDenied',
          'The request must be signed with SigV4 for service cloudfront.',
        );
      }
      switch (route.operation) {
        case 'CreateInvalidation': {
          const batch = parseBatch(body);
          const outcome = { callerReference: batch.callerReference, items: batch.items };
          try {
            const { invalidation, fresh } = this.create(route.distributionId ?? '', batch);
            record({ ...outcome, statusCode: 201 });
            res.setHeader(
              'location',
              `https://cloudfront.amazonaws.com${API_PREFIX}${invalidation.distributionId}/invalidation/${invalidation.id}`,
            );
            if (!fresh) res.setHeader('x-vfa-replayed', 'true');
            sendXml(res, 201, this.invalidationXml(invalidation));
          } catch (error) {
            if (error instanceof AwsApiError)
              record({ ...outcome, statusCode: error.status, errorCode: error.code });
            throw error;
          }
          return;
        }
        case 'GetInvalidation': {
          this.requireDistribution(route.distributionId ?? '');
          const invalidation = this.created.find(
            (candidate) =>
              candidate.distributionId === route.distributionId && candidate.id === route.invalidationId,
          );
          if (!invalidation) {
            throw new AwsApiError(
              404,
              'NoSuchInvalidation',
              `The specified invalidation does not exist: ${route.invalidationId}`,
            );
          }
          record({ statusCode: 200 });
          sendXml(res, 200, this.invalidationXml(invalidation));
          return;
        }
        case 'ListInvalidations': {
          this.requireDistribution(route.distributionId ?? '');
          record({ statusCode: 200 });
          sendXml(res, 200, this.listXml(route.distributionId ?? '', url.searchParams));
          return;
        }
        default:
          throw new AwsApiError(
            404,
            'NotFound',
            `This endpoint does not implement ${req.method} ${url.pathname}`,
          );
      }
    } catch (error) {
      if (!(error instanceof AwsApiError)) throw error;
      if (!recorded) record({ statusCode: error.status, errorCode: error.code });
      sendError(res, error);
    }
  }

  private create(
    distributionId: string,
    batch: ParsedBatch,
  ): { invalidation: RecordedInvalidation; fresh: boolean } {
    const now = Date.now();
    if (this.fault && (this.fault.remaining <= 0 || now >= this.fault.until)) this.fault = undefined;
    if (this.fault) {
      this.fault.remaining--;
      throw faultError(this.fault.code);
    }
    this.requireDistribution(distributionId);
    validateBatch(batch);

    const earlier = this.created.find(
      (candidate) =>
        candidate.distributionId === distributionId && candidate.callerReference === batch.callerReference,
    );
    if (earlier) {
      if (sameItems(earlier.items, batch.items)) return { invalidation: earlier, fresh: false };
      throw new AwsApiError(
        409,
        'InvalidationBatchAlreadyExists',
        `CallerReference ${batch.callerReference} was already used for an invalidation batch with other paths.`,
      );
    }

    const active = this.created.filter(
      (candidate) => candidate.distributionId === distributionId && this.inProgress(candidate, now),
    );
    const activeWildcards = active.flatMap((candidate) => candidate.items).filter(isWildcard).length;
    const activePaths = active.flatMap((candidate) => candidate.items).length - activeWildcards;
    const wildcards = batch.items.filter(isWildcard).length;
    const paths = batch.items.length - wildcards;
    if (
      activePaths + paths > MAX_PATHS_IN_PROGRESS ||
      activeWildcards + wildcards > MAX_WILDCARDS_IN_PROGRESS
    ) {
      throw new AwsApiError(
        400,
        'TooManyInvalidationsInProgress',
        `Your request contains too many invalidations: ${activePaths} paths and ${activeWildcards} wildcard paths are in progress; at most ${MAX_PATHS_IN_PROGRESS} and ${MAX_WILDCARDS_IN_PROGRESS} may be.`,
      );
    }
    const invalidation: RecordedInvalidation = {
      id: invalidationId(),
      distributionId,
      callerReference: batch.callerReference,
      items: batch.items,
      createdAt: now,
    };
    this.created.push(invalidation);
    return { invalidation, fresh: true };
  }

  private requireDistribution(distributionId: string): void {
    if (!this.distributionIds.has(distributionId)) {
      throw new AwsApiError(
        404,
        'NoSuchDistribution',
        `The specified distribution does not exist: ${distributionId}`,
      );
    }
  }

  private invalidationXml(invalidation: RecordedInvalidation): string {
    const paths = invalidation.items.map((item) => `<Path>${escapeXml(item)}</Path>`).join('');
    return (
      `<Invalidation xmlns="${XMLNS}"><Id>${invalidation.id}</Id><Status>${this.statusOf(invalidation)}</Status>` +
      `<CreateTime>${new Date(invalidation.createdAt).toISOString()}</CreateTime><InvalidationBatch>` +
      `<Paths><Quantity>${invalidation.items.length}</Quantity><Items>${paths}</Items></Paths>` +
      `<CallerReference>${escapeXml(invalidation.callerReference)}</CallerReference></InvalidationBatch></Invalidation>`
    );
  }

  private listXml(distributionId: string, query: URLSearchParams): string {
    // Newest first, as CloudFront lists them; Marker is the id to continue after.
    const all = this.invalidations(distributionId).reverse();
    const marker = query.get('Marker') ?? '';
    const maxItems = Math.max(1, Math.min(100, Number(query.get('MaxItems') ?? 100) || 100));
    const start = marker ? all.findIndex((invalidation) => invalidation.id === marker) + 1 : 0;
    const page = all.slice(start, start + maxItems);
    const truncated = start + maxItems < all.length;
    const summaries = page
      .map(
        (invalidation) =>
          `<InvalidationSummary><Id>${invalidation.id}</Id><CreateTime>${new Date(invalidation.createdAt).toISOString()}</CreateTime><Status>${this.statusOf(invalidation)}</Status></InvalidationSummary>`,
      )
      .join('');
    return (
      `<InvalidationList xmlns="${XMLNS}"><Marker>${escapeXml(marker)}</Marker>` +
      (truncated ? `<NextMarker>${page[page.length - 1].id}</NextMarker>` : '') +
      `<MaxItems>${maxItems}</MaxItems><IsTruncated>${truncated}</IsTruncated><Quantity>${page.length}</Quantity>` +
      (page.length > 0 ? `<Items>${summaries}</Items>` : '') +
      '</InvalidationList>'
    );
  }

  private statusOf(invalidation: RecordedInvalidation): string {
    return this.inProgress(invalidation) ? 'InProgress' : 'Completed';
  }
}

interface Route {
  readonly operation: ReceivedRequest['operation'];
  readonly distributionId?: string;
  readonly invalidationId?: string;
}

function routeOf(method: string, pathname: string): Route {
  if (!pathname.startsWith(API_PREFIX)) return { operation: 'Unknown' };
  const [distributionId, resource, invalidationId, ...rest] = pathname.slice(API_PREFIX.length).split('/');
  if (resource !== 'invalidation' || rest.length > 0) return { operation: 'Unknown' };
  const id = decodeURIComponent(distributionId);
  if (invalidationId === undefined || invalidationId === '') {
    if (method === 'POST') return { operation: 'CreateInvalidation', distributionId: id };
    if (method === 'GET') return { operation: 'ListInvalidations', distributionId: id };
  } else if (method === 'GET') {
    return {
      operation: 'GetInvalidation',
      distributionId: id,
      invalidationId: decodeURIComponent(invalidationId),
    };
  }
  return { operation: 'Unknown' };
}

interface ParsedBatch {
  readonly quantity: number;
  readonly items: string[];
  readonly callerReference: string;
}

// The request body is a small, fixed document; a full XML parser would add a dependency for no gain.
function parseBatch(body: string): ParsedBatch {
  if (body.trim() === '') throw new AwsApiError(400, 'MissingBody', 'This operation requires a body.');
  const batch = /<InvalidationBatch(?:\s[^>]*)?>([\s\S]*)<\/InvalidationBatch>/.exec(body)?.[1];
  const paths = batch && /<Paths>([\s\S]*)<\/Paths>/.exec(batch)?.[1];
  const quantity = paths && /<Quantity>\s*(\d+)\s*<\/Quantity>/.exec(paths)?.[1];
  const callerReference = batch && /<CallerReference>([\s\S]*?)<\/CallerReference>/.exec(batch)?.[1];
  if (!batch || !paths || quantity === undefined || quantity === '' || callerReference === undefined) {
    throw new AwsApiError(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate.',
    );
  }
  const items = [...paths.matchAll(/<Path>([\s\S]*?)<\/Path>/g)].map((match) => unescapeXml(match[1]));
  return { quantity: Number(quantity), items, callerReference: unescapeXml(callerReference) };
}

function validateBatch(batch: ParsedBatch): void {
  if (batch.callerReference === '') {
    throw new AwsApiError(400, 'InvalidArgument', 'CallerReference must not be empty.');
  }
  if (batch.quantity !== batch.items.length) {
    throw new AwsApiError(
      400,
      'InconsistentQuantities',
      `The value of Quantity (${batch.quantity}) and the size of Items (${batch.items.length}) do not match.`,
    );
  }
  if (batch.items.length === 0)
    throw new AwsApiError(400, 'InvalidArgument', 'An invalidation batch needs at least one path.');
  if (batch.items.length > MAX_PATHS_IN_PROGRESS) {
    throw new AwsApiError(
      413,
      'BatchTooLarge',
      `An invalidation batch may hold at most ${MAX_PATHS_IN_PROGRESS} paths.`,
    );
  }
  for (const item of batch.items) {
    const problem = item.startsWith('#') ? tagProblem(item.slice(1)) : pathProblem(item);
    if (problem)
      throw new AwsApiError(
        400,
        'InvalidArgument',
        `Invalid invalidation item ${JSON.stringify(item)}: ${problem}.`,
      );
  }
}

function tagProblem(tag: string): string | undefined {
  if (tag.length === 0 || tag.length > MAX_TAG_LENGTH) return `a tag has 1 to ${MAX_TAG_LENGTH} characters`;
  if (!/^[!-~]+$/.test(tag)) return 'a tag holds visible ASCII characters (33-126) only';
  if (tag.includes(',')) return 'a tag cannot contain a comma';
  if (tag.includes('*')) return 'tag invalidations do not support wildcards';
  return undefined;
}

function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'a path starts with / (or # for a cache tag)';
  if (path.length > MAX_PATH_LENGTH) return `a path has at most ${MAX_PATH_LENGTH} characters`;
  if (!/^[!-~]+$/.test(path)) return 'URL-encode characters outside visible ASCII';
  if (path.indexOf('*') !== -1 && path.indexOf('*') !== path.length - 1)
    return 'a * wildcard must be the last character';
  return undefined;
}

function isWildcard(item: string): boolean {
  return !item.startsWith('#') && item.endsWith('*');
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sorted = [...b].sort();
  return [...a].sort().every((item, index) => item === sorted[index]);
}

function faultError(code: InjectedFault): AwsApiError {
  switch (code) {
    case 'Throttling':
      return new AwsApiError(400, 'Throttling', 'Rate exceeded');
    case 'TooManyInvalidationsInProgress':
      return new AwsApiError(400, code, 'Your request contains too many invalidations.');
    case 'ServiceUnavailable':
      return new AwsApiError(503, code, 'Service unavailable');
    case 'InternalError':
      return new AwsApiError(500, code, 'We encountered an internal error. Please try again.');
    case 'AccessDenied':
      return new AwsApiError(403, code, 'Access denied.');
  }
}

function invalidationId(): string {
  // CloudFront ids: an upper-case letter-and-digit string such as I2J0I21PCUYOIK.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return `I${[...randomBytes(13)].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}

function sendXml(res: ServerResponse, statusCode: number, xml: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(statusCode, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': randomUUID(),
  });
  res.end(body);
}

function sendError(res: ServerResponse, error: AwsApiError): void {
  sendXml(res, error.status, errorResponseXml(XMLNS, error, randomUUID()));
}

function unescapeXml(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity] ?? '';
  });
}
