import { createHash } from 'node:crypto';
import type { AssemblyStack, CfnResource } from './cloud-assembly';
import { CloudFrontEmulationError } from './errors';
import { type IntrinsicResolver, resolveIntrinsics, resolveString } from './intrinsics';

/** The local stand-ins for what only a deployment would know. */
export interface LocalBindings {
  /**
   * The region of `AWS::Region` and of every ARN.
   *
   * @default - the stack's region, else 'us-east-1'
   */
  readonly region?: string;
  /**
   * `AWS::AccountId`.
   *
   * @default '000000000000'
   */
  readonly accountId?: string;
  /**
   * The local name of each DynamoDB table, by logical id (the `Ref` of the table).
   *
   * @default - a `Ref` to a table fails
   */
  readonly tableNames?: Readonly<Record<string, string>>;
  /**
   * The value of each Secrets Manager secret, by logical id, for `{{resolve:secretsmanager:...}}`
   * references (the origin secret of `OriginProtection.secretHeader()`).
   *
   * @default - a reference to a secret fails
   */
  readonly secretValues?: Readonly<Record<string, string>>;
}

/**
 * Evaluates a stack's intrinsic functions with local values: deterministic ids and domains for the
 * distribution, Function URLs and key value stores (derived from logical ids, so they are stable for
 * a given template), table names and secret values from {@link LocalBindings}. Anything it has no
 * local meaning for fails with a message naming the resource and the value that needed it.
 */
export class StackResolver implements IntrinsicResolver {
  readonly region: string;
  readonly accountId: string;

  constructor(
    readonly stack: AssemblyStack,
    private readonly bindings: LocalBindings = {},
  ) {
    this.region = bindings.region ?? stack.region ?? 'us-east-1';
    this.accountId = bindings.accountId ?? '000000000000';
  }

  /** The resource with this logical id; throws naming `where` when there is none. */
  resource(logicalId: string, where: string): CfnResource {
    const resource = this.stack.template.Resources[logicalId];
    if (!resource)
      throw new CloudFrontEmulationError(`${where} refers to ${logicalId}, which is not in the template`);
    return resource;
  }

  /** The local id of a distribution: `E` + 13 characters, as CloudFront's ids look. */
  distributionId(logicalId: string): string {
    return `E${hashed(`${this.stack.stackName}/${logicalId}`, 13).toUpperCase()}`;
  }

  /** The local `*.cloudfront.net` domain of a distribution (never resolved; the emulation listens on a port). */
  distributionDomainName(logicalId: string): string {
    return `d${hashed(`domain/${this.stack.stackName}/${logicalId}`, 13)}.cloudfront.net`;
  }

  /** The URL of a Function URL (`AWS::Lambda::Url`): `https://<url-id>.lambda-url.<region>.on.aws/`. */
  functionUrl(urlLogicalId: string): string {
    return `https://${hashed(`url/${this.stack.stackName}/${urlLogicalId}`, 32)}.lambda-url.${this.region}.on.aws/`;
  }

  /** The id of a key value store (a UUID, as CloudFront's are). */
  keyValueStoreId(logicalId: string): string {
    const hex = createHash('sha256').update(`kvs/${this.stack.stackName}/${logicalId}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }

  /** {@link resolveIntrinsics}, then `{{resolve:secretsmanager:...}}` references in strings. */
  resolve(value: unknown, where: string): unknown {
    return this.dynamicReferences(resolveIntrinsics(value, this, where), where);
  }

  /** {@link resolve} for a value that must be a string. */
  resolveString(value: unknown, where: string): string {
    return this.dynamicReferences(resolveString(value, this, where), where) as string;
  }

  ref(logicalId: string, where: string): string {
    switch (logicalId) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.stack.stackName;
    }
    const resource = this.resource(logicalId, where);
    switch (resource.Type) {
      case 'AWS::Lambda::Function':
        return this.functionName(logicalId, resource, where);
      case 'AWS::Lambda::Version':
        return `${this.getAtt(logicalId, 'FunctionArn', where)}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return this.tableName(logicalId, where);
      case 'AWS::CloudFront::Distribution':
        return this.distributionId(logicalId);
      case 'AWS::CloudFront::KeyValueStore':
        return this.resolveString(resource.Properties?.Name ?? logicalId, `${logicalId}.Name`);
      case 'AWS::CloudFront::CachePolicy':
      case 'AWS::CloudFront::OriginRequestPolicy':
      case 'AWS::CloudFront::ResponseHeadersPolicy':
      case 'AWS::CloudFront::OriginAccessControl':
      case 'AWS::CloudFront::Function':
        // The model looks these up by logical id again.
        return logicalId;
      case 'AWS::S3::Bucket':
        return logicalId.toLowerCase();
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${logicalId}-local`;
      default:
        throw new CloudFrontEmulationError(
          `${where} needs the Ref of ${logicalId} (${resource.Type}), which has no local value in the emulation`,
        );
    }
  }

  getAtt(logicalId: string, attribute: string, where: string): string {
    const resource = this.resource(logicalId, where);
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::Lambda::Function.Arn':
        return `arn:aws:lambda:${this.region}:${this.accountId}:function:${this.functionName(logicalId, resource, where)}`;
      case 'AWS::Lambda::Version.FunctionArn':
      case 'AWS::Lambda::Version.Version': {
        const functionId = (resource.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref;
        if (!functionId) {
          throw new CloudFrontEmulationError(
            `${where}: the Lambda version ${logicalId} names no function of the template`,
          );
        }
        return attribute === 'Version' ? '1' : `${this.getAtt(functionId, 'Arn', where)}:1`;
      }
      case 'AWS::Lambda::Url.FunctionUrl':
        return this.functionUrl(logicalId);
      case 'AWS::DynamoDB::Table.Arn':
      case 'AWS::DynamoDB::GlobalTable.Arn':
        return `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${this.tableName(logicalId, where)}`;
      case 'AWS::CloudFront::Distribution.Id':
        return this.distributionId(logicalId);
      case 'AWS::CloudFront::Distribution.DomainName':
        return this.distributionDomainName(logicalId);
      case 'AWS::CloudFront::Function.FunctionARN':
      case 'AWS::CloudFront::Function.FunctionMetadata.FunctionARN':
        return `arn:aws:cloudfront::${this.accountId}:function/${logicalId}`;
      case 'AWS::CloudFront::KeyValueStore.Id':
        return this.keyValueStoreId(logicalId);
      case 'AWS::CloudFront::KeyValueStore.Arn':
        return `arn:aws:cloudfront::${this.accountId}:key-value-store/${this.keyValueStoreId(logicalId)}`;
      case 'AWS::CloudFront::CachePolicy.Id':
      case 'AWS::CloudFront::OriginRequestPolicy.Id':
      case 'AWS::CloudFront::ResponseHeadersPolicy.Id':
      case 'AWS::CloudFront::OriginAccessControl.Id':
        return logicalId;
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${logicalId.toLowerCase()}`;
      case 'AWS::S3::Bucket.DomainName':
      case 'AWS::S3::Bucket.RegionalDomainName':
        return `${logicalId.toLowerCase()}.s3.${this.region}.amazonaws.com`;
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${this.accountId}:role/${logicalId}`;
      default:
        throw new CloudFrontEmulationError(
          `${where} needs ${logicalId}.${attribute} (${resource.Type}), which has no local value in the emulation`,
        );
    }
  }

  /** The logical id of the secret an ARN produced by {@link ref} names, if it is one. */
  private secretOf(arn: string): string | undefined {
    const match = /^arn:aws:secretsmanager:[^:]+:[^:]+:secret:(.+)-local$/.exec(arn);
    return match?.[1];
  }

  private dynamicReferences(value: unknown, where: string): unknown {
    if (typeof value !== 'string') return value;
    return value.replace(
      /\{\{resolve:([a-z-]+):([^}]*)\}\}/g,
      (_match, service: string, reference: string) => {
        if (service !== 'secretsmanager') {
          throw new CloudFrontEmulationError(
            `${where} uses a {{resolve:${service}:...}} reference, which the emulation cannot resolve`,
          );
        }
        // {{resolve:secretsmanager:<arn>:SecretString:<json-key>:<version-stage>:<version-id>}}
        const marker = reference.indexOf(':SecretString');
        const arn = marker === -1 ? reference : reference.slice(0, marker);
        const jsonKey =
          marker === -1 ? '' : (reference.slice(marker + ':SecretString'.length + 1).split(':')[0] ?? '');
        const logicalId = this.secretOf(arn);
        const secret = logicalId === undefined ? undefined : this.bindings.secretValues?.[logicalId];
        if (secret === undefined) {
          throw new CloudFrontEmulationError(
            `${where} reads the secret ${logicalId ?? arn}: give its value in secretValues to emulate it`,
          );
        }
        if (jsonKey === '') return secret;
        const parsed = JSON.parse(secret) as Record<string, unknown>;
        return String(parsed[jsonKey]);
      },
    );
  }

  private functionName(logicalId: string, resource: CfnResource, where: string): string {
    const name = resource.Properties?.FunctionName;
    return name === undefined ? logicalId : this.resolveString(name, `${where} (${logicalId}.FunctionName)`);
  }

  private tableName(logicalId: string, where: string): string {
    const name = this.bindings.tableNames?.[logicalId];
    if (name === undefined) {
      throw new CloudFrontEmulationError(
        `${where} refers to the table ${logicalId}: create it locally and name it in tableNames`,
      );
    }
    return name;
  }
}

// A stable lower-case alphanumeric string of `length` characters derived from `text`.
function hashed(text: string, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...createHash('sha256').update(text).digest()]
    .slice(0, length)
    .map((byte) => alphabet[byte % alphabet.length])
    .join('');
}
