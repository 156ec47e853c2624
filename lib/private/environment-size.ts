import { Annotations, CfnOutput, CfnParameter, CfnResource, Stack, Token } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { ConfigurationError } from '../errors';
import { rejectInvalidEnvironmentNames } from './environment-names';
import { LAMBDA_ENVIRONMENT_BYTES } from './lambda-limits';
import { templateElementLookup } from './stacks';

// How Lambda measures the 4 KB: the variables serialized as compact JSON, in UTF-8 bytes — quotes,
// colons, commas and JSON escapes count, not only keys and values. Lambda's own error says so: it
// quotes the "String measured", `{"KEY":"value",...}` with every `"` inside a value escaped
// (github.com/github-aws-runners/terraform-aws-github-runner/issues/3594), and LocalStack, whose
// Lambda is checked against AWS, measures the same string. Summing keys and values alone (as
// cfn-lint's E3697 does) misses 6 bytes a variable: 240 bytes for forty variables.

// Deploy-time values count at the most they can resolve to, from each service's documented limits.
// They are upper bounds, not typical sizes: generated names are usually far shorter.

/** An ARN's fixed part: `arn:` partition (`aws-us-gov`) `:` service `:` region `:` account `:`. */
const ARN_PREFIX_BYTES = 80;
const arn = (resourcePart: number) => ARN_PREFIX_BYTES + resourcePart;

/** IAM's ceiling for any ARN (20–2048 characters); the bound for values of unknown kind. */
const UNKNOWN_VALUE_BYTES = 2048;

/** A CloudFormation parameter's value: at most 4,096 bytes (CloudFormation `Parameter.ParameterValue`). */
const PARAMETER_VALUE_BYTES = 4096;

/**
 * A `{{resolve:ssm:…}}` or `{{resolve:secretsmanager:…}}` reference, which CloudFormation replaces
 * with the stored value: anything up to the whole limit (Secrets Manager holds up to 64 KB).
 */
const DYNAMIC_REFERENCE_BYTES = LAMBDA_ENVIRONMENT_BYTES;

/** Region codes are 14 characters today (`ap-southeast-5`); room for longer ones. */
const REGION_BYTES = 20;

const PSEUDO_PARAMETER_BYTES: Readonly<Record<string, number>> = {
  'AWS::AccountId': 12,
  'AWS::Region': REGION_BYTES,
  'AWS::Partition': 16,
  'AWS::URLSuffix': 32,
  // Stack names are at most 128 characters; the id adds `stack/` and a UUID.
  'AWS::StackName': 128,
  'AWS::StackId': arn(6 + 128 + 37),
  'AWS::NoValue': 0,
};

interface ResourceBounds {
  /** What `Ref` returns. */
  readonly ref: number;
  /** What `Fn::GetAtt` returns, by attribute; others count as {@link UNKNOWN_VALUE_BYTES}. */
  readonly attributes: Readonly<Record<string, number>>;
}

// DynamoDB table names: 3–255 characters (DynamoDB "Naming rules"). The stream ARN adds
// `/stream/` and a 23-character timestamp.
const DYNAMODB_TABLE: ResourceBounds = {
  ref: 255,
  attributes: { Arn: arn(6 + 255), StreamArn: arn(6 + 255 + 8 + 23) },
};
// Secrets Manager names: at most 512 characters; the ARN adds `secret:`, `-` and 6 random characters.
const SECRET_ARN = arn(7 + 512 + 7);
// SQS queue names: at most 80 characters; `Ref` is the URL https://sqs.<region>.amazonaws.com/<account>/<name>.
const QUEUE_URL = 'https://sqs.'.length + REGION_BYTES + '.amazonaws.com.cn/'.length + 13 + 80;

const RESOURCE_BOUNDS: Readonly<Record<string, ResourceBounds>> = {
  'AWS::DynamoDB::Table': DYNAMODB_TABLE,
  'AWS::DynamoDB::GlobalTable': DYNAMODB_TABLE,
  // Bucket names: at most 63 characters; domain names add the regional S3 suffix.
  'AWS::S3::Bucket': {
    ref: 63,
    attributes: { Arn: arn(63), DomainName: 63 + 32, RegionalDomainName: 63 + 64, WebsiteURL: 63 + 80 },
  },
  'AWS::SQS::Queue': { ref: QUEUE_URL, attributes: { Arn: arn(80), QueueName: 80, QueueUrl: QUEUE_URL } },
  // Topic names: at most 256 characters; `Ref` is the ARN.
  'AWS::SNS::Topic': { ref: arn(256), attributes: { TopicArn: arn(256), TopicName: 256 } },
  'AWS::SecretsManager::Secret': { ref: SECRET_ARN, attributes: { Id: SECRET_ARN } },
  // Function names: at most 64 characters.
  'AWS::Lambda::Function': { ref: 64, attributes: { Arn: arn(9 + 64) } },
  // https://<32-character url-id>.lambda-url.<region>.on.aws/
  'AWS::Lambda::Url': { ref: arn(9 + 64), attributes: { FunctionArn: arn(9 + 64), FunctionUrl: 80 } },
  // Role names: at most 64 characters, paths at most 512; role ids are 21 characters.
  'AWS::IAM::Role': { ref: 64, attributes: { Arn: arn(5 + 512 + 64), RoleId: 128 } },
  // Key ids are UUIDs (36 characters) or `mrk-` and 32 hex digits.
  'AWS::KMS::Key': { ref: 36, attributes: { Arn: arn(4 + 36), KeyId: 36 } },
  // Parameter names: at most 1,011 characters including the ARN; values 4 KB (standard) or 8 KB.
  'AWS::SSM::Parameter': { ref: 1011, attributes: { Type: 16, Value: 8192 } },
  // Distribution ids are 13–14 characters; domains `d…​.cloudfront.net`.
  'AWS::CloudFront::Distribution': { ref: 32, attributes: { DomainName: 64, Id: 32 } },
  // State machine names: at most 80 characters; `Ref` is the ARN.
  'AWS::StepFunctions::StateMachine': { ref: arn(13 + 80), attributes: { Arn: arn(13 + 80), Name: 80 } },
  // Event bus names: at most 256 characters.
  'AWS::Events::EventBus': { ref: 256, attributes: { Arn: arn(10 + 256), Name: 256 } },
};

/** One variable's share of the measured string: `"KEY":"value"` and its comma. */
export interface VariableSize {
  readonly name: string;
  /** Bytes known at synth: the key, the quotes and the literal text of the value. */
  readonly literalBytes: number;
  /** `literalBytes` plus the most the value's deploy-time parts can resolve to. */
  readonly estimatedBytes: number;
}

/** The size of a function's environment as Lambda measures it. */
export interface EnvironmentSize {
  /** Bytes known at synth; Lambda refuses the function when this alone exceeds the limit. */
  readonly literalBytes: number;
  /** The most the whole string can take once CloudFormation resolves every deploy-time value. */
  readonly estimatedBytes: number;
  /** Every variable, the largest (by estimate) first. */
  readonly variables: readonly VariableSize[];
}

/**
 * Bytes Lambda counts for variables whose values are all known: `{"KEY":"value",...}` in UTF-8.
 *
 * @example
 * literalEnvironmentBytes({ VERCEL: '1' }); // 14: {"VERCEL":"1"}
 */
export function literalEnvironmentBytes(variables: Readonly<Record<string, string>>): number {
  return measureEnvironment(variables, () => UNKNOWN_VALUE_BYTES).literalBytes;
}

/**
 * Measures variables as `Stack.resolve` renders them: strings count exactly, CloudFormation
 * intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`, …) at the bound `boundOf` gives each reference.
 */
export function measureEnvironment(
  variables: Readonly<Record<string, unknown>>,
  boundOf: (reference: Reference) => number,
): EnvironmentSize {
  const sizes = Object.entries(variables).map(([name, value]): VariableSize => {
    // `"KEY":` and the comma before the next variable (the last one's pays for the braces).
    const fixed = jsonBytes(name) + 2;
    const measured = measureSegments(segmentsOf(value, boundOf));
    return { name, literalBytes: fixed + measured.literal, estimatedBytes: fixed + measured.estimated };
  });
  // `{` and `}`, less the comma the last variable does not have; `{}` is what no variables measure.
  const braces = sizes.length === 0 ? 2 : 1;
  const sum = (key: 'literalBytes' | 'estimatedBytes') => sizes.reduce((total, v) => total + v[key], braces);
  return {
    literalBytes: sum('literalBytes'),
    estimatedBytes: sum('estimatedBytes'),
    variables: [...sizes].sort((a, b) => b.estimatedBytes - a.estimatedBytes),
  };
}

/** A deploy-time value an estimate is needed for. */
export type Reference =
  | { readonly kind: 'ref'; readonly target: string }
  | { readonly kind: 'getAtt'; readonly target: string; readonly attribute: string }
  | { readonly kind: 'import'; readonly exportName: string }
  | { readonly kind: 'other'; readonly intrinsic: string };

/**
 * Checks `fn`'s environment against Lambda's limit when the app synthesizes, so variables added
 * after the constructor (`addEnvironment`, grants, `VercelProject`) count too: a ConfigurationError
 * when the text known at synth alone exceeds it (the deployment would fail), a warning
 * (`vercel-functions-aws:environmentSize`) when only the bounds of deploy-time values do. Checks
 * the names too: a ConfigurationError for any Lambda refuses (see environment-names.ts).
 */
export function validateEnvironmentSize(fn: lambda.Function): void {
  // Once per function: a VercelFunction can also be bound (VercelRuntimeBinding, VercelProject).
  if (validated.has(fn)) return;
  validated.add(fn);
  fn.node.addValidation({
    validate: () => {
      checkEnvironmentSize(fn);
      return [];
    },
  });
}

const validated = new WeakSet<lambda.Function>();

function checkEnvironmentSize(fn: lambda.Function): void {
  const stack = Stack.of(fn);
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const resolved = stack.resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined;
  // Resolved, so keys that were tokens when added are checked as the text they became.
  rejectInvalidEnvironmentNames(fn, 'its environment', Object.keys(resolved?.variables ?? {}));
  const size = measureEnvironment(resolved?.variables ?? {}, referenceBounds(stack, appExports(stack)));
  const limit = LAMBDA_ENVIRONMENT_BYTES;
  if (size.literalBytes > limit) {
    const largest = [...size.variables].sort((a, b) => b.literalBytes - a.literalBytes);
    throw new ConfigurationError(
      fn,
      `its environment variables take ${size.literalBytes} bytes, more than Lambda's ${limit}-byte limit (keys and values as JSON, in UTF-8), so the deployment would fail. Largest: ${listLargest(largest, 'literalBytes')}. Move large values to SSM Parameter Store or Secrets Manager and read them at runtime, or drop variables the function does not use`,
    );
  }
  if (size.estimatedBytes > limit) {
    Annotations.of(fn).addWarningV2(
      'vercel-functions-aws:environmentSize',
      `environment variables may exceed Lambda's ${limit}-byte limit once CloudFormation resolves them: ${size.literalBytes} bytes are known at synth, up to ${size.estimatedBytes} with table names, ARNs and other deploy-time values at their longest. Largest: ${listLargest(size.variables, 'estimatedBytes')}`,
    );
  }
}

function listLargest(variables: readonly VariableSize[], key: 'literalBytes' | 'estimatedBytes'): string {
  return variables
    .slice(0, 5)
    .map((v) => {
      const upTo = key === 'estimatedBytes' && v.estimatedBytes > v.literalBytes ? 'up to ' : '';
      return `${v.name} (${upTo}${v[key]} bytes)`;
    })
    .join(', ');
}

// Bounds of the references in `stack`'s template: by resource type, a parameter's maxLength, the
// pseudo parameter's, or an import's (below). The logical ids are looked up once, on the first reference.
function referenceBounds(
  stack: Stack,
  exports: () => ReadonlyMap<string, readonly CfnOutput[]>,
  importing: ReadonlySet<string> = new Set(),
): (reference: Reference) => number {
  const elementOf = templateElementLookup(stack);
  return (reference) => {
    if (reference.kind === 'import') return importBound(stack, reference.exportName, exports, importing);
    if (reference.kind === 'other') return UNKNOWN_VALUE_BYTES;
    if (reference.kind === 'ref' && reference.target in PSEUDO_PARAMETER_BYTES) {
      return PSEUDO_PARAMETER_BYTES[reference.target];
    }
    const element = elementOf(reference.target);
    if (element instanceof CfnParameter) return element.maxLength ?? PARAMETER_VALUE_BYTES;
    const bounds = element instanceof CfnResource ? RESOURCE_BOUNDS[element.cfnResourceType] : undefined;
    if (!bounds) return UNKNOWN_VALUE_BYTES;
    if (reference.kind === 'ref') return bounds.ref;
    return bounds.attributes[reference.attribute] ?? UNKNOWN_VALUE_BYTES;
  };
}

// A reference to another stack of the app reaches the template as `Fn::ImportValue` of an export
// CDK adds to the producing stack (`<stack>:ExportsOutputRef…`, a CfnOutput; `exportValue` adds
// others): the import counts at the bound of the exported value, measured in the producing stack
// as a same-stack reference would be. Export names are unique in an account and Region, so only
// the outputs of stacks that may share `stack`'s count (the largest if several do); a name no
// output of the app exports, or one met again while measuring its own value, counts as unknown.
function importBound(
  stack: Stack,
  exportName: string,
  exports: () => ReadonlyMap<string, readonly CfnOutput[]>,
  importing: ReadonlySet<string>,
): number {
  const outputs = (exports().get(exportName) ?? []).filter((o) => maySharePlace(stack, Stack.of(o)));
  if (outputs.length === 0 || importing.has(exportName)) return UNKNOWN_VALUE_BYTES;
  const nested = new Set([...importing, exportName]);
  return Math.max(
    ...outputs.map((output) => {
      const producer = Stack.of(output);
      const segments = segmentsOf(producer.resolve(output.value), referenceBounds(producer, exports, nested));
      return measureSegments(segments).estimated - 2; // Without the quotes: the value is inside ours.
    }),
  );
}

const maySharePlace = (a: Stack, b: Stack) => mayEqual(a.account, b.account) && mayEqual(a.region, b.region);
const mayEqual = (a: string, b: string) => a === b || Token.isUnresolved(a) || Token.isUnresolved(b);

// The outputs of every stack of `stack`'s app by export name, found once, on the first import.
function appExports(stack: Stack): () => ReadonlyMap<string, readonly CfnOutput[]> {
  let exports: Map<string, CfnOutput[]> | undefined;
  return () => {
    if (exports) return exports;
    exports = new Map();
    for (const c of stack.node.root.node.findAll()) {
      if (!(c instanceof CfnOutput) || c.exportName === undefined) continue;
      const name = Stack.of(c).resolve(c.exportName);
      if (typeof name === 'string') exports.set(name, [...(exports.get(name) ?? []), c]);
    }
    return exports;
  };
}

/** A value as the text it will be: literal strings and deploy-time parts (their bound, in bytes). */
type Segment = string | number;

function segmentsOf(value: unknown, boundOf: (reference: Reference) => number): Segment[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  const [intrinsic, args] = isIntrinsic(value) ? Object.entries(value)[0] : ['', undefined];
  const bound = (v: unknown) => measureSegments(segmentsOf(v, boundOf)).estimated;
  switch (intrinsic) {
    case 'Ref':
      return [boundOf({ kind: 'ref', target: String(args) })];
    case 'Fn::GetAtt': {
      const [target, attribute] = Array.isArray(args) ? args : String(args).split(/\.(.*)/);
      return [boundOf({ kind: 'getAtt', target: String(target), attribute: String(attribute) })];
    }
    case 'Fn::Join': {
      const [separator, parts] = Array.isArray(args) ? args : [];
      if (typeof separator !== 'string' || !Array.isArray(parts)) break;
      return parts.flatMap((part, i) => [...(i === 0 ? [] : [separator]), ...segmentsOf(part, boundOf)]);
    }
    case 'Fn::Sub': {
      const [template, vars] = Array.isArray(args) ? args : [args, {}];
      if (typeof template !== 'string') break;
      return subSegments(template, (vars ?? {}) as Record<string, unknown>, boundOf);
    }
    case 'Fn::Select': {
      const [index, list] = Array.isArray(args) ? args : [];
      if (typeof index === 'number' || (typeof index === 'string' && /^\d+$/.test(index))) {
        if (Array.isArray(list) && Number(index) < list.length)
          return segmentsOf(list[Number(index)], boundOf);
      }
      break;
    }
    case 'Fn::If': {
      // Either branch may be the one deployed: the larger.
      const [, whenTrue, whenFalse] = Array.isArray(args) ? args : [];
      return [Math.max(bound(whenTrue), bound(whenFalse))];
    }
    case 'Fn::Base64':
      return [Math.ceil(bound(args) / 3) * 4];
    case 'Fn::ImportValue':
      if (typeof args === 'string') return [boundOf({ kind: 'import', exportName: args })];
      break;
  }
  return [boundOf({ kind: 'other', intrinsic: intrinsic || typeof value })];
}

function isIntrinsic(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1
  );
}

// `${Name}` is a Ref (or a variable of the Sub), `${Name.Attr}` a GetAtt, `${!Text}` the text `${Text}`.
function subSegments(
  template: string,
  vars: Record<string, unknown>,
  boundOf: (reference: Reference) => number,
): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
    segments.push(template.slice(last, match.index));
    last = match.index + match[0].length;
    const name = match[1];
    if (name.startsWith('!')) segments.push(`\${${name.slice(1)}}`);
    else if (name in vars) segments.push(...segmentsOf(vars[name], boundOf));
    else if (name.includes('.')) {
      const [target, attribute] = name.split(/\.(.*)/);
      segments.push(boundOf({ kind: 'getAtt', target, attribute }));
    } else segments.push(boundOf({ kind: 'ref', target: name }));
  }
  segments.push(template.slice(last));
  return segments;
}

// A dynamic reference can span segments (`{{resolve:secretsmanager:` + Ref + `:SecretString:::}}`
// is what SecretValue.secretsManager renders), so it is found in the joined text, with each
// deploy-time part standing in as one placeholder character.
const PLACEHOLDER = '\u0000';
const DYNAMIC_REFERENCE = /\{\{resolve:[^}]*\}\}/g;

// The value's bytes inside its quotes: literal text exactly (JSON-escaped, UTF-8), each
// deploy-time part and dynamic reference at its bound; `literal` counts neither. Plus the quotes.
function measureSegments(segments: readonly Segment[]): { literal: number; estimated: number } {
  const bounds = segments.filter((s): s is number => typeof s === 'number');
  const text = segments.map((s) => (typeof s === 'number' ? PLACEHOLDER : s)).join('');
  let literal = 2;
  let deployTime = 0;
  let next = 0;
  const countPlain = (plain: string, counted: boolean) => {
    const parts = plain.split(PLACEHOLDER);
    for (let i = 1; i < parts.length; i++) {
      if (counted) deployTime += bounds[next];
      next++;
    }
    if (counted) literal += parts.reduce((total, part) => total + jsonBytes(part) - 2, 0);
  };
  let last = 0;
  for (const match of text.matchAll(DYNAMIC_REFERENCE)) {
    countPlain(text.slice(last, match.index), true);
    countPlain(match[0], false);
    deployTime += DYNAMIC_REFERENCE_BYTES;
    last = match.index + match[0].length;
  }
  countPlain(text.slice(last), true);
  return { literal, estimated: literal + deployTime };
}

function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}
