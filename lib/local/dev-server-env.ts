import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Environment variables the dev server sets in its own process (the functions run in it), and
 * removes again when it closes. A variable already set by someone else — the shell, or another dev
 * server in the same process — is never overwritten.
 */
export class ProcessEnv {
  private readonly applied = new Map<string, string>();

  /** Sets `variables`, and removes the ones this instance set before that are no longer in it. */
  apply(variables: Readonly<Record<string, string>>): void {
    for (const [key, value] of this.applied) {
      if (process.env[key] === value && !(key in variables)) {
        delete process.env[key];
        this.applied.delete(key);
      }
    }
    for (const [key, value] of Object.entries(variables)) {
      const ours = this.applied.get(key);
      if (process.env[key] !== undefined && process.env[key] !== ours) continue;
      process.env[key] = value;
      this.applied.set(key, value);
    }
  }

  /** Removes every variable this instance set (unless someone changed it since). */
  restore(): void {
    for (const [key, value] of this.applied) if (process.env[key] === value) delete process.env[key];
    this.applied.clear();
  }
}

/**
 * The function environment `vercel dev` sets (vercel/vercel packages/cli/src/util/dev/server.ts):
 * `VERCEL=1`, `VERCEL_ENV=development`, `VERCEL_REGION=dev1` (and the legacy `NOW_REGION=dev1`),
 * `VERCEL_URL=<host:port>`, then the project's `.env` and `.env.local` (later files win) — except
 * `VERCEL_REGION` and `VERCEL_URL`, which stay the local ones when a file names them, as
 * `vercel dev` replaces them (`injectSystemValuesInDotenv`).
 */
export function vercelDevEnvironment(dir: string, address: string): Record<string, string> {
  const local = { VERCEL_REGION: 'dev1', NOW_REGION: 'dev1', VERCEL_URL: address };
  const variables: Record<string, string> = { VERCEL: '1', VERCEL_ENV: 'development' };
  for (const file of ['.env', '.env.local']) {
    const path = join(dir, file);
    if (existsSync(path)) Object.assign(variables, parseEnv(readFileSync(path, 'utf8')));
  }
  return Object.assign(variables, local);
}

/**
 * What the functions' AWS SDK needs to reach the loopback CloudFront API: its endpoint, the SDK's
 * standard `AWS_ENDPOINT_URL_CLOUDFRONT`. No credentials: the functions run in this process, so
 * placeholder keys in `AWS_ACCESS_KEY_ID` would reach every client — STS too, which would refuse
 * them (`InvalidClientTokenId`) instead of awsCredentialsProvider saying no credentials exist. The
 * runtime's CloudFront client signs a loopback endpoint with placeholder keys itself when none are
 * configured (runtime/cdn/loopback-credentials.ts).
 */
export function localCloudFrontEnvironment(endpoint: string): Record<string, string> {
  return { AWS_ENDPOINT_URL_CLOUDFRONT: endpoint };
}
