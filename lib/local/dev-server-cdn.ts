import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { IMAGE_OPTIMIZER_CONFIG_ENV } from '../../runtime/image-optimizer/config';
import { REWRITE_PATH_HEADER, ROUTE_ENV } from '../private/constructs-contract';
import { findRoutingMiddleware } from '../private/routing-middleware';
import { readVercelJson, type VercelJson } from '../private/vercel-json';
import {
  type AccessLogEntry,
  type AssemblyStack,
  type CfnResource,
  createSigningCredentials,
  EmulatedDistribution,
  type FunctionUrlServer,
  type FunctionUrlTarget,
  httpOriginTransport,
  inProcessEdgeFunctions,
  type OriginTransport,
  readDistribution,
  readFunctionUrls,
  StackResolver,
  startFunctionUrlServer,
} from './cloudfront';
import { CloudFrontEndpoint } from './cloudfront-endpoint';
import { localCloudFrontEnvironment, ProcessEnv } from './dev-server-env';
import { imageOptimizerTarget } from './dev-server-images';
import { bufferedText, invokeInProcess } from './dev-server-invocation';
import { functionName, type Project, type ProjectRefresh } from './dev-server-project';
import { synthesizeDevDistribution } from './dev-server-synth';
import { matchRoute, type Route, withRouteParams } from './routes';

/** Options of {@link DevServerCdn.start}. */
export interface DevServerCdnOptions {
  readonly project: Project;
  /** The dev server's own origin, e.g. `http://localhost:3000`: the image optimizer's local sources. */
  readonly url: string;
  /** Folder for synthesized templates. */
  readonly workDir: string;
  /** `CloudFront-Viewer-*` location headers for requests that state no location. */
  readonly defaultLocation: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly log: (line: string) => void;
  readonly onResponse: (entry: AccessLogEntry) => void;
}

// Vercel's 404 body, as the adapter answers a path its route does not match.
const NOT_FOUND_BODY = 'The page could not be found.\n\nNOT_FOUND\n';

/**
 * The dev server's CloudFront: the project's distribution synthesized with the real constructs and
 * emulated in front of the in-process functions, exactly as the end-to-end tests emulate it in
 * front of the deployed bundles. The functions sit behind Function URLs that enforce the template's
 * auth type; the body-signing Lambda@Edge function runs from its synthesized bundle; invalidations
 * from the functions reach the emulated cache through a loopback CloudFront API
 * (`AWS_ENDPOINT_URL_CLOUDFRONT`). With `images` in the project's `vercel.json`, the template's
 * image optimizer serves `/_vercel/image` behind its own Function URL; a route's vercel.json
 * `functions` maxDuration is its timeout. Re-synthesized when routes are added or removed, vercel.json
 * changes (its routing rules run in the CloudFront Functions' code, `images` and `functions` shape
 * the template) or a Routing Middleware file appears or goes (the synth refuses it); the cache is
 * emptied when any source changes, as a new deployment starts with an empty cache on Vercel.
 */
export class DevServerCdn {
  /** Starts the Function URL server; the distribution is synthesized on the first {@link update}. */
  static async start(options: DevServerCdnOptions): Promise<DevServerCdn> {
    const cdn = new DevServerCdn(options);
    await cdn.startFunctionUrls();
    return cdn;
  }

  private readonly credentials = createSigningCredentials();
  private readonly transport: OriginTransport;
  /** Function URL host → the function behind it, for the current template. */
  private urls = new Map<string, FunctionUrlTarget>();
  /**
   * The JSON of the vercel.json read last (as validated) and the Routing Middleware file found then,
   * to tell when either changed.
   */
  private configKey?: string;
  private functionUrls?: FunctionUrlServer;
  private distribution?: EmulatedDistribution;
  private failure?: Error;
  private synthDir?: string;
  private endpoint?: SharedEndpoint;
  private updating: Promise<void> = Promise.resolve();

  private constructor(private readonly options: DevServerCdnOptions) {
    this.transport = httpOriginTransport((domain) =>
      this.urls.has(domain) && this.functionUrls
        ? { host: '127.0.0.1', port: this.functionUrls.port }
        : undefined,
    );
  }

  /**
   * Brings the distribution up to date with the project: a new synth when the routes changed (or the
   * last one failed and sources changed since), an empty cache when sources changed.
   *
   * @throws the synth's error — the project could not be deployed as it is — until it is fixed
   */
  update(refresh: ProjectRefresh): Promise<void> {
    // After the previous update failed, not `then` alone: that would pass its rejection on forever.
    this.updating = this.updating.catch(() => undefined).then(() => this.apply(refresh));
    return this.updating;
  }

  /** Answers a viewer request through the emulated distribution. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await this.updating.catch(() => undefined);
    if (!this.distribution) throw this.failure ?? new Error('the distribution has not been synthesized yet');
    await this.distribution.handle(req, res);
  }

  async close(): Promise<void> {
    this.transport.close();
    await this.functionUrls?.close();
    this.endpoint?.release();
    if (this.synthDir) rmSync(this.synthDir, { recursive: true, force: true });
  }

  private async apply(refresh: ProjectRefresh): Promise<void> {
    let configChanged = false;
    if (refresh.sourcesChanged) {
      let vercelJson: VercelJson | undefined;
      try {
        // Re-read on every source change: a changed vercel.json means a new synth, and an invalid
        // file is reported before synthesizing.
        vercelJson = readVercelJson(this.options.project.dir);
      } catch (error) {
        throw this.fail(error);
      }
      // The whole file, not the keys known to shape the distribution: every key the constructs
      // read changes the template or the CloudFront Functions' code (redirects, headers, …), as a
      // new deployment of it would. Formatting alone is no change (the key is the parsed file).
      // A root middleware.ts added or removed makes the synth refuse the project, or accept it again.
      const key = JSON.stringify([
        vercelJson ?? null,
        findRoutingMiddleware(this.options.project.dir) ?? null,
      ]);
      configChanged = this.configKey !== undefined && key !== this.configKey;
      this.configKey = key;
    }
    const rebuild =
      refresh.routesChanged ||
      configChanged ||
      (this.failure ? refresh.sourcesChanged : this.distribution === undefined);
    if (!rebuild) {
      if (refresh.sourcesChanged) this.distribution?.cache.clear();
      if (this.failure) throw this.failure;
      return;
    }
    const synthDir = mkdtempSync(join(this.options.workDir, 'cdn-'));
    let stack: AssemblyStack;
    try {
      stack = synthesizeDevDistribution(this.options.project.dir, refresh.routes, synthDir, this.options.log);
    } catch (error) {
      rmSync(synthDir, { recursive: true, force: true });
      throw this.fail(error);
    }
    const resolver = new StackResolver(stack);
    const model = readDistribution(resolver);
    const urls = new Map<string, FunctionUrlTarget>();
    for (const url of readFunctionUrls(stack)) {
      const fn = stack.template.Resources[url.functionLogicalId];
      const variables = environmentOf(fn);
      const host = new URL(resolver.functionUrl(url.logicalId)).host;
      const imageConfig = variables[IMAGE_OPTIMIZER_CONFIG_ENV];
      if (typeof imageConfig === 'string') {
        urls.set(
          host,
          imageOptimizerTarget({
            authType: url.authType,
            config: JSON.parse(imageConfig),
            localOrigin: this.options.url,
            timeoutMs: Number(fn?.Properties?.Timeout ?? 3) * 1000,
            log: this.options.log,
          }),
        );
        continue;
      }
      const route = refresh.routes.find((candidate) => candidate.path === variables[ROUTE_ENV]);
      // A Timeout in the template is the route's vercel.json maxDuration (dev-server-synth.ts).
      const timeout = fn?.Properties?.Timeout;
      const timeoutMs = timeout === undefined ? this.options.timeoutMs : Number(timeout) * 1000;
      if (route) urls.set(host, this.target(route, url.authType, timeoutMs));
    }
    this.endpoint ??= await SharedEndpoint.acquire(model.id);
    this.urls = urls;
    this.distribution = new EmulatedDistribution({
      model,
      transport: this.transport,
      signingCredentials: this.credentials,
      edgeFunction: inProcessEdgeFunctions(stack),
      invalidations: this.endpoint.endpoint,
      defaultLocation: this.options.defaultLocation,
      log: this.options.log,
      onResponse: this.options.onResponse,
    });
    this.failure = undefined;
    if (this.synthDir) rmSync(this.synthDir, { recursive: true, force: true });
    this.synthDir = synthDir;
  }

  // The project cannot be served as it is; reported on every request until a source changes.
  private fail(error: unknown): Error {
    this.failure = new Error(`The project cannot be deployed as it is: ${(error as Error).message}`, {
      cause: error,
    });
    this.distribution = undefined;
    return this.failure;
  }

  private async startFunctionUrls(): Promise<void> {
    this.functionUrls = await startFunctionUrlServer({
      trusted: (accessKeyId) =>
        accessKeyId === this.credentials.accessKeyId ? this.credentials.secretAccessKey : undefined,
      targetFor: (host) => this.urls.get(host),
      log: this.options.log,
    });
  }

  // A route's function behind its Function URL: the route check the adapter makes on AWS (the dev
  // server's functions share one process environment, so VERCEL_FUNCTIONS_AWS_ROUTE cannot tell
  // them apart), then an in-process invocation of its current bundle.
  private target(route: Route, authType: 'AWS_IAM' | 'NONE', timeoutMs?: number): FunctionUrlTarget {
    return {
      authType,
      invoke: async (event) => {
        // A vercel.json rewrite keeps the viewer's path and names its destination in a header.
        const match = matchRoute([route], event.headers?.[REWRITE_PATH_HEADER] ?? event.rawPath);
        if (!match) return bufferedText(404, NOT_FOUND_BODY, 'public, max-age=0, must-revalidate');
        let handler: Awaited<ReturnType<Project['handlerFor']>>;
        try {
          handler = await this.options.project.handlerFor(route);
        } catch (error) {
          // A developer must see why: the esbuild message or the module's load error.
          const message = error instanceof Error ? error.message : String(error);
          this.options.log(message);
          return bufferedText(500, `${message}\n`, 'no-store');
        }
        return invokeInProcess(handler, withParams(event, match.params), {
          functionName: functionName(route),
          timeoutMs,
          log: this.options.log,
        });
      },
    };
  }
}

/**
 * The loopback CloudFront API of every dev server in this process, and the environment pointing the
 * functions' SDK at it. Shared because the environment is process-wide; all dev servers synthesize
 * the same distribution id, so each sees the invalidations it needs.
 */
class SharedEndpoint {
  private static current?: { shared: Promise<SharedEndpoint>; users: number };

  static async acquire(distributionId: string): Promise<SharedEndpoint> {
    if (!SharedEndpoint.current) {
      const shared = CloudFrontEndpoint.start({
        distributionIds: [distributionId],
        completionDelayMs: 0,
      }).then((endpoint) => new SharedEndpoint(endpoint));
      SharedEndpoint.current = { shared, users: 0 };
    }
    const current = SharedEndpoint.current;
    current.users++;
    return current.shared;
  }

  private readonly env = new ProcessEnv();

  private constructor(readonly endpoint: CloudFrontEndpoint) {
    this.env.apply(localCloudFrontEnvironment(endpoint.url));
  }

  release(): void {
    const current = SharedEndpoint.current;
    if (!current || --current.users > 0) return;
    SharedEndpoint.current = undefined;
    this.env.restore();
    void this.endpoint.close();
  }
}

function withParams(
  event: LambdaFunctionURLEvent,
  params: Readonly<Record<string, string>>,
): LambdaFunctionURLEvent {
  if (Object.keys(params).length === 0) return event;
  const rawQueryString = withRouteParams(event.rawQueryString, params);
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] =
      name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  return { ...event, rawQueryString, queryStringParameters };
}

function environmentOf(fn: CfnResource | undefined): Readonly<Record<string, unknown>> {
  return (
    (fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}
  );
}
