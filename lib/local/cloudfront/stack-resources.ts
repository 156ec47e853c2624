import type { AssemblyStack } from './cloud-assembly';
import { assetForS3Key } from './cloud-assembly';
import { CloudFrontEmulationError } from './errors';
import type { StackResolver } from './stack-resolver';

// The other resources a local run of a stack needs: the Lambda functions (with their staged code),
// their Function URLs, and the DynamoDB tables, read from the synthesized template.

type Config = Readonly<Record<string, unknown>>;

/** A Lambda function of the template. */
export interface LambdaFunctionModel {
  readonly logicalId: string;
  /** The folder `cdk deploy` would zip and upload: the staged asset in the cloud assembly. */
  readonly codeDirectory: string;
  /** The handler string, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** Environment variables as the template has them (intrinsic functions not yet evaluated). */
  readonly environment: Readonly<Record<string, unknown>>;
}

/** A Lambda Function URL of the template. */
export interface FunctionUrlModel {
  readonly logicalId: string;
  /** The function it invokes. */
  readonly functionLogicalId: string;
  readonly authType: 'AWS_IAM' | 'NONE';
  readonly invokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
}

/** A DynamoDB table of the template (`AWS::DynamoDB::Table` or `GlobalTable`). */
export interface TableModel {
  readonly logicalId: string;
  readonly partitionKey: { readonly name: string; readonly type: 'S' | 'N' | 'B' };
  readonly sortKey?: { readonly name: string; readonly type: 'S' | 'N' | 'B' };
  readonly timeToLiveAttribute?: string;
}

/**
 * A Lambda function of the stack, with its staged code folder.
 *
 * @throws CloudFrontEmulationError when the function has no code in the cloud assembly (inline
 *   code, or a stack synthesized without bundling)
 */
export function readLambdaFunction(stack: AssemblyStack, logicalId: string): LambdaFunctionModel {
  const resource = stack.template.Resources[logicalId];
  if (resource?.Type !== 'AWS::Lambda::Function') {
    throw new CloudFrontEmulationError(
      `${logicalId} is not an AWS::Lambda::Function of stack ${stack.stackName}`,
    );
  }
  const properties = resource.Properties ?? {};
  const code = (properties.Code ?? {}) as Config;
  const key = code.S3Key;
  const codeDirectory = typeof key === 'string' ? assetForS3Key(stack, key) : undefined;
  if (codeDirectory === undefined) {
    throw new CloudFrontEmulationError(
      `${logicalId} has no code in the cloud assembly ${stack.outdir} (S3Key ${JSON.stringify(key)}): synthesize with asset bundling on`,
    );
  }
  const environment = ((properties.Environment as Config | undefined)?.Variables ?? {}) as Config;
  return {
    logicalId,
    codeDirectory,
    handler: String(properties.Handler ?? 'index.handler'),
    runtime: String(properties.Runtime ?? ''),
    timeoutSeconds: Number(properties.Timeout ?? 3),
    memorySize: Number(properties.MemorySize ?? 128),
    environment,
  };
}

/** A function's environment variables with their local values. */
export function resolveEnvironment(fn: LambdaFunctionModel, resolver: StackResolver): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fn.environment).map(([name, value]) => [
      name,
      resolver.resolveString(value, `${fn.logicalId}.Environment.Variables.${name}`),
    ]),
  );
}

/** Every Function URL of the stack. */
export function readFunctionUrls(stack: AssemblyStack): FunctionUrlModel[] {
  return Object.entries(stack.template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Url')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const target = properties.TargetFunctionArn as { 'Fn::GetAtt'?: unknown[]; Ref?: unknown } | undefined;
      const functionLogicalId = target?.['Fn::GetAtt']?.[0] ?? target?.Ref;
      if (typeof functionLogicalId !== 'string') {
        throw new CloudFrontEmulationError(
          `${logicalId}.TargetFunctionArn must point at a function of the template`,
        );
      }
      const authType = String(properties.AuthType);
      if (authType !== 'AWS_IAM' && authType !== 'NONE') {
        throw new CloudFrontEmulationError(`${logicalId} has an unknown AuthType '${authType}'`);
      }
      return {
        logicalId,
        functionLogicalId,
        authType,
        invokeMode: properties.InvokeMode === 'RESPONSE_STREAM' ? 'RESPONSE_STREAM' : 'BUFFERED',
      };
    });
}

/** Every DynamoDB table of the stack, with its key schema. */
export function readTables(stack: AssemblyStack): TableModel[] {
  return Object.entries(stack.template.Resources)
    .filter(
      ([, resource]) =>
        resource.Type === 'AWS::DynamoDB::Table' || resource.Type === 'AWS::DynamoDB::GlobalTable',
    )
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const definitions = (properties.AttributeDefinitions ?? []) as Config[];
      const typeOf = (name: string) => {
        const type = definitions.find((definition) => definition.AttributeName === name)?.AttributeType;
        if (type !== 'S' && type !== 'N' && type !== 'B') {
          throw new CloudFrontEmulationError(
            `${logicalId} defines no S, N or B type for its key attribute ${name}`,
          );
        }
        return type;
      };
      const schema = (properties.KeySchema ?? []) as Config[];
      const hash = schema.find((key) => key.KeyType === 'HASH');
      const range = schema.find((key) => key.KeyType === 'RANGE');
      if (!hash) throw new CloudFrontEmulationError(`${logicalId} has no HASH key`);
      const ttl = properties.TimeToLiveSpecification as Config | undefined;
      return {
        logicalId,
        partitionKey: { name: String(hash.AttributeName), type: typeOf(String(hash.AttributeName)) },
        sortKey: range
          ? { name: String(range.AttributeName), type: typeOf(String(range.AttributeName)) }
          : undefined,
        timeToLiveAttribute: ttl?.Enabled === true ? String(ttl.AttributeName) : undefined,
      };
    });
}
