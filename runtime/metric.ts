/**
 * `metric()` on AWS: one CloudWatch Embedded Metric Format (EMF) document per call, written to
 * stdout. In Lambda, CloudWatch Logs extracts the metric from the log line; no SDK call and no
 * extra latency. Spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** Namespace used when `VERCEL_METRICS_NAMESPACE` is unset or empty. */
export const DEFAULT_METRICS_NAMESPACE = 'VercelFunctions';

// Limits from the CloudWatch API reference (Dimension, MetricDatum, PutMetricData), which EMF
// extraction enforces: a document that breaks them publishes nothing.
const MAX_DIMENSIONS = 30;
const MAX_NAME_LENGTH = 255;
const MAX_DIMENSION_VALUE_LENGTH = 1024;
const MAX_ABS_VALUE = 2 ** 360;
// Dimension names and values: printable ASCII only (no control characters, nothing above 0x7E).
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

function checkAsciiText(kind: string, text: string, maxLength: number): string | undefined {
  if (text.trim() === '') return `${kind} ${describe(text)} must contain a non-whitespace character`;
  if (text.length > maxLength) return `${kind} ${describe(text)} is longer than ${maxLength} characters`;
  if (!PRINTABLE_ASCII.test(text)) return `${kind} ${describe(text)} must be printable ASCII`;
  return undefined;
}

function checkNamespace(namespace: string): string | undefined {
  const problem = checkAsciiText('namespace (VERCEL_METRICS_NAMESPACE)', namespace, MAX_NAME_LENGTH);
  if (problem) return problem;
  // AWS/ is reserved for AWS services' own metrics.
  if (namespace.startsWith('AWS/')) return `namespace ${describe(namespace)} must not start with "AWS/"`;
  return undefined;
}

function checkName(name: unknown): string | undefined {
  if (typeof name !== 'string') return `name must be a string, got ${describe(name)}`;
  if (name.trim() === '') return 'name must not be empty';
  if (name.length > MAX_NAME_LENGTH) return `name is longer than ${MAX_NAME_LENGTH} characters`;
  // The value is a root member named after the metric; `_aws` holds the EMF metadata.
  if (name === '_aws') return 'name "_aws" is reserved by the Embedded Metric Format';
  return undefined;
}

function checkValue(value: unknown): string | undefined {
  if (typeof value !== 'number') return `value must be a number, got ${describe(value)}`;
  if (!Number.isFinite(value)) return `value must be finite, got ${value}`;
  if (Math.abs(value) > MAX_ABS_VALUE) return `value ${value} is outside CloudWatch's range of ±2^360`;
  return undefined;
}

function checkTags(name: string, tags: unknown): string | undefined {
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags !== 'object' || Array.isArray(tags)) return `tags must be an object, got ${describe(tags)}`;
  const entries = Object.entries(tags);
  if (entries.length > MAX_DIMENSIONS) {
    return `${entries.length} tags exceed CloudWatch's limit of ${MAX_DIMENSIONS} dimensions per metric`;
  }
  for (const [key, tagValue] of entries) {
    const keyProblem = checkAsciiText('tag name', key, MAX_NAME_LENGTH);
    if (keyProblem) return keyProblem;
    if (key.startsWith(':')) return `tag name ${describe(key)} must not start with ":"`;
    // Tags become root members next to the value and `_aws`; a clash would overwrite one of them.
    if (key === name || key === '_aws') return `tag name ${describe(key)} clashes with the metric document`;
    if (typeof tagValue !== 'string')
      return `tag ${describe(key)} must have a string value, got ${describe(tagValue)}`;
    const valueProblem = checkAsciiText(
      `value of tag ${describe(key)}`,
      tagValue,
      MAX_DIMENSION_VALUE_LENGTH,
    );
    if (valueProblem) return valueProblem;
  }
  return undefined;
}

/**
 * Reports a custom metric for the current invocation.
 *
 * On AWS it becomes a CloudWatch metric through the Embedded Metric Format: one JSON line on
 * stdout with `_aws.CloudWatchMetrics` naming the namespace (env `VERCEL_METRICS_NAMESPACE`,
 * default `VercelFunctions`), the metric (unit `None`) and the tags as its dimensions. Outside
 * Lambda the line is printed all the same, which is handy when developing.
 *
 * Metrics never break a request: invalid input — an empty name, a value that is not a finite
 * number within ±2^360, more than 30 tags, a tag that is not a printable-ASCII string — logs a
 * warning naming the problem and records nothing.
 *
 * @param name The metric name (1–255 characters).
 * @param value The value.
 * @param tags Dimensions of the metric, name → value.
 * @example
 * ```ts
 * import { metric } from '@vercel/functions';
 *
 * metric('db.query_ms', 12.5, { query: 'getUser' });
 * ```
 */
export function metric(name: string, value: number, tags?: Record<string, string>): void {
  try {
    const namespace = process.env.VERCEL_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE;
    const problem =
      checkName(name) ?? checkValue(value) ?? checkTags(name, tags) ?? checkNamespace(namespace);
    if (problem) {
      console.warn(`metric(${describe(name)}) was not recorded: ${problem}.`);
      return;
    }
    const dimensions = tags ? Object.keys(tags) : [];
    const document = {
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          { Namespace: namespace, Dimensions: [dimensions], Metrics: [{ Name: name, Unit: 'None' }] },
        ],
      },
      ...tags,
      [name]: value,
    };
    // Straight to stdout, not console.log: Lambda's patched console prefixes each line (text log
    // format) or nests it as a string inside its own JSON object (JSON log format). Writing the
    // document itself keeps the line a top-level EMF object under either setting.
    process.stdout.write(`${JSON.stringify(document)}\n`);
  } catch (error) {
    console.warn(`metric(${describe(name)}) was not recorded:`, error);
  }
}
