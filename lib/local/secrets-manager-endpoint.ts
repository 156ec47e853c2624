import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsApiError } from './aws-api-error';
import { type EndpointServer, startEndpointServer } from './endpoint-server';
import { parseSigV4Authorization, verifySigV4 } from './sigv4';

// A loopback endpoint speaking Secrets Manager's JSON protocol (awsJson1_1: POST /, X-Amz-Target
// `secretsmanager.<Operation>`, JSON bodies, errors as `{ "__type", "Message" }`) for GetSecretValue,
// so the real @aws-sdk/client-secrets-manager (via AWS_ENDPOINT_URL_SECRETS_MANAGER) runs unchanged
// against it. Secrets Manager has no local emulator.
//
// Rules it enforces (GetSecretValue API reference,
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html, and the
// common errors page):
// - SigV4 for service `secretsmanager`, signed with one of the endpoint's access keys →
//   UnrecognizedClientException / InvalidSignatureException (400) / MissingAuthenticationTokenException;
// - SecretId: 1–2048 characters, a name, a complete ARN or a partial ARN (no random suffix) →
//   InvalidParameterException, ResourceNotFoundException ("Secrets Manager can't find the specified
//   secret.");
// - VersionStage defaults to AWSCURRENT; an unknown stage or VersionId → ResourceNotFoundException;
//   VersionId and VersionStage naming different versions → InvalidRequestException;
// - a secret scheduled for deletion → InvalidRequestException.
// Rotation is modelled like PutSecretValue: the new version becomes AWSCURRENT and the old
// AWSCURRENT becomes AWSPREVIOUS.

const TARGET_PREFIX = 'secretsmanager.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_SECRET_ID_LENGTH = 2048;

/** Options of {@link SecretsManagerEndpoint.start}. */
export interface SecretsManagerEndpointOptions {
  /** @default '123456789012' */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * Access keys the endpoint accepts, by access key id → secret access key.
   *
   * @default { AKIDLOCALSECRETS: 'local-secret-access-key' } ({@link SecretsManagerEndpoint.DEFAULT_CREDENTIALS})
   */
  readonly accessKeys?: Readonly<Record<string, string>>;
  /** @default - a free port */
  readonly port?: number;
}

/** Error codes the fault switch can answer with. */
export type SecretsManagerFault = 'InternalServiceError' | 'ThrottlingException' | 'AccessDeniedException';

/** One request the endpoint answered. */
export interface SecretsManagerCall {
  /** The `X-Amz-Target` operation, e.g. `GetSecretValue`. */
  readonly operation: string;
  readonly secretId?: string;
  readonly versionStage?: string;
  readonly status: number;
  /** The error code, for failed calls. */
  readonly code?: string;
}

interface SecretVersion {
  readonly versionId: string;
  readonly value: string;
  readonly createdAt: Date;
  stages: string[];
}

interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  readonly versions: SecretVersion[];
  deleted: boolean;
}

/**
 * The running endpoint.
 *
 * @example
 * const secrets = await SecretsManagerEndpoint.start();
 * const arn = secrets.createSecret('origin-secret', 's3cret');
 * process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.url;
 * // ... code under test calls GetSecretValue with the endpoint's credentials ...
 * await secrets.close();
 */
export class SecretsManagerEndpoint {
  /** The access key every endpoint accepts unless `accessKeys` says otherwise. */
  static readonly DEFAULT_CREDENTIALS = {
    accessKeyId: 'AKIDLOCALSECRETS',
    secretAccessKey: 'local-secret-access-key',
  } as const;

  /** Every request answered, in arrival order. */
  readonly calls: SecretsManagerCall[] = [];
  private readonly secrets: StoredSecret[] = [];
  private readonly accountId: string;
  private readonly region: string;
  private readonly accessKeys: Readonly<Record<string, string>>;
  private fault?: { code: SecretsManagerFault; remaining: number };
  // Set by start(), before anyone can reach the endpoint.
  private server!: EndpointServer;

  private constructor(options: SecretsManagerEndpointOptions) {
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
    this.accessKeys = options.accessKeys ?? {
      [SecretsManagerEndpoint.DEFAULT_CREDENTIALS.accessKeyId]:
        SecretsManagerEndpoint.DEFAULT_CREDENTIALS.secretAccessKey,
    };
  }

  /** Starts the endpoint on 127.0.0.1. */
  static async start(options: SecretsManagerEndpointOptions = {}): Promise<SecretsManagerEndpoint> {
    const endpoint = new SecretsManagerEndpoint(options);
    endpoint.server = await startEndpointServer(
      (req, body, res) => endpoint.handle(req, body, res),
      options.port,
    );
    return endpoint;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`: the value for `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  get url(): string {
    return this.server.url;
  }

  /** Creates a secret with a string value (stage AWSCURRENT) and returns its complete ARN. */
  createSecret(name: string, value: string): string {
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
      throw new RangeError(`secret name must be 1–512 characters of A-Z a-z 0-9 / _ + = . @ -, got ${name}`);
    }
    if (this.secrets.some((secret) => secret.name === name && !secret.deleted)) {
      throw new RangeError(`a secret named ${name} already exists`);
    }
    // Secrets Manager appends a hyphen and six random characters to the name in the ARN.
    const suffix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
    const arn = `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${suffix}`;
    this.secrets.push({ name, arn, versions: [version(value, ['AWSCURRENT'])], deleted: false });
    return arn;
  }

  /** Stores a new value as AWSCURRENT; the old AWSCURRENT becomes AWSPREVIOUS (as a rotation does). */
  putSecretValue(secretId: string, value: string): void {
    const secret = this.find(secretId);
    if (!secret) throw new RangeError(`no secret ${secretId}`);
    for (const old of secret.versions) {
      old.stages = old.stages.filter((stage) => stage !== 'AWSPREVIOUS');
      if (old.stages.includes('AWSCURRENT')) {
        old.stages = [...old.stages.filter((stage) => stage !== 'AWSCURRENT'), 'AWSPREVIOUS'];
      }
    }
    secret.versions.push(version(value, ['AWSCURRENT']));
  }

  /** Schedules the secret for deletion: reads fail with InvalidRequestException. */
  scheduleDeletion(secretId: string): void {
    const secret = this.find(secretId);
    if (!secret) throw new RangeError(`no secret ${secretId}`);
    secret.deleted = true;
  }

  /** Makes the next `count` requests fail with `code`. */
  failNext(code: SecretsManagerFault, count = 1): void {
    this.fault = { code, remaining: count };
  }

  /** The GetSecretValue calls answered, optionally for one secret id as sent. */
  getSecretValueCalls(secretId?: string): SecretsManagerCall[] {
    return this.calls.filter(
      (call) => call.operation === 'GetSecretValue' && (secretId === undefined || call.secretId === secretId),
    );
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    await this.server.close();
  }

  private handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    let input: Record<string, unknown> = {};
    const call: { -readonly [K in keyof SecretsManagerCall]: SecretsManagerCall[K] } = {
      operation,
      status: 200,
    };
    try {
      this.authenticate(req, body);
      if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
        throw new AwsApiError(
          400,
          'UnknownOperationException',
          `Unknown operation ${JSON.stringify(target)}`,
        );
      }
      if (!String(req.headers['content-type'] ?? '').startsWith(JSON_CONTENT_TYPE)) {
        throw new AwsApiError(400, 'SerializationException', `Expected Content-Type ${JSON_CONTENT_TYPE}`);
      }
      input = parseJson(body);
      call.secretId = typeof input.SecretId === 'string' ? input.SecretId : undefined;
      call.versionStage = typeof input.VersionStage === 'string' ? input.VersionStage : undefined;
      if (this.fault && this.fault.remaining > 0) {
        this.fault.remaining -= 1;
        const { code } = this.fault;
        if (this.fault.remaining === 0) this.fault = undefined;
        throw faultError(code);
      }
      if (operation !== 'GetSecretValue') {
        throw new AwsApiError(
          400,
          'UnknownOperationException',
          `Operation ${operation} is not supported here`,
        );
      }
      const result = this.getSecretValue(input);
      this.calls.push(call);
      send(res, 200, result);
    } catch (error) {
      if (!(error instanceof AwsApiError)) throw error;
      call.status = error.status;
      call.code = error.code;
      this.calls.push(call);
      send(res, error.status, { __type: error.code, Message: error.message });
    }
  }

  private authenticate(req: IncomingMessage, body: Buffer): void {
    const authorization = parseSigV4Authorization(req.headers.authorization);
    if (!authorization) {
      throw new AwsApiError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const secretAccessKey = this.accessKeys[authorization.accessKeyId];
    if (secretAccessKey === undefined || authorization.service !== 'secretsmanager') {
      throw new AwsApiError(
        400,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }
    const signed = { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body };
    if (!verifySigV4(signed, authorization, secretAccessKey)) {
      throw new AwsApiError(
        400,
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
  }

  private getSecretValue(input: Record<string, unknown>): Record<string, unknown> {
    const { SecretId: secretId, VersionId: versionId, VersionStage: versionStage } = input;
    if (typeof secretId !== 'string' || secretId.length < 1 || secretId.length > MAX_SECRET_ID_LENGTH) {
      throw new AwsApiError(
        400,
        'InvalidParameterException',
        `SecretId must be a string of 1 to ${MAX_SECRET_ID_LENGTH} characters`,
      );
    }
    if (versionId !== undefined && typeof versionId !== 'string') {
      throw new AwsApiError(400, 'InvalidParameterException', 'VersionId must be a string');
    }
    if (versionStage !== undefined && typeof versionStage !== 'string') {
      throw new AwsApiError(400, 'InvalidParameterException', 'VersionStage must be a string');
    }
    const secret = this.find(secretId);
    if (!secret) {
      throw new AwsApiError(
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    if (secret.deleted) {
      throw new AwsApiError(
        400,
        'InvalidRequestException',
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    const byId = versionId === undefined ? undefined : secret.versions.find((v) => v.versionId === versionId);
    if (versionId !== undefined && !byId) {
      throw new AwsApiError(
        400,
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
      );
    }
    const stage = versionStage ?? (versionId === undefined ? 'AWSCURRENT' : undefined);
    const byStage = stage === undefined ? undefined : secret.versions.find((v) => v.stages.includes(stage));
    if (stage !== undefined && !byStage) {
      throw new AwsApiError(
        400,
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
      );
    }
    if (byId && byStage && byId !== byStage) {
      throw new AwsApiError(
        400,
        'InvalidRequestException',
        `The VersionId ${versionId} does not have the staging label ${stage}.`,
      );
    }
    const found = (byId ?? byStage)!;
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: found.versionId,
      SecretString: found.value,
      VersionStages: found.stages,
      // awsJson1_1 timestamps are epoch seconds.
      CreatedDate: found.createdAt.getTime() / 1000,
    };
  }

  // A name, a complete ARN, or a partial ARN (the ARN without `-` and the six random characters).
  private find(secretId: string): StoredSecret | undefined {
    const matching = this.secrets.filter(
      (secret) => secret.name === secretId || secret.arn === secretId || secret.arn.slice(0, -7) === secretId,
    );
    return matching.find((secret) => !secret.deleted) ?? matching[0];
  }
}

function version(value: string, stages: string[]): SecretVersion {
  return { versionId: randomUUID(), value, createdAt: new Date(), stages };
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // Answered below.
  }
  throw new AwsApiError(400, 'SerializationException', 'The request body is not a JSON object');
}

function faultError(code: SecretsManagerFault): AwsApiError {
  switch (code) {
    case 'InternalServiceError':
      return new AwsApiError(500, code, 'An error occurred on the server side.');
    case 'ThrottlingException':
      return new AwsApiError(400, code, 'Rate exceeded');
    case 'AccessDeniedException':
      return new AwsApiError(
        400,
        code,
        'User is not authorized to perform: secretsmanager:GetSecretValue because no identity-based policy allows the secretsmanager:GetSecretValue action',
      );
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}
