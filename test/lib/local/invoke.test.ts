import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { Context } from 'aws-lambda';
import { invokeStreamingHandler, type StreamingHandler } from '../../../lib/local/invoke';
import {
  createLambdaGlobals,
  HTTP_INTEGRATION_CONTENT_TYPE,
  type LambdaResponseStream,
} from '../../../lib/local/lambda-globals';

const awslambda = createLambdaGlobals();
const NULS = '\0'.repeat(8);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function streaming(
  fn: (stream: LambdaResponseStream, context: Context, event: unknown) => unknown,
): StreamingHandler {
  return awslambda.streamifyResponse(((event, stream, context) =>
    fn(stream, context, event)) as StreamingHandler);
}

async function collect(body: Readable): Promise<{ text: string; error?: Error }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return { text: Buffer.concat(chunks).toString('latin1') };
  } catch (error) {
    return { text: Buffer.concat(chunks).toString('latin1'), error: error as Error };
  }
}

function quiet() {
  const errors: Array<[string, Error]> = [];
  return { errors, logError: (requestId: string, error: Error) => errors.push([requestId, error]) };
}

describe('invokeStreamingHandler', () => {
  test('passes the event and a Lambda context when invoked', async () => {
    let seen: { event: unknown; context: Context } | undefined;
    const handler = streaming(async (stream, context, event) => {
      seen = { event, context };
      stream.end();
    });
    const invocation = invokeStreamingHandler(
      handler,
      { rawPath: '/x' },
      {
        timeoutMs: 10_000,
        functionName: 'hello',
        memoryLimitInMB: 512,
        region: 'eu-central-1',
        requestId: 'req-1',
      },
    );
    await invocation.completed;
    expect(seen?.event).toEqual({ rawPath: '/x' });
    expect(seen?.context).toMatchObject({
      awsRequestId: 'req-1',
      functionName: 'hello',
      functionVersion: '$LATEST',
      memoryLimitInMB: '512',
      invokedFunctionArn: 'arn:aws:lambda:eu-central-1:000000000000:function:hello',
      logGroupName: '/aws/lambda/hello',
    });
    const remaining = seen!.context.getRemainingTimeInMillis();
    expect(remaining).toBeGreaterThan(9_000);
    expect(remaining).toBeLessThanOrEqual(10_000);
    expect(invocation.requestId).toBe('req-1');
  });

  test('counts the remaining time down while the handler runs', async () => {
    const samples: number[] = [];
    const handler = streaming(async (stream, context) => {
      samples.push(context.getRemainingTimeInMillis());
      await sleep(60);
      samples.push(context.getRemainingTimeInMillis());
      stream.end();
    });
    await invokeStreamingHandler(handler, {}, { timeoutMs: 5_000 }).completed;
    expect(samples[0] - samples[1]).toBeGreaterThanOrEqual(50);
  });

  test('streams bytes to the reader as they are written', async () => {
    const handler = streaming(async (stream) => {
      stream.write('a');
      await sleep(50);
      stream.write('b');
      stream.end();
    });
    const invocation = invokeStreamingHandler(handler, {});
    const [first] = (await once(invocation.body, 'data')) as [Buffer];
    expect(first.toString()).toBe('a');
    expect((await collect(invocation.body)).text).toBe('b');
    expect(await invocation.completed).toEqual({ durationMs: expect.any(Number) });
  });

  test('throws when the handler was not wrapped with streamifyResponse', () => {
    const plain = (async () => {}) as StreamingHandler;
    expect(() => invokeStreamingHandler(plain, {})).toThrow(
      'The handler is not a response-streaming handler: wrap it with awslambda.streamifyResponse(...).',
    );
    expect(() => invokeStreamingHandler('nope' as never, {})).toThrow(
      'Expected a Lambda handler function, got string.',
    );
  });

  test('throws when the timeout is not a positive number', () => {
    const handler = streaming(async (stream) => stream.end());
    expect(() => invokeStreamingHandler(handler, {}, { timeoutMs: 0 })).toThrow(
      'timeoutMs must be a positive number of milliseconds, got 0.',
    );
  });

  test('answers 502 when the handler rejects before the first byte', async () => {
    const log = quiet();
    const boom = new Error('boom');
    const handler = streaming(async () => {
      throw boom;
    });
    const invocation = invokeStreamingHandler(handler, {}, { requestId: 'r-502', logError: log.logError });
    const { text, error } = await collect(invocation.body);
    expect(error).toBeUndefined();
    expect(invocation.contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    expect(text).toBe(
      `{"statusCode":502,"headers":{"content-type":"text/plain"}}${NULS}Internal Server Error`,
    );
    expect((await invocation.completed).error).toBe(boom);
    expect(log.errors).toEqual([['r-502', boom]]);
  });

  test('aborts the stream when the handler rejects after the first byte', async () => {
    const log = quiet();
    const handler = streaming(async (stream) => {
      awslambda.HttpResponseStream.from(stream, { statusCode: 200 }).write('partial');
      await sleep(20);
      throw new Error('mid-stream failure');
    });
    const invocation = invokeStreamingHandler(handler, {}, { logError: log.logError });
    const { text, error } = await collect(invocation.body);
    expect(text).toBe(`{"statusCode":200}${NULS}partial`);
    expect(error?.message).toBe('mid-stream failure');
    expect((await invocation.completed).error?.message).toBe('mid-stream failure');
  });

  test('fails like the runtime when the handler is not async', async () => {
    const log = quiet();
    const handler = streaming((stream) => {
      stream.end();
      return 'sync result';
    });
    const invocation = invokeStreamingHandler(handler, {}, { logError: log.logError });
    const outcome = await invocation.completed;
    expect(outcome.error?.message).toBe('Streaming does not support non-async handlers.');
    expect(outcome.error?.name).toBe('InvocationError');
  });

  test('times out when the handler resolves without ending its stream', async () => {
    const log = quiet();
    const handler = streaming(async (stream) => {
      stream.write('started');
    });
    const invocation = invokeStreamingHandler(handler, {}, { timeoutMs: 150, logError: log.logError });
    const { text, error } = await collect(invocation.body);
    expect(text).toBe('started');
    expect(error?.message).toBe('Task timed out after 0.15 seconds');
    expect((await invocation.completed).error?.message).toBe('Task timed out after 0.15 seconds');
  });

  test('fails with the cause kept when the handler destroys its stream', async () => {
    const log = quiet();
    const cause = new Error('socket gone');
    const handler = streaming(async (stream) => {
      stream.destroy(cause);
    });
    const outcome = await invokeStreamingHandler(handler, {}, { logError: log.logError }).completed;
    expect(outcome.error?.message).toBe('Response stream is not finished.');
    expect(outcome.error?.cause).toBe(cause);
  });

  test('warns when a streaming handler returns a value', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const handler = streaming(async (stream) => {
        stream.end();
        return { statusCode: 200 };
      });
      const outcome = await invokeStreamingHandler(handler, {}).completed;
      expect(outcome.error).toBeUndefined();
      expect(warn).toHaveBeenCalledWith('Streaming handlers ignore return values.');
    } finally {
      warn.mockRestore();
    }
  });

  test('applies backpressure when the reader does not keep up', async () => {
    const chunk = Buffer.alloc(64 * 1024, 1);
    let refusedAt = -1;
    let written = 0;
    const handler = streaming(async (stream) => {
      for (let i = 0; i < 64; i++) {
        written++;
        if (!stream.write(chunk)) {
          refusedAt = i;
          await once(stream, 'drain');
        }
      }
      stream.end();
    });
    const invocation = invokeStreamingHandler(handler, {});
    await sleep(50);
    // Nothing reads yet: the handler must be parked on 'drain', not racing ahead.
    expect(refusedAt).toBeGreaterThanOrEqual(0);
    expect(written).toBeLessThan(64);
    const { text } = await collect(invocation.body);
    expect(text.length).toBe(64 * chunk.length);
    expect((await invocation.completed).error).toBeUndefined();
  });

  test('keeps the handler running when the reader goes away', async () => {
    let finished = false;
    const handler = streaming(async (stream) => {
      for (let i = 0; i < 32; i++) {
        if (!stream.write(Buffer.alloc(64 * 1024))) await once(stream, 'drain');
      }
      stream.end();
      finished = true;
    });
    const invocation = invokeStreamingHandler(handler, {});
    invocation.body.destroy();
    const outcome = await invocation.completed;
    expect(outcome.error).toBeUndefined();
    expect(finished).toBe(true);
  });
});
