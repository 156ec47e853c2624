import type { Readable } from 'node:stream';
import { type Invocation, invokeStreamingHandler, type StreamingHandler } from '../../../lib/local/invoke';
import {
  type AwsLambdaGlobal,
  createLambdaGlobals,
  DEFAULT_STREAM_CONTENT_TYPE,
  HANDLER_HIGH_WATER_MARK,
  HANDLER_STREAMING,
  HTTP_INTEGRATION_CONTENT_TYPE,
  handlerStreamingMetadata,
  installLambdaGlobals,
  type LambdaResponseStream,
} from '../../../lib/local/lambda-globals';

const awslambda = createLambdaGlobals();
const NULS = '\0'.repeat(8);

async function collect(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('latin1');
}

/** Runs `write` as the body of a streaming handler and returns what the Runtime API would receive. */
async function stream(write: (stream: LambdaResponseStream) => void | Promise<void>) {
  const handler = awslambda.streamifyResponse((async (_event, responseStream) => {
    await write(responseStream);
  }) as StreamingHandler);
  const invocation: Invocation = invokeStreamingHandler(handler, {}, { logError: () => {} });
  const bytes = await collect(invocation.body);
  return { bytes, contentType: invocation.contentType, outcome: await invocation.completed };
}

describe('streamifyResponse', () => {
  test('tags and returns the same handler when wrapped', () => {
    const handler = async () => {};
    const wrapped = awslambda.streamifyResponse(handler, { highWaterMark: 4096.7 });
    expect(wrapped).toBe(handler);
    expect((wrapped as unknown as Record<symbol, unknown>)[HANDLER_STREAMING]).toBe('response');
    expect((wrapped as unknown as Record<symbol, unknown>)[HANDLER_HIGH_WATER_MARK]).toBe(4096);
    expect(handlerStreamingMetadata(wrapped)).toEqual({ streaming: true, highWaterMark: 4096 });
  });

  test('reports a plain handler as not streaming when it was never wrapped', () => {
    expect(handlerStreamingMetadata(async () => {})).toEqual({ streaming: false });
  });

  test('throws the runtime error when a handler carries an unknown streaming mode', () => {
    const handler = Object.assign(async () => {}, { [HANDLER_STREAMING]: 'request' });
    expect(() => handlerStreamingMetadata(handler)).toThrow('Only response streaming is supported.');
    expect(() => handlerStreamingMetadata(handler)).toThrow(
      expect.objectContaining({ name: 'Runtime.MalformedStreamingHandler' }),
    );
  });
});

describe('installLambdaGlobals', () => {
  const slot = globalThis as { awslambda?: AwsLambdaGlobal };
  let saved: AwsLambdaGlobal | undefined;
  beforeEach(() => {
    saved = slot.awslambda;
  });
  afterEach(() => {
    if (saved === undefined) delete slot.awslambda;
    else slot.awslambda = saved;
  });

  test('installs the global when none exists', () => {
    delete slot.awslambda;
    const installed = installLambdaGlobals();
    expect(slot.awslambda).toBe(installed);
    expect(typeof installed.streamifyResponse).toBe('function');
    expect(typeof installed.HttpResponseStream.from).toBe('function');
  });

  test('keeps an existing global when the real runtime already installed one', () => {
    const existing = createLambdaGlobals();
    slot.awslambda = existing;
    expect(installLambdaGlobals()).toBe(existing);
    expect(slot.awslambda).toBe(existing);
  });

  test('completes the global the AWS SDK leaves without streamifyResponse', () => {
    // @aws/lambda-invoke-store (loaded with the AWS SDK) publishes its InvokeStore on a bare object.
    const invokeStore = { getRequestId: () => '-' };
    slot.awslambda = { InvokeStore: invokeStore } as unknown as AwsLambdaGlobal;
    const installed = installLambdaGlobals() as AwsLambdaGlobal & { InvokeStore?: unknown };
    expect(typeof installed.streamifyResponse).toBe('function');
    expect(typeof installed.HttpResponseStream.from).toBe('function');
    expect(installed.InvokeStore).toBe(invokeStore);
    expect(slot.awslambda).toBe(installed);
  });
});

describe('HttpResponseStream.from', () => {
  test('writes the prelude and 8 NUL bytes before the first chunk only', async () => {
    const { bytes, contentType } = await stream((s) => {
      const http = awslambda.HttpResponseStream.from(s, { statusCode: 201, headers: { a: 'b' } });
      http.write('one');
      http.write(Buffer.from('two'));
      http.end();
    });
    expect(contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    expect(bytes).toBe(`{"statusCode":201,"headers":{"a":"b"}}${NULS}onetwo`);
  });

  test('serialises the prelude when called, not when the first write happens', async () => {
    const { bytes } = await stream((s) => {
      const prelude: Record<string, unknown> = { statusCode: 200 };
      const http = awslambda.HttpResponseStream.from(s, prelude);
      prelude.statusCode = 500;
      http.write('x');
      http.end();
    });
    expect(bytes).toBe(`{"statusCode":200}${NULS}x`);
  });

  test('loses the prelude when end(data) is called without a prior write (RIC issue #97)', async () => {
    const { bytes, contentType } = await stream((s) => {
      awslambda.HttpResponseStream.from(s, { statusCode: 404 }).end('gone');
    });
    expect(contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    expect(bytes).toBe('gone');
  });

  test('sends only the prelude when an empty string is written before end()', async () => {
    const { bytes } = await stream((s) => {
      const http = awslambda.HttpResponseStream.from(s, { statusCode: 204 });
      http.write('');
      http.end();
    });
    expect(bytes).toBe(`{"statusCode":204}${NULS}`);
  });

  test('throws when called after the first write', async () => {
    let thrown: unknown;
    await stream((s) => {
      s.write('early');
      try {
        awslambda.HttpResponseStream.from(s, { statusCode: 200 });
      } catch (error) {
        thrown = error;
      }
      s.end();
    });
    expect(thrown).toMatchObject({
      name: 'Runtime.InvalidStreamingOperation',
      message: 'Cannot set content-type, too late.',
    });
  });
});

describe('response stream', () => {
  test('uses application/octet-stream when the handler sets no content type', async () => {
    const { bytes, contentType } = await stream((s) => {
      s.write('raw');
      s.end();
    });
    expect(contentType).toBe(DEFAULT_STREAM_CONTENT_TYPE);
    expect(bytes).toBe('raw');
  });

  test('applies setContentType when called before the first write', async () => {
    const { contentType } = await stream((s) => {
      s.setContentType('text/event-stream');
      s.write('data: 1\n\n');
      s.end();
    });
    expect(contentType).toBe('text/event-stream');
  });

  test('serialises non-binary chunks as JSON when written', async () => {
    const { bytes } = await stream((s) => {
      s.write({ hello: 'world' } as never);
      s.end();
    });
    expect(bytes).toBe('{"hello":"world"}');
  });
});
