import { OriginSecretUnavailableError } from '../errors';
import { logError, logWarning } from './log';
import { getSecretsManagerClient, loadSecretsManagerSdk } from './secrets-manager-client';

/*
 * The check behind `OriginProtection.secretHeader()`: CloudFront adds the secret to every origin
 * request as a custom header; a caller that bypasses CloudFront cannot know it.
 *
 * Rotation: CloudFront gets the value through a CloudFormation dynamic reference, resolved when the
 * stack deploys — so after a rotation CloudFront keeps sending the previous value until the next
 * deploy. The check therefore accepts the versions staged AWSCURRENT and AWSPREVIOUS: rotate, then
 * deploy, and no request is refused on the way. The values are cached per process and re-read every
 * few minutes (bounded), and sooner when a request presents a value that matches neither — at most
 * once per `minRefreshIntervalMs`, so callers guessing values cannot turn into a flood of
 * Secrets Manager calls.
 *
 * Failure: a process that has never read the secret fails closed (the adapter answers 503); one
 * that has keeps its last values while Secrets Manager is unreachable (they were valid; only a
 * revocation is delayed) and retries at most once per `minRefreshIntervalMs`.
 */

/** The secret's readable versions: AWSCURRENT first, then AWSPREVIOUS when it exists and differs. */
export type FetchOriginSecretValues = (secretId: string, requestId: string) => Promise<string[]>;

/** Options of an {@link OriginSecretVerifier}. */
export interface OriginSecretVerifierOptions {
  /** @default - GetSecretValue for AWSCURRENT and AWSPREVIOUS through the process-wide client */
  readonly fetchValues?: FetchOriginSecretValues;
  /** @default Date.now */
  readonly now?: () => number;
  /** How long values are used before they are read again. @default 300_000 (5 minutes) */
  readonly refreshIntervalMs?: number;
  /** The least time between two reads forced by a mismatch or a failure. @default 30_000 */
  readonly minRefreshIntervalMs?: number;
  /** How long a process that has no values answers 503 after a failed read before trying again. @default 5_000 */
  readonly failureBackoffMs?: number;
}

interface KnownSecret {
  readonly secretId: string;
  readonly digests: readonly Buffer[];
  /** When the values are read again regardless of requests. */
  refreshAt: number;
  /** When the last read started. */
  lastAttemptAt: number;
}

/**
 * Verifies the origin secret header, with the values cached as described above. One instance per
 * process serves every concurrent invocation; concurrent reads are shared.
 */
export class OriginSecretVerifier {
  private readonly fetchValues: FetchOriginSecretValues;
  private readonly now: () => number;
  private readonly refreshIntervalMs: number;
  private readonly minRefreshIntervalMs: number;
  private readonly failureBackoffMs: number;
  private known: KnownSecret | undefined;
  private reading: { secretId: string; promise: Promise<KnownSecret> } | undefined;
  private failure: { secretId: string; at: number; error: OriginSecretUnavailableError } | undefined;

  constructor(options: OriginSecretVerifierOptions = {}) {
    this.fetchValues = options.fetchValues ?? fetchOriginSecretValues;
    this.now = options.now ?? Date.now;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 300_000;
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 30_000;
    this.failureBackoffMs = options.failureBackoffMs ?? 5_000;
  }

  /**
   * Whether `presented` (the header's value, or `null` when absent) is a current or previous value of
   * the secret. Compared as SHA-256 digests with `timingSafeEqual`, so the time taken does not depend
   * on how much of a guess was right.
   *
   * @throws OriginSecretUnavailableError when the secret's values are not known and cannot be read
   */
  async verify(secretId: string, presented: string | null, requestId: string): Promise<boolean> {
    // Refused without reading the secret: nothing could match.
    if (presented === null || presented === '') return false;
    const digest = sha256(presented);
    let secret = await this.current(secretId, requestId);
    if (matches(secret.digests, digest)) return true;
    if (this.now() - secret.lastAttemptAt < this.minRefreshIntervalMs) return false;
    // Perhaps the secret was rotated and CloudFront redeployed since the last read.
    secret = await this.read(secretId, requestId);
    return matches(secret.digests, digest);
  }

  private async current(secretId: string, requestId: string): Promise<KnownSecret> {
    const known = this.known?.secretId === secretId ? this.known : undefined;
    if (known && this.now() < known.refreshAt) return known;
    return this.read(secretId, requestId);
  }

  // One read at a time per process; concurrent invocations wait for it.
  private read(secretId: string, requestId: string): Promise<KnownSecret> {
    if (this.reading?.secretId === secretId) return this.reading.promise;
    const promise = this.readOnce(secretId, requestId).finally(() => {
      if (this.reading?.promise === promise) this.reading = undefined;
    });
    this.reading = { secretId, promise };
    return promise;
  }

  private async readOnce(secretId: string, requestId: string): Promise<KnownSecret> {
    const startedAt = this.now();
    const known = this.known?.secretId === secretId ? this.known : undefined;
    const failure = this.failure?.secretId === secretId ? this.failure : undefined;
    if (!known && failure && startedAt - failure.at < this.failureBackoffMs) throw failure.error;
    try {
      const values = await this.fetchValues(secretId, requestId);
      const usable = values.filter((value) => value !== '');
      if (usable.length === 0) {
        throw new OriginSecretUnavailableError(
          `The origin secret ${secretId} is empty: CloudFront cannot send an empty header, so no request could pass`,
          secretId,
        );
      }
      this.known = {
        secretId,
        digests: usable.map(sha256),
        refreshAt: startedAt + this.refreshIntervalMs,
        lastAttemptAt: startedAt,
      };
      this.failure = undefined;
      return this.known;
    } catch (cause) {
      const error =
        cause instanceof OriginSecretUnavailableError
          ? cause
          : new OriginSecretUnavailableError(
              `Could not read the origin secret ${secretId} from Secrets Manager: ${describeError(cause)}`,
              secretId,
              { cause },
            );
      if (known) {
        logWarning(
          requestId,
          `${error.message}. Keeping the values read earlier and trying again in ${this.minRefreshIntervalMs} ms`,
        );
        known.lastAttemptAt = startedAt;
        known.refreshAt = startedAt + this.minRefreshIntervalMs;
        return known;
      }
      logError(
        requestId,
        `${error.message}. Failing closed: requests get 503 until the secret can be read (the function needs secretsmanager:GetSecretValue on it)`,
        cause,
      );
      this.failure = { secretId, at: startedAt, error };
      throw error;
    }
  }
}

/**
 * Reads the secret's AWSCURRENT and AWSPREVIOUS values with `GetSecretValue`. AWSPREVIOUS is
 * optional: it does not exist before the first rotation; other failures reading it are logged and
 * only that value is skipped.
 *
 * @throws OriginSecretUnavailableError when AWSCURRENT cannot be read or has no string value
 */
export async function fetchOriginSecretValues(secretId: string, requestId: string): Promise<string[]> {
  const [{ GetSecretValueCommand, ResourceNotFoundException }, client] = await Promise.all([
    loadSecretsManagerSdk(),
    getSecretsManagerClient(),
  ]);
  const [current, previous] = await Promise.allSettled([
    client.send(new GetSecretValueCommand({ SecretId: secretId })),
    client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSPREVIOUS' })),
  ]);
  if (current.status === 'rejected') {
    throw new OriginSecretUnavailableError(
      `Could not read the origin secret ${secretId} from Secrets Manager: ${describeError(current.reason)}`,
      secretId,
      { cause: current.reason },
    );
  }
  const value = current.value.SecretString;
  if (typeof value !== 'string') {
    throw new OriginSecretUnavailableError(
      `The origin secret ${secretId} has no SecretString: CloudFront sends the secret as a header, which needs a string value`,
      secretId,
    );
  }
  const values = [value];
  if (previous.status === 'fulfilled') {
    const old = previous.value.SecretString;
    if (typeof old === 'string' && old !== value) values.push(old);
  } else if (!(previous.reason instanceof ResourceNotFoundException)) {
    logWarning(
      requestId,
      `Could not read the AWSPREVIOUS version of the origin secret ${secretId} (${describeError(previous.reason)}); only AWSCURRENT is accepted for now`,
    );
  }
  return values;
}

let shared: OriginSecretVerifier | undefined;

/** The process-wide verifier. */
export function originSecretVerifier(): OriginSecretVerifier {
  shared ??= new OriginSecretVerifier();
  return shared;
}

/** Forgets the process-wide verifier and its cached values. For tests. */
export function resetOriginSecretVerifier(): void {
  shared = undefined;
}

// node:crypto is loaded on first use, not imported: it takes ~4–5 ms to load (measured on Node 24),
// which every cold start would pay, while only functions behind `secretHeader()` need it.
function sha256(value: string): Buffer {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(value, 'utf8').digest();
}

// Every digest is compared, whatever matched first: the time taken does not tell which value matched.
function matches(digests: readonly Buffer[], digest: Buffer): boolean {
  const { timingSafeEqual } = process.getBuiltinModule('node:crypto');
  let matched = false;
  for (const candidate of digests) matched = timingSafeEqual(candidate, digest) || matched;
  return matched;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
