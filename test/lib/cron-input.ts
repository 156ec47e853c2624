// The input of a synthesized AWS::Scheduler::Schedule as the function would receive it: the
// template's Fn::Join with its references replaced by deploy-time values, and the Secrets Manager
// dynamic reference by the secret's value, as CloudFormation resolves them.
import type { Template } from 'aws-cdk-lib/assertions';

/** Deploy-time values: `Ref` by logical id, `Fn::GetAtt` by `<logical id>.<attribute>`. */
export type DeployValues = Readonly<Record<string, string>>;

/** The schedules of a template, by logical id. */
export function schedules(template: Template) {
  return template.findResources('AWS::Scheduler::Schedule');
}

/** A string property of a template: a literal, or the intrinsic functions CDK renders tokens as. */
type CfnString = string | { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, CfnString[]] };

/** The parts of the event a test reads; the rest compares as a whole. */
export interface ResolvedEvent {
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly headers: Record<string, string>;
  readonly [key: string]: unknown;
}

/** A string property with its references substituted. */
export function resolveString(value: unknown, values: DeployValues): string {
  if (typeof value === 'string') return value;
  const object = value as Exclude<CfnString, string>;
  if (object.Ref !== undefined) return lookup(object.Ref, values);
  if (object['Fn::GetAtt'] !== undefined) return lookup(object['Fn::GetAtt'].join('.'), values);
  if (object['Fn::Join'] !== undefined) {
    const [separator, parts] = object['Fn::Join'];
    return parts.map((part) => resolveString(part, values)).join(separator);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

/**
 * The schedule target's Input, parsed, with the references substituted and every
 * `{{resolve:secretsmanager:…}}` replaced by `secretValue`.
 */
export function resolvedInput(input: unknown, values: DeployValues, secretValue?: string): ResolvedEvent {
  const text = resolveString(input, values).replace(/\{\{resolve:secretsmanager:[^}]*\}\}/g, () => {
    if (secretValue === undefined)
      throw new Error('the input holds a dynamic reference, but no secret value was given');
    return secretValue;
  });
  return JSON.parse(text);
}

function lookup(key: string, values: DeployValues): string {
  const value = values[key];
  if (value === undefined) throw new Error(`no deploy-time value for ${key}`);
  return value;
}
