import { metric as upstreamMetric } from '@vercel/functions';
import { Awaiter } from '../../../runtime/handler/awaiter';
import { installMetricChannel } from '../../../runtime/handler/metric-channel';
import { RequestContext, runWithRequestContext } from '../../../runtime/handler/request-context';

// The metrics channel the REAL @vercel/functions 3.9.9 calls (jest resolves `@vercel/functions` to
// node_modules): `globalThis[Symbol.for('@vercel/rusty-runtime-ipc')]?.sendMetric?.(name, value, tags)`.
const RUNTIME_IPC = Symbol.for('@vercel/rusty-runtime-ipc');

interface MetricChannel {
  sendMetric(name: unknown, value: unknown, tags?: unknown): void;
}

const slot = globalThis as Record<symbol, unknown>;

let lines: string[];
let warnings: unknown[][];

beforeEach(() => {
  lines = [];
  warnings = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    warnings.push(args);
  });
});

afterEach(() => {
  jest.restoreAllMocks();
});

function emittedDocuments(): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

function inRequest<T>(fn: () => T): T {
  const context = new RequestContext({
    requestId: 'req-1',
    headers: {},
    deadline: Date.now() + 30_000,
    awaiter: new Awaiter(() => {}),
  });
  return runWithRequestContext(context, fn);
}

describe('installMetricChannel', () => {
  test('publishes a metrics channel that writes the same EMF line as metric() when called as upstream calls it', () => {
    installMetricChannel();
    const channel = slot[RUNTIME_IPC] as MetricChannel;
    channel.sendMetric('db.query_ms', 12.5, { query: 'getUser' });

    const [document] = emittedDocuments();
    expect(lines).toHaveLength(1);
    expect(document).toMatchObject({
      query: 'getUser',
      'db.query_ms': 12.5,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'VercelFunctions',
            Dimensions: [['query']],
            Metrics: [{ Name: 'db.query_ms', Unit: 'None' }],
          },
        ],
      },
    });
  });

  test('validates what comes through the channel: a warning naming the problem and no metric', () => {
    installMetricChannel();
    const channel = slot[RUNTIME_IPC] as MetricChannel;
    expect(() => channel.sendMetric('latency', Number.NaN)).not.toThrow();
    expect(() => channel.sendMetric('latency', 1, { region: 7 })).not.toThrow();

    expect(lines).toEqual([]);
    expect(warnings.map((args) => String(args[0]))).toEqual([
      'metric("latency") was not recorded: value must be finite, got NaN.',
      'metric("latency") was not recorded: tag "region" must have a string value, got number.',
    ]);
  });

  test("makes the real package's metric() record the metric inside a request", () => {
    installMetricChannel();
    inRequest(() => upstreamMetric('checkout.total', 42, { currency: 'EUR' }));

    expect(emittedDocuments()).toEqual([expect.objectContaining({ currency: 'EUR', 'checkout.total': 42 })]);
  });

  test('leaves a metrics channel alone when the process already has one', () => {
    const sent: unknown[][] = [];
    const hostChannel: MetricChannel = { sendMetric: (...args) => sent.push(args) };
    delete slot[RUNTIME_IPC];
    slot[RUNTIME_IPC] = hostChannel;
    try {
      installMetricChannel();
      inRequest(() => upstreamMetric('from.host', 1));
      expect(slot[RUNTIME_IPC]).toBe(hostChannel);
      expect(sent).toEqual([['from.host', 1, undefined]]);
      expect(lines).toEqual([]);
    } finally {
      // So that a later install starts afresh and publishes ours again.
      delete slot[RUNTIME_IPC];
    }
  });
});
