import { readFileSync } from 'node:fs';
import { LAMBDA_ENVIRONMENT_BYTES } from './lambda-limits';

/** Environment variables as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The `VERCEL_GIT_*` variables `getEnv()` exposes (upstream-behaviour.md §2.4). */
export const VERCEL_GIT_VARIABLES = [
  'VERCEL_GIT_PROVIDER',
  'VERCEL_GIT_REPO_SLUG',
  'VERCEL_GIT_REPO_OWNER',
  'VERCEL_GIT_REPO_ID',
  'VERCEL_GIT_COMMIT_REF',
  'VERCEL_GIT_COMMIT_SHA',
  'VERCEL_GIT_COMMIT_MESSAGE',
  'VERCEL_GIT_COMMIT_AUTHOR_LOGIN',
  'VERCEL_GIT_COMMIT_AUTHOR_NAME',
  'VERCEL_GIT_PREVIOUS_SHA',
  'VERCEL_GIT_PULL_REQUEST_ID',
] as const;

type GitVariable = (typeof VERCEL_GIT_VARIABLES)[number];
type GitEnvironment = Partial<Record<GitVariable, string>>;

// Lambda allows 4 KB of environment variables per function (LAMBDA_ENVIRONMENT_BYTES), keys and
// values together; a commit message is the one value that can be arbitrarily long, so it is cut to
// a sixteenth of that, in UTF-8 bytes as Lambda counts them (on Vercel it is complete).
const MAX_COMMIT_MESSAGE_BYTES = LAMBDA_ENVIRONMENT_BYTES / 16;

/**
 * The `VERCEL_GIT_*` values for a deployment made from CI, as Vercel sets them for its own builds:
 * variables already named `VERCEL_GIT_*` in the synth environment win; otherwise they are derived
 * from GitHub Actions (including its event payload), GitLab CI or Bitbucket Pipelines. Empty when
 * synthesizing outside CI. Values that cannot be known are left out rather than guessed.
 *
 * @param env the synth process's environment
 * @param readEventFile reads GitHub's `GITHUB_EVENT_PATH` payload (injectable for tests)
 */
export function vercelGitEnvironment(
  env: Environment,
  readEventFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Record<string, string> {
  const derived =
    env.GITHUB_ACTIONS === 'true'
      ? fromGitHubActions(env, readEventFile)
      : env.GITLAB_CI === 'true'
        ? fromGitLab(env)
        : env.BITBUCKET_COMMIT
          ? fromBitbucket(env)
          : {};
  const result: Record<string, string> = {};
  for (const name of VERCEL_GIT_VARIABLES) {
    const value = nonEmpty(env[name]) ?? derived[name];
    if (value !== undefined) result[name] = value;
  }
  if (result.VERCEL_GIT_COMMIT_MESSAGE) {
    result.VERCEL_GIT_COMMIT_MESSAGE = utf8Prefix(result.VERCEL_GIT_COMMIT_MESSAGE, MAX_COMMIT_MESSAGE_BYTES);
  }
  return result;
}

// The longest prefix of whole code points (a surrogate pair is never split) within `maxBytes` of UTF-8.
function utf8Prefix(value: string, maxBytes: number): string {
  if (Buffer.byteLength(value) <= maxBytes) return value;
  let bytes = 0;
  let end = 0;
  for (const char of value) {
    const charBytes = Buffer.byteLength(char);
    if (bytes + charBytes > maxBytes) break;
    bytes += charBytes;
    end += char.length;
  }
  return value.slice(0, end);
}

interface GitHubEvent {
  before?: string;
  head_commit?: { message?: string; author?: { name?: string; username?: string } };
  pull_request?: { number?: number; head?: { sha?: string; ref?: string } };
}

function fromGitHubActions(env: Environment, readEventFile: (path: string) => string): GitEnvironment {
  const event = readGitHubEvent(env.GITHUB_EVENT_PATH, readEventFile);
  const [owner, slug] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const pullRequest =
    env.GITHUB_REF?.match(/^refs\/pull\/(\d+)\//)?.[1] ?? event.pull_request?.number?.toString();
  return {
    VERCEL_GIT_PROVIDER: 'github',
    VERCEL_GIT_REPO_OWNER: nonEmpty(owner),
    VERCEL_GIT_REPO_SLUG: nonEmpty(slug),
    VERCEL_GIT_REPO_ID: nonEmpty(env.GITHUB_REPOSITORY_ID),
    // For pull requests GITHUB_SHA is a synthetic merge commit; Vercel reports the branch head.
    VERCEL_GIT_COMMIT_SHA: nonEmpty(event.pull_request?.head?.sha) ?? nonEmpty(env.GITHUB_SHA),
    VERCEL_GIT_COMMIT_REF: nonEmpty(env.GITHUB_HEAD_REF) ?? nonEmpty(env.GITHUB_REF_NAME),
    VERCEL_GIT_COMMIT_MESSAGE: nonEmpty(event.head_commit?.message),
    VERCEL_GIT_COMMIT_AUTHOR_NAME: nonEmpty(event.head_commit?.author?.name),
    VERCEL_GIT_COMMIT_AUTHOR_LOGIN:
      nonEmpty(event.head_commit?.author?.username) ?? nonEmpty(env.GITHUB_ACTOR),
    VERCEL_GIT_PREVIOUS_SHA: realCommit(event.before),
    VERCEL_GIT_PULL_REQUEST_ID: pullRequest,
  };
}

function readGitHubEvent(path: string | undefined, readEventFile: (path: string) => string): GitHubEvent {
  if (!path) return {};
  try {
    const parsed: unknown = JSON.parse(readEventFile(path));
    return typeof parsed === 'object' && parsed !== null ? (parsed as GitHubEvent) : {};
  } catch {
    // A missing or unreadable payload only costs the values that come from it.
    return {};
  }
}

function fromGitLab(env: Environment): GitEnvironment {
  return {
    VERCEL_GIT_PROVIDER: 'gitlab',
    VERCEL_GIT_REPO_OWNER: nonEmpty(env.CI_PROJECT_NAMESPACE),
    VERCEL_GIT_REPO_SLUG: nonEmpty(env.CI_PROJECT_NAME),
    VERCEL_GIT_REPO_ID: nonEmpty(env.CI_PROJECT_ID),
    VERCEL_GIT_COMMIT_SHA: nonEmpty(env.CI_COMMIT_SHA),
    VERCEL_GIT_COMMIT_REF:
      nonEmpty(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME) ?? nonEmpty(env.CI_COMMIT_REF_NAME),
    VERCEL_GIT_COMMIT_MESSAGE: nonEmpty(env.CI_COMMIT_MESSAGE),
    // CI_COMMIT_AUTHOR is "Name <email>".
    VERCEL_GIT_COMMIT_AUTHOR_NAME: nonEmpty(env.CI_COMMIT_AUTHOR?.replace(/\s*<[^>]*>\s*$/, '')),
    VERCEL_GIT_COMMIT_AUTHOR_LOGIN: nonEmpty(env.GITLAB_USER_LOGIN),
    VERCEL_GIT_PREVIOUS_SHA: realCommit(env.CI_COMMIT_BEFORE_SHA),
    VERCEL_GIT_PULL_REQUEST_ID: nonEmpty(env.CI_MERGE_REQUEST_IID),
  };
}

function fromBitbucket(env: Environment): GitEnvironment {
  return {
    VERCEL_GIT_PROVIDER: 'bitbucket',
    VERCEL_GIT_REPO_OWNER: nonEmpty(env.BITBUCKET_REPO_OWNER) ?? nonEmpty(env.BITBUCKET_WORKSPACE),
    VERCEL_GIT_REPO_SLUG: nonEmpty(env.BITBUCKET_REPO_SLUG),
    VERCEL_GIT_REPO_ID: nonEmpty(env.BITBUCKET_REPO_UUID),
    VERCEL_GIT_COMMIT_SHA: nonEmpty(env.BITBUCKET_COMMIT),
    VERCEL_GIT_COMMIT_REF: nonEmpty(env.BITBUCKET_BRANCH),
    VERCEL_GIT_PULL_REQUEST_ID: nonEmpty(env.BITBUCKET_PR_ID),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

// "Before" SHAs are all zeros for a branch's first push: there is no previous commit.
function realCommit(sha: string | undefined): string | undefined {
  return sha && !/^0+$/.test(sha) ? sha : undefined;
}
