import { randomUUID } from 'node:crypto';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import {
  type AssemblyStack,
  type CloudFrontEmulation,
  createSigningCredentials,
  type DistributionModel,
  type FunctionUrlInvocation,
  type FunctionUrlServer,
  httpOriginTransport,
  type LambdaFunctionModel,
  readAssemblyStack,
  readDistribution,
  readFunctionUrls,
  readLambdaFunction,
  readTables,
  resolveEnvironment,
  type SigningCredentials,
  StackResolver,
  startCloudFrontEmulation,
  startFunctionUrlServer,
} from '../../../lib/local/cloudfront';
import { CloudFrontEndpoint } from '../../../lib/local/cloudfront-endpoint';
import { createLocalTable, DYNAMODB_LOCAL_CLIENT_CONFIG } from '../../../lib/local/dynamodb-local';
import { IMAGE_OPTIMIZER_CONFIG_ENV } from '../../../runtime/image-optimizer/config';
import { LambdaProcess } from '../../harness/lambda-process';
import { RuntimeApi } from '../../harness/runtime-api';

/**
 * A synthesized stack running locally from its cloud assembly: every function the distribution
 * reaches runs its staged asset under the real aws-lambda-ric (Node 24) with the environment the
 * template gives it, behind a Function URL that enforces the URL's auth type; DynamoDB tables are
 * created in DynamoDB Local from the template's key schemas; the distribution is emulated from the
 * template, with the loopback CloudFront API feeding its invalidations.
 */
export interface LocalStack {
  /** The emulated distribution's URL: what a viewer calls. */
  readonly url: string;
  readonly stack: AssemblyStack;
  readonly distribution: DistributionModel;
  readonly cdn: CloudFrontEmulation;
  /** The loopback CloudFront API the functions' `invalidateByTag` calls reach. */
  readonly cloudFront: CloudFrontEndpoint;
  /** What the emulated CloudFront signs origin requests with. */
  readonly signingCredentials: SigningCredentials;
  /** Local table names by logical id. */
  readonly tableNames: Readonly<Record<string, string>>;
  /** The running functions by logical id. */
  readonly functions: ReadonlyMap<string, RunningFunction>;
  /** Every event the Lambda@Edge functions received, in order. */
  readonly edgeEvents: readonly CloudFrontRequestEvent[];
  /** The function serving a Vercel route (`VERCEL_FUNCTIONS_AWS_ROUTE`), e.g. `/api/hello`. */
  functionFor(route: string): RunningFunction;
  stop(): Promise<void>;
}

/** One function of the stack under the real runtime. */
export interface RunningFunction {
  readonly model: LambdaFunctionModel;
  readonly environment: Readonly<Record<string, string>>;
  readonly runtimeApi: RuntimeApi;
  readonly process: LambdaProcess;
  /** Its Function URL as deployed (`https://<id>.lambda-url.<region>.on.aws/`), if it has one. */
  readonly functionUrl?: string;
  /** Where that Function URL listens locally (call it directly to bypass CloudFront). */
  readonly localUrl?: string;
}

export interface LocalStackOptions {
  /** The cloud assembly (`cdk synth --output`). */
  readonly outdir: string;
  /** @default - the only stack */
  readonly stackName?: string;
  /** DynamoDB Local, shared by every function. */
  readonly dynamoDbEndpoint: string;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stack = readAssemblyStack(options.outdir, options.stackName);
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const suffix = randomUUID().slice(0, 8);
    const tables = readTables(stack);
    const tableNames = Object.fromEntries(
      tables.map((table) => [table.logicalId, `${table.logicalId}-${suffix}`]),
    );
    await Promise.all(
      tables.map((table) =>
        createLocalTable(options.dynamoDbEndpoint, { ...table, tableName: tableNames[table.logicalId] }),
      ),
    );
    const resolver = new StackResolver(stack, { tableNames });
    const distribution = readDistribution(resolver);
    const cloudFront = await CloudFrontEndpoint.start({
      distributionIds: [distribution.id],
      completionDelayMs: 0,
    });
    closers.push(() => cloudFront.close());
    const credentials = createSigningCredentials();

    // The functions the distribution reaches: Function URL targets and Lambda@Edge functions.
    const urls = readFunctionUrls(stack);
    const edgeFunctionIds = new Set(
      [distribution.defaultBehavior, ...distribution.behaviors].flatMap((behavior) =>
        behavior.originRequest ? [behavior.originRequest.functionLogicalId] : [],
      ),
    );
    const functionIds = new Set([...urls.map((url) => url.functionLogicalId), ...edgeFunctionIds]);
    const functions = new Map<string, RunningFunction>();
    // One Function URL server per URL (below), as each URL is its own endpoint.
    const addresses = new Map<string, { host: string; port: number }>();
    // The distribution first, for its URL; it finds the origins and functions when requests come.
    const edgeEvents: CloudFrontRequestEvent[] = [];
    const cdn = await startCloudFrontEmulation({
      model: distribution,
      transport: httpOriginTransport((domain) => addresses.get(domain)),
      edgeFunction: (logicalId, event) => {
        edgeEvents.push(event);
        return invokeEdgeFunction(functions.get(logicalId), logicalId, event);
      },
      signingCredentials: credentials,
      region: resolver.region,
      invalidations: cloudFront,
    });
    closers.push(() => cdn.close());
    await Promise.all(
      [...functionIds].map(async (logicalId) => {
        const model = readLambdaFunction(stack, logicalId);
        const environment = {
          ...resolveEnvironment(model, resolver),
          AWS_ENDPOINT_URL_DYNAMODB: options.dynamoDbEndpoint,
          AWS_ENDPOINT_URL_CLOUDFRONT: cloudFront.url,
          AWS_ACCESS_KEY_ID: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.secretAccessKey,
          ...imageOptimizerEnvironment(resolveEnvironment(model, resolver), cdn.url),
        };
        const runtimeApi = await RuntimeApi.start({
          functionName: logicalId,
          region: resolver.region,
          timeoutMs: model.timeoutSeconds * 1000,
        });
        closers.push(() => runtimeApi.close());
        const process = LambdaProcess.start({
          runtimeApi: runtimeApi.address,
          taskRoot: model.codeDirectory,
          handler: model.handler,
          functionName: logicalId,
          region: resolver.region,
          memorySize: model.memorySize,
          env: environment,
        });
        closers.push(() => process.stop());
        functions.set(logicalId, { model, environment, runtimeApi, process });
      }),
    );

    for (const url of urls) {
      const running = functions.get(url.functionLogicalId)!;
      const server: FunctionUrlServer = await startFunctionUrlServer({
        region: resolver.region,
        trusted: (accessKeyId) =>
          accessKeyId === credentials.accessKeyId ? credentials.secretAccessKey : undefined,
        targetFor: () => ({
          authType: url.authType,
          invoke: (event) => invokeThroughUrl(running.runtimeApi, event),
        }),
      });
      closers.push(() => server.close());
      const functionUrl = resolver.functionUrl(url.logicalId);
      addresses.set(new URL(functionUrl).host, { host: '127.0.0.1', port: server.port });
      functions.set(url.functionLogicalId, { ...running, functionUrl, localUrl: server.url });
    }

    return {
      url: cdn.url,
      stack,
      distribution,
      cdn,
      cloudFront,
      signingCredentials: credentials,
      tableNames,
      functions,
      edgeEvents,
      functionFor: (route) => {
        const found = [...functions.values()].find(
          (fn) => fn.environment.VERCEL_FUNCTIONS_AWS_ROUTE === route,
        );
        if (!found) throw new Error(`no function of the stack serves ${route}`);
        return found;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function invokeThroughUrl(api: RuntimeApi, event: unknown): Promise<FunctionUrlInvocation> {
  const response = await api.invoke(event).response;
  switch (response.kind) {
    case 'streaming':
      return { kind: 'streaming', contentType: response.contentType, body: response.body };
    case 'buffered':
      return { kind: 'buffered', payload: response.payload };
    case 'error':
      return { kind: 'error' };
  }
}

// Lambda@Edge runs the function synchronously and uses the JSON it returns.
async function invokeEdgeFunction(
  running: RunningFunction | undefined,
  logicalId: string,
  event: CloudFrontRequestEvent,
): Promise<unknown> {
  if (!running) throw new Error(`the Lambda@Edge function ${logicalId} is not running`);
  const response = await running.runtimeApi.invoke(event).response;
  if (response.kind === 'error') throw response.error;
  if (response.kind !== 'buffered')
    throw new Error(`the Lambda@Edge function ${logicalId} streamed its response`);
  return JSON.parse(response.payload.toString('utf8'));
}

// An image optimizer fetches local sources (`url=/path`) from the distribution that received the
// request, by its domain; the emulated one is at `distributionUrl`.
function imageOptimizerEnvironment(
  environment: Readonly<Record<string, string>>,
  distributionUrl: string,
): Record<string, string> {
  const config = environment[IMAGE_OPTIMIZER_CONFIG_ENV];
  if (config === undefined) return {};
  return {
    [IMAGE_OPTIMIZER_CONFIG_ENV]: JSON.stringify({ ...JSON.parse(config), localOrigin: distributionUrl }),
  };
}
