import { Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ConfigurationError } from '../errors';

// Lambda refuses a function whose environment has a key that does not match the API's pattern
// `[a-zA-Z]([a-zA-Z0-9_])+` (Lambda API reference, `Environment.Variables`: a letter, then at least
// one more letter, digit or underscore; "Keys start with a letter and are at least two characters"
// in the developer guide), failing the deployment with "Map keys must satisfy constraint". Names
// from a Vercel project (`vercel env pull`, .env files) often break it: `NEXT_PUBLIC-FOO`, `1PASSWORD_TOKEN`.
const KEY_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]+$/;
const KEY_RULE = 'a letter, then at least one letter, digit or underscore: [a-zA-Z][a-zA-Z0-9_]+';

// "Reserved environment variables" of the Lambda developer guide (configuration-envvars.html,
// "Defined runtime environment variables"): the runtime sets them and Lambda refuses them in the
// function's configuration. `lambda.Function.addEnvironment` (aws-cdk-lib 2.276) throws for these
// same names when given them as literals; checked again here for the prop that carried them (the
// error names it rather than one of the project's functions) and for keys that were tokens when added.
const RESERVED = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

interface InvalidNames {
  readonly malformed: readonly string[];
  readonly reserved: readonly string[];
}

function findInvalid(names: Iterable<string>): InvalidNames {
  const malformed: string[] = [];
  const reserved: string[] = [];
  for (const name of names) {
    // A key that is still a token is checked at synth, once `Stack.resolve` has made it text.
    if (Token.isUnresolved(name)) continue;
    // Reserved first: `_HANDLER` breaks the pattern too, but "reserved" says why it cannot be set.
    if (RESERVED.has(name)) reserved.push(name);
    else if (!KEY_PATTERN.test(name)) malformed.push(name);
  }
  return { malformed, reserved };
}

/**
 * The environment variable names in `names` Lambda would refuse, and why, as one sentence; undefined
 * when it would take them all. Unresolved tokens are skipped.
 *
 * @example
 * invalidEnvironmentNames(['NEXT_PUBLIC-FOO', 'AWS_REGION', 'OK']);
 * // '"NEXT_PUBLIC-FOO" does not match Lambda's key pattern (…); "AWS_REGION" is reserved: the Lambda runtime sets it'
 */
export function invalidEnvironmentNames(names: Iterable<string>): string | undefined {
  return describe(findInvalid(names));
}

function describe({ malformed, reserved }: InvalidNames): string | undefined {
  const clauses: string[] = [];
  if (malformed.length > 0) {
    const verb = malformed.length === 1 ? 'does' : 'do';
    clauses.push(`${list(malformed)} ${verb} not match Lambda's key pattern (${KEY_RULE})`);
  }
  if (reserved.length > 0) {
    const [verb, pronoun] = reserved.length === 1 ? ['is', 'it'] : ['are', 'them'];
    clauses.push(`${list(reserved)} ${verb} reserved: the Lambda runtime sets ${pronoun}`);
  }
  return clauses.length === 0 ? undefined : clauses.join('; ');
}

/**
 * Throws a ConfigurationError naming `scope`, `subject` (the prop or environment that holds the
 * names) and every name Lambda would refuse in `names`; does nothing when it would take them all.
 */
export function rejectInvalidEnvironmentNames(
  scope: IConstruct | string,
  subject: string,
  names: Iterable<string>,
): void {
  const invalid = findInvalid(names);
  const problems = describe(invalid);
  if (problems === undefined) return;
  const them = invalid.malformed.length + invalid.reserved.length === 1 ? 'it' : 'them';
  throw new ConfigurationError(
    scope,
    `${subject} has names Lambda rejects, so the deployment would fail: ${problems}. Rename or remove ${them}`,
  );
}

function list(names: readonly string[]): string {
  const quoted = names.map((name) => JSON.stringify(name));
  return quoted.length <= 2 ? quoted.join(' and ') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}
