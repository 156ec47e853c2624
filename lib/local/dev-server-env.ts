import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
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
 * `VERCEL_URL=<host:port>`, then the project's `.env` and `.env.local` (later files win).
 */
export function vercelDevEnvironment(dir: string, address: string): Record<string, string> {
  const variables: Record<string, string> = {
    VERCEL: '1',
    VERCEL_ENV: 'development',
    VERCEL_REGION: 'dev1',
    NOW_REGION: 'dev1',
    VERCEL_URL: address,
  };
  for (const file of ['.env', '.env.local']) {
    const path = join(dir, file);
    if (existsSync(path)) Object.assign(variables, parseEnv(readFileSync(path, 'utf8')));
  }
  return variables;
}

/**
 * What the functions' AWS SDK needs to reach the loopback CloudFront API: its endpoint, and — only
 * when no AWS credentials are configured at all — placeholder credentials, since the SDK signs every
 * request (the loopback endpoint checks the signature's form, not its key).
 */
export function localCloudFrontEnvironment(endpoint: string): Record<string, string> {
  const variables: Record<string, string> = { AWS_ENDPOINT_URL_CLOUDFRONT: endpoint };
  if (!hasAwsCredentials()) {
    variables.AWS_ACCESS_KEY_ID = 'local';
    variables.AWS_SECRET_ACCESS_KEY = 'local';
  }
  return variables;
}

function hasAwsCredentials(): boolean {
  const env = process.env;
  if (env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE) return true;
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return true;
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE,
    env.AWS_CONFIG_FILE,
    join(homedir(), '.aws', 'credentials'),
    join(homedir(), '.aws', 'config'),
  ];
  return files.some((file) => file !== undefined && existsSync(file));
}
