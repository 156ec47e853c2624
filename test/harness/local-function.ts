import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleFunction } from '../../lib/bundling';
import {
  type FunctionUrlEventOptions,
  readStreamedResponse,
  toFunctionUrlEvent,
  writeBufferedResponse,
  writeFunctionError,
  writeStreamedResponse,
} from '../../lib/local/function-url';
import { LambdaProcess, type LogLine } from './lambda-process';
import { FunctionError, type Invocation, RuntimeApi } from './runtime-api';

/**
 * A function running locally as on AWS: bundled like the construct bundles it, executed by the real
 * aws-lambda-ric on Node 24 against the loopback Runtime API, and reachable over HTTP through the
 * Function URL front. One runtime process per instance.
 */

interface CommonOptions {
  /** Extra environment for the function. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Concurrent invocations per process, Managed Instances style (sets `AWS_LAMBDA_MAX_CONCURRENCY`).
   *
   * @default - one invocation at a time, classic Lambda
   */
  readonly maxConcurrency?: number;
  /**
   * Worker threads when `maxConcurrency` is set (`AWS_LAMBDA_NODEJS_WORKER_COUNT`).
   *
   * @default 1
   */
  readonly workerCount?: number;
  /**
   * The function timeout (sets each invocation's deadline).
   *
   * @default 30_000
   */
  readonly timeoutMs?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * What the Function URL front's events hold besides the request: `iamAccessKey` (and `accountId`)
   * make them an `AWS_IAM` URL's, with `requestContext.authorizer.iam` (the front checks no signature).
   *
   * @default - an auth type NONE URL's events
   */
  readonly functionUrl?: Pick<FunctionUrlEventOptions, 'accountId' | 'iamAccessKey' | 'urlId'>;
}

export type LocalFunctionOptions = CommonOptions &
  (
    | {
        /** A Vercel-style function module, bundled with `bundleFunction`. */
        readonly entry: string;
        /** Passed to `bundleFunction` (decides whether `@vercel/functions` is aliased). */
        readonly projectDir?: string;
      }
    | {
        /** Run ready-made Lambda code as it is: the folder and handler string. */
        readonly taskRoot: string;
        readonly handler: string;
      }
  );

/** A function result read to its end. */
export interface InvokeResult {
  readonly requestId: string;
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

export interface LocalFunction {
  /** Base URL of the Function URL front, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The folder the runtime loads the function from (the bundle's folder for `entry`). */
  readonly taskRoot: string;
  readonly runtimeApi: RuntimeApi;
  readonly runtime: LambdaProcess;
  /** The runtime's log lines so far. */
  readonly logs: readonly LogLine[];
  /**
   * Invokes with a hand-built event (bypassing the HTTP front) and reads the response to its end.
   * Rejects with a FunctionError when the function failed.
   */
  invoke(event: unknown): Promise<InvokeResult>;
  stop(): Promise<void>;
}

export async function startLocalFunction(options: LocalFunctionOptions): Promise<LocalFunction> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'vfa-harness-'));
  const region = options.region ?? 'us-east-1';
  let runtimeApi: RuntimeApi | undefined;
  let runtime: LambdaProcess | undefined;
  let front: Server | undefined;
  const stop = async () => {
    front?.closeAllConnections();
    await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
    await runtime?.stop();
    await runtimeApi?.close();
    rmSync(workDir, { recursive: true, force: true });
  };

  try {
    const code =
      'entry' in options
        ? await bundleFunction({
            entry: options.entry,
            projectDir: options.projectDir,
            outdir: workDir,
          }).then(({ handler }) => ({ taskRoot: workDir, handler }))
        : { taskRoot: options.taskRoot, handler: options.handler };
    const api = await RuntimeApi.start({
      maxConcurrency: options.maxConcurrency,
      region,
      timeoutMs: options.timeoutMs,
    });
    runtimeApi = api;
    const concurrencyEnv: Record<string, string> =
      options.maxConcurrency === undefined
        ? {}
        : {
            AWS_LAMBDA_MAX_CONCURRENCY: String(options.maxConcurrency),
            AWS_LAMBDA_NODEJS_WORKER_COUNT: String(options.workerCount ?? 1),
          };
    const child = LambdaProcess.start({
      runtimeApi: api.address,
      ...code,
      region,
      env: { ...concurrencyEnv, ...options.env },
    });
    runtime = child;
    // If the runtime dies, nothing will answer: fail what is pending instead of hanging the test.
    child.exited.then(({ code: exitCode, signal }) => {
      const stderr = child.lines.filter((line) => line.stream === 'stderr').map((line) => line.text);
      api.abort(
        new FunctionError(
          'Runtime.ExitError',
          `the runtime exited (code ${exitCode}, signal ${signal}); stderr:\n${stderr.join('\n')}`,
        ),
      );
    });

    const server = createServer((req, res) => {
      serveThroughFunctionUrl(api, { ...options.functionUrl, region }, req, res).catch((error: unknown) => {
        if (!res.headersSent) writeFunctionError(res);
        else res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
    front = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;

    return {
      url: `http://127.0.0.1:${port}`,
      taskRoot: code.taskRoot,
      runtimeApi: api,
      runtime: child,
      get logs() {
        return child.lines;
      },
      invoke: (event) => readInvocation(api.invoke(event)),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function serveThroughFunctionUrl(
  api: RuntimeApi,
  eventOptions: FunctionUrlEventOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const invocation = api.invoke(toFunctionUrlEvent(req, Buffer.concat(chunks), eventOptions));
  // Function URLs name the invocation in every response, which lets tests find its log lines.
  res.setHeader('x-amzn-requestid', invocation.requestId);
  const response = await invocation.response;
  switch (response.kind) {
    case 'streaming':
      await writeStreamedResponse(response.body, res, { contentType: response.contentType });
      return;
    case 'buffered':
      writeBufferedResponse(response.payload, res);
      return;
    case 'error':
      writeFunctionError(res);
      return;
  }
}

async function readInvocation(invocation: Invocation): Promise<InvokeResult> {
  const response = await invocation.response;
  if (response.kind === 'error') throw response.error;
  if (response.kind === 'buffered') {
    return {
      requestId: invocation.requestId,
      statusCode: 200,
      headers: { 'content-type': response.contentType },
      cookies: [],
      body: response.payload,
    };
  }
  const read = await readStreamedResponse(response.body, { contentType: response.contentType });
  return { requestId: invocation.requestId, ...read };
}
