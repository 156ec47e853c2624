import type { BehaviorModel, DistributionModel } from './distribution-model';
import type { FunctionRequest } from './function-event';
import {
  applyOriginRequestResult,
  type EdgeFunctionInvoker,
  EdgeFunctionResultError,
  type GeneratedResponse,
  type OriginRequest,
  originRequestEvent,
} from './lambda-edge';
import { type SigningCredentials, signOriginRequest } from './origin-access';
import { buildOriginRequest } from './origin-request';
import {
  OriginConnectionError,
  type OriginResponse,
  OriginTimeoutError,
  type OriginTransport,
} from './origin-transport';
import type { Viewer } from './viewer';

// A cache miss's way to the origin: the origin request built from the policies, the Lambda@Edge
// origin-request function, origin access control's signature, and the transport.

/** What the origin side produced: the origin's response, or one a Lambda@Edge function generated. */
export type Fetched =
  | { readonly kind: 'origin'; readonly response: OriginResponse }
  | { readonly kind: 'generated'; readonly response: GeneratedResponse };

/** The Lambda@Edge function threw or could not run (CloudFront: 503). */
export class EdgeExecutionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LambdaExecutionError';
  }
}

/** Options of {@link OriginFetcher}. */
export interface OriginFetcherOptions {
  readonly model: DistributionModel;
  readonly transport: OriginTransport;
  readonly edgeFunction?: EdgeFunctionInvoker;
  readonly credentials: SigningCredentials;
  /** Region OAC signs for when an origin's domain names none. */
  readonly region: string;
  /** The host CloudFront names in `Via`. */
  readonly viaHost: string;
}

/** Fetches from a distribution's origins as CloudFront does on a cache miss. */
export class OriginFetcher {
  constructor(private readonly options: OriginFetcherOptions) {}

  /**
   * Sends `request` (the viewer request after the viewer-request function) to `originId`.
   *
   * @throws OriginConnectionError, OriginTimeoutError, EdgeExecutionError, EdgeFunctionResultError
   */
  async fetch(
    behavior: BehaviorModel,
    originId: string,
    request: FunctionRequest,
    body: Buffer,
    viewer: Viewer,
    requestId: string,
  ): Promise<Fetched> {
    const { model, viaHost } = this.options;
    const origin = model.origins.get(originId);
    if (!origin) throw new OriginConnectionError(`the distribution has no origin ${originId}`);
    if (origin.kind === 's3') {
      throw new OriginConnectionError(
        `origin ${originId} is an S3 origin, which the emulation does not serve`,
      );
    }
    let originRequest = buildOriginRequest(behavior, origin, request, body, viewer, requestId, viaHost);
    const edge = behavior.originRequest;
    if (edge) {
      const invoke = this.options.edgeFunction;
      if (!invoke)
        throw new EdgeExecutionError(`no runner for the Lambda@Edge function ${edge.functionLogicalId}`);
      const event = originRequestEvent(originRequest, {
        distributionId: model.id,
        distributionDomainName: model.domainName,
        requestId,
        clientIp: viewer.ip,
        origin,
        includeBody: edge.includeBody,
      });
      let result: unknown;
      try {
        result = await invoke(edge.functionLogicalId, event);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new EdgeExecutionError(
          `the Lambda@Edge function ${edge.functionLogicalId} failed: ${message}`,
          {
            cause: error,
          },
        );
      }
      const applied = applyOriginRequestResult(result, originRequest);
      if (applied.kind === 'response') return { kind: 'generated', response: applied.response };
      originRequest = applied.request;
    }
    const oac = origin.originAccessControl;
    if (oac) originRequest = this.signed(originRequest, origin.domainName, oac.signingBehavior);
    const response = await this.options.transport.fetch(
      origin,
      originRequest,
      origin.readTimeoutSeconds * 1000,
    );
    return { kind: 'origin', response };
  }

  // OAC's SigV4 signature for service `lambda`. `always` replaces a viewer's Authorization header;
  // `no-override` keeps one; `never` signs nothing.
  private signed(
    request: OriginRequest,
    domainName: string,
    behavior: 'always' | 'never' | 'no-override',
  ): OriginRequest {
    if (behavior === 'never') return request;
    const hasAuthorization = request.headers.some(([name]) => name.toLowerCase() === 'authorization');
    if (behavior === 'no-override' && hasAuthorization) return request;
    const headers = request.headers.filter(
      ([name]) => !['authorization', 'x-amz-date', 'x-amz-security-token'].includes(name.toLowerCase()),
    );
    const region = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(domainName)?.[1] ?? this.options.region;
    const path = `${request.uri}${request.querystring === '' ? '' : `?${request.querystring}`}`;
    const lower = new Map(headers.map(([name, value]) => [name.toLowerCase(), value]));
    const signature = signOriginRequest(
      { method: request.method, path, headers: lower },
      this.options.credentials,
      region,
    );
    return {
      ...request,
      headers: [
        ...headers,
        ['X-Amz-Date', signature['x-amz-date']],
        ['Authorization', signature.authorization],
      ],
    };
  }
}

/** CloudFront's status for an origin-side failure, or `undefined` for an error that is not one. */
export function originErrorStatus(error: unknown): { statusCode: number; reason: string } | undefined {
  if (error instanceof OriginTimeoutError) return { statusCode: 504, reason: error.message };
  if (error instanceof EdgeExecutionError)
    return { statusCode: 503, reason: `LambdaExecutionError: ${error.message}` };
  if (error instanceof EdgeFunctionResultError)
    return { statusCode: 502, reason: `${error.name}: ${error.message}` };
  if (error instanceof OriginConnectionError) return { statusCode: 502, reason: error.message };
  return undefined;
}
