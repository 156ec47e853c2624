import { CloudFrontEmulationError } from './errors';

// Evaluates the CloudFormation intrinsic functions a synthesized template uses in the values the
// emulation reads (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html):
// Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::Sub. What a Ref or attribute stands for
// locally is the resolver's business (stack-resolver.ts).

/** What `Ref` and `Fn::GetAtt` evaluate to locally. */
export interface IntrinsicResolver {
  /** `{ Ref }` of a resource, or of a pseudo parameter such as `AWS::Region`. */
  ref(logicalId: string, where: string): string;
  /** `{ Fn::GetAtt: [logicalId, attribute] }`. */
  getAtt(logicalId: string, attribute: string, where: string): string;
}

/**
 * `value` with every intrinsic function evaluated, recursively.
 *
 * @param where what the value is, for error messages (e.g. `DistributionConfig.Origins[1].DomainName`)
 * @throws CloudFrontEmulationError for a function the emulation cannot evaluate (Fn::If,
 *   Fn::ImportValue, …) or a malformed one
 */
export function resolveIntrinsics(value: unknown, resolver: IntrinsicResolver, where: string): unknown {
  if (Array.isArray(value))
    return value.map((item, i) => resolveIntrinsics(item, resolver, `${where}[${i}]`));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
    return evaluate(entries[0][0], entries[0][1], resolver, where);
  }
  return Object.fromEntries(
    entries.map(([key, item]) => [key, resolveIntrinsics(item, resolver, `${where}.${key}`)]),
  );
}

/** {@link resolveIntrinsics} for a value that must be a string. */
export function resolveString(value: unknown, resolver: IntrinsicResolver, where: string): string {
  const resolved = resolveIntrinsics(value, resolver, where);
  if (typeof resolved !== 'string' && typeof resolved !== 'number') {
    throw new CloudFrontEmulationError(`${where} must be a string, got ${JSON.stringify(resolved)}`);
  }
  return String(resolved);
}

function evaluate(name: string, argument: unknown, resolver: IntrinsicResolver, where: string): unknown {
  switch (name) {
    case 'Ref':
      if (typeof argument !== 'string') throw malformed(name, argument, where);
      return resolver.ref(argument, where);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] =
        typeof argument === 'string' ? splitOnce(argument, '.') : (argument as unknown[]);
      if (typeof logicalId !== 'string' || typeof attribute !== 'string')
        throw malformed(name, argument, where);
      return resolver.getAtt(logicalId, attribute, where);
    }
    case 'Fn::Join': {
      const [separator, list] = argument as [unknown, unknown];
      const items = resolveIntrinsics(list, resolver, where);
      if (typeof separator !== 'string' || !Array.isArray(items)) throw malformed(name, argument, where);
      return items.map((item) => String(item)).join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = argument as [unknown, unknown];
      const items = resolveIntrinsics(list, resolver, where);
      const at = Number(resolveIntrinsics(index, resolver, where));
      if (!Array.isArray(items) || !Number.isInteger(at) || at < 0 || at >= items.length) {
        throw malformed(name, argument, where);
      }
      return items[at];
    }
    case 'Fn::Split': {
      const [separator, text] = argument as [unknown, unknown];
      const source = resolveIntrinsics(text, resolver, where);
      if (typeof separator !== 'string' || typeof source !== 'string') throw malformed(name, argument, where);
      return source.split(separator);
    }
    case 'Fn::Sub': {
      const [template, variables] =
        typeof argument === 'string' ? [argument, {}] : (argument as [unknown, unknown]);
      if (typeof template !== 'string') throw malformed(name, argument, where);
      const values = resolveIntrinsics(variables ?? {}, resolver, where) as Record<string, unknown>;
      return template.replace(/\$\{(!?)([^}]*)\}/g, (_match, literal: string, expression: string) => {
        if (literal) return `\${${expression}}`;
        if (expression in values) return String(values[expression]);
        const [logicalId, attribute] = splitOnce(expression, '.');
        return attribute === undefined || logicalId.startsWith('AWS::')
          ? resolver.ref(expression, where)
          : resolver.getAtt(logicalId, attribute, where);
      });
    }
    default:
      throw new CloudFrontEmulationError(
        `${where} uses ${name}, which the local emulation cannot evaluate (supported: Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub)`,
      );
  }
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function malformed(name: string, argument: unknown, where: string): CloudFrontEmulationError {
  return new CloudFrontEmulationError(`${where} has a malformed ${name}: ${JSON.stringify(argument)}`);
}
