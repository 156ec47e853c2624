import { metric } from '../../runtime/metric';

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [member: string]: unknown;
}

describe('metric', () => {
  let lines: string[];
  let warnings: unknown[][];
  const namespaceBefore = process.env.VERCEL_METRICS_NAMESPACE;

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
    delete process.env.VERCEL_METRICS_NAMESPACE;
  });

  afterEach(() => {
    jest.restoreAllMocks();
    if (namespaceBefore === undefined) delete process.env.VERCEL_METRICS_NAMESPACE;
    else process.env.VERCEL_METRICS_NAMESPACE = namespaceBefore;
  });

  function emitted(): EmfDocument {
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(lines[0].slice(0, -1)).not.toContain('\n');
    return JSON.parse(lines[0]) as EmfDocument;
  }

  test('writes one EMF line with the tags as dimensions when given tags', () => {
    const before = Date.now();
    metric('db.query_ms', 12.5, { query: 'getUser', region: 'iad1' });
    const doc = emitted();
    expect(doc).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'VercelFunctions',
            Dimensions: [['query', 'region']],
            Metrics: [{ Name: 'db.query_ms', Unit: 'None' }],
          },
        ],
      },
      query: 'getUser',
      region: 'iad1',
      'db.query_ms': 12.5,
    });
    expect(doc._aws.Timestamp).toBeGreaterThanOrEqual(before);
    expect(doc._aws.Timestamp).toBeLessThanOrEqual(Date.now());
    expect(warnings).toEqual([]);
  });

  test('uses one empty dimension set when called without tags', () => {
    metric('hits', 1);
    const doc = emitted();
    expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([[]]);
    expect(doc.hits).toBe(1);
  });

  test('uses VERCEL_METRICS_NAMESPACE when it is set', () => {
    process.env.VERCEL_METRICS_NAMESPACE = 'Shop/Checkout';
    metric('orders', 3);
    expect(emitted()._aws.CloudWatchMetrics[0].Namespace).toBe('Shop/Checkout');
  });

  test('accepts 30 tags, the CloudWatch maximum', () => {
    const tags = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`t${i}`, `v${i}`]));
    metric('wide', 0, tags);
    expect(emitted()._aws.CloudWatchMetrics[0].Dimensions[0]).toHaveLength(30);
  });

  test('accepts zero and negative values', () => {
    metric('delta', -4.25);
    expect(emitted().delta).toBe(-4.25);
  });

  test.each([
    ['NaN', 'm', Number.NaN, undefined, 'value must be finite'],
    ['Infinity', 'm', Number.POSITIVE_INFINITY, undefined, 'value must be finite'],
    ['a value beyond 2^360', 'm', 2 ** 361, undefined, 'outside CloudWatch'],
    ['a string value', 'm', '5', undefined, 'value must be a number, got "5"'],
    ['an empty name', '', 1, undefined, 'name must not be empty'],
    ['a blank name', '   ', 1, undefined, 'name must not be empty'],
    ['a non-string name', 42, 1, undefined, 'name must be a string, got number'],
    ['a 256-character name', 'x'.repeat(256), 1, undefined, 'name is longer than 255 characters'],
    ['the reserved name _aws', '_aws', 1, undefined, 'reserved'],
    ['a number tag value', 'm', 1, { route: 7 }, 'tag "route" must have a string value, got number'],
    ['an undefined tag value', 'm', 1, { route: undefined }, 'tag "route" must have a string value'],
    ['an empty tag value', 'm', 1, { route: '' }, 'must contain a non-whitespace character'],
    ['a non-ASCII tag value', 'm', 1, { city: 'São Paulo' }, 'must be printable ASCII'],
    ['a tag name starting with a colon', 'm', 1, { ':x': 'y' }, 'must not start with ":"'],
    ['a tag named like the metric', 'm', 1, { m: 'y' }, 'clashes with the metric document'],
    ['a tag named _aws', 'm', 1, { _aws: 'y' }, 'clashes with the metric document'],
    ['tags given as an array', 'm', 1, ['a'], 'tags must be an object'],
    [
      '31 tags',
      'm',
      1,
      Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`t${i}`, 'v'])),
      "31 tags exceed CloudWatch's limit of 30",
    ],
  ])('logs a warning and writes nothing when given %s', (_label, name, value, tags, message) => {
    expect(() => metric(name as string, value as number, tags as Record<string, string>)).not.toThrow();
    expect(lines).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0][0])).toContain('was not recorded');
    expect(String(warnings[0][0])).toContain(message);
  });

  test('logs a warning naming the variable when VERCEL_METRICS_NAMESPACE is invalid', () => {
    process.env.VERCEL_METRICS_NAMESPACE = 'AWS/Lambda';
    metric('m', 1);
    expect(lines).toEqual([]);
    expect(String(warnings[0][0])).toContain('must not start with "AWS/"');
    process.env.VERCEL_METRICS_NAMESPACE = 'Ünïcode';
    metric('m', 1);
    expect(String(warnings[1][0])).toContain('VERCEL_METRICS_NAMESPACE');
  });

  test('never throws when writing to stdout fails', () => {
    jest.spyOn(process.stdout, 'write').mockImplementation(() => {
      throw new Error('EPIPE');
    });
    expect(() => metric('m', 1)).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0][1]).toEqual(new Error('EPIPE'));
  });
});
