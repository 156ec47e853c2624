import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import {
  type AssemblyStack,
  type CloudFrontEmulation,
  createSigningCredentials,
  type DistributionModel,
  type EmulatedDistributionOptions,
  type FunctionUrlInvocation,
  type FunctionUrlServer,
  httpOriginTransport,
  inProcessEdgeFunctions,
  type LocalBindings,
  readAssemblyStack,
  readDistribution,
  readFunctionUrls,
  StackResolver,
  startCloudFrontEmulation,
  startFunctionUrlServer,
} from '../../../../lib/local/cloudfront';

// Fixtures for the emulation's tests: stacks synthesized in-process (Lambda@Edge bundled by the local
// esbuild, like `cdk synth`), and every Function URL of a stack served by one loopback server whose
// "function" is a test double answering with what the test needs — usually the event it received.

const cleanups: (() => Promise<void> | void)[] = [];

/** Runs the registered cleanups (call from afterAll/afterEach). */
export async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** Synthesizes a one-stack app built by `build` into a temp folder. */
export function synthesize(build: (stack: Stack) => void, region = 'us-east-1'): AssemblyStack {
  const outdir = mkdtempSync(path.join(tmpdir(), 'vfa-cf-test-'));
  cleanups.push(() => rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  build(new Stack(app, 'Test', { env: { region } }));
  app.synth();
  return readAssemblyStack(outdir);
}

/** What a test's function double answers for one event. */
export type Answer = (
  event: LambdaFunctionURLEvent,
  functionLogicalId: string,
) => FunctionUrlInvocation | Promise<FunctionUrlInvocation>;

/** A buffered Function URL result carrying `body` as JSON. */
export function json(
  body: unknown,
  headers: Record<string, string> = {},
  statusCode = 200,
): FunctionUrlInvocation {
  return {
    kind: 'buffered',
    payload: Buffer.from(
      JSON.stringify({
        statusCode,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    ),
  };
}

export interface EmulatedStack {
  readonly url: string;
  readonly model: DistributionModel;
  readonly cdn: CloudFrontEmulation;
  readonly functionUrls: FunctionUrlServer;
  /** Every event a function double received. */
  readonly events: LambdaFunctionURLEvent[];
}

/** Emulates the stack's distribution with every Function URL answered by `answer`. */
export async function emulate(
  stack: AssemblyStack,
  answer: Answer,
  options: { bindings?: LocalBindings } & Partial<EmulatedDistributionOptions> = {},
): Promise<EmulatedStack> {
  const resolver = new StackResolver(stack, options.bindings);
  const model = readDistribution(resolver);
  const credentials = createSigningCredentials();
  const events: LambdaFunctionURLEvent[] = [];
  const byHost = new Map(
    readFunctionUrls(stack).map((url) => [new URL(resolver.functionUrl(url.logicalId)).host, url] as const),
  );
  const functionUrls = await startFunctionUrlServer({
    trusted: (id) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined),
    targetFor: (host) => {
      const url = byHost.get(host);
      return (
        url && {
          authType: url.authType,
          invoke: async (event) => {
            events.push(event);
            return answer(event, url.functionLogicalId);
          },
        }
      );
    },
  });
  cleanups.push(() => functionUrls.close());
  const cdn = await startCloudFrontEmulation({
    transport: httpOriginTransport((domain) =>
      byHost.has(domain) ? { host: '127.0.0.1', port: functionUrls.port } : undefined,
    ),
    signingCredentials: credentials,
    edgeFunction: inProcessEdgeFunctions(stack),
    ...options,
    model,
  });
  cleanups.push(() => cdn.close());
  return { url: cdn.url, model, cdn, functionUrls, events };
}

export { rawRequest } from '../../../e2e/support/raw-request';
