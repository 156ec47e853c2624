import { vercelGitEnvironment } from '../../lib/private/git-environment';

const noEventFile = () => {
  throw new Error('no event file');
};

describe('vercelGitEnvironment', () => {
  test('is empty when synthesizing outside CI', () => {
    expect(vercelGitEnvironment({ HOME: '/root', PATH: '/usr/bin' }, noEventFile)).toEqual({});
  });

  test('derives the values from GitHub Actions and its push event payload', () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_REPOSITORY_ID: '123',
      GITHUB_SHA: 'abc123',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_ACTOR: 'octocat',
      GITHUB_EVENT_PATH: '/event.json',
    };
    const payload = JSON.stringify({
      before: 'prev456',
      head_commit: { message: 'Fix cart', author: { name: 'Ada Lovelace', username: 'ada' } },
    });
    expect(vercelGitEnvironment(env, () => payload)).toEqual({
      VERCEL_GIT_PROVIDER: 'github',
      VERCEL_GIT_REPO_OWNER: 'acme',
      VERCEL_GIT_REPO_SLUG: 'shop',
      VERCEL_GIT_REPO_ID: '123',
      VERCEL_GIT_COMMIT_SHA: 'abc123',
      VERCEL_GIT_COMMIT_REF: 'main',
      VERCEL_GIT_COMMIT_MESSAGE: 'Fix cart',
      VERCEL_GIT_COMMIT_AUTHOR_NAME: 'Ada Lovelace',
      VERCEL_GIT_COMMIT_AUTHOR_LOGIN: 'ada',
      VERCEL_GIT_PREVIOUS_SHA: 'prev456',
    });
  });

  test('reports the pull request and its head commit when GitHub runs for a pull request', () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: 'merge789',
      GITHUB_REF: 'refs/pull/42/merge',
      GITHUB_HEAD_REF: 'feature/cart',
      GITHUB_REF_NAME: '42/merge',
      GITHUB_EVENT_PATH: '/event.json',
    };
    const payload = JSON.stringify({ pull_request: { number: 42, head: { sha: 'head111' } } });
    const result = vercelGitEnvironment(env, () => payload);
    expect(result.VERCEL_GIT_PULL_REQUEST_ID).toBe('42');
    expect(result.VERCEL_GIT_COMMIT_SHA).toBe('head111');
    expect(result.VERCEL_GIT_COMMIT_REF).toBe('feature/cart');
  });

  test('keeps the values it can derive when the GitHub event payload is unreadable', () => {
    const env = { GITHUB_ACTIONS: 'true', GITHUB_SHA: 'abc', GITHUB_EVENT_PATH: '/missing.json' };
    expect(vercelGitEnvironment(env, noEventFile)).toEqual({
      VERCEL_GIT_PROVIDER: 'github',
      VERCEL_GIT_COMMIT_SHA: 'abc',
    });
  });

  test('derives the values from GitLab CI, dropping an all-zero previous SHA', () => {
    const env = {
      GITLAB_CI: 'true',
      CI_PROJECT_NAMESPACE: 'acme',
      CI_PROJECT_NAME: 'shop',
      CI_PROJECT_ID: '77',
      CI_COMMIT_SHA: 'def',
      CI_COMMIT_REF_NAME: 'main',
      CI_COMMIT_MESSAGE: 'Release',
      CI_COMMIT_AUTHOR: 'Grace Hopper <grace@example.com>',
      GITLAB_USER_LOGIN: 'grace',
      CI_COMMIT_BEFORE_SHA: '0000000000000000000000000000000000000000',
    };
    expect(vercelGitEnvironment(env, noEventFile)).toEqual({
      VERCEL_GIT_PROVIDER: 'gitlab',
      VERCEL_GIT_REPO_OWNER: 'acme',
      VERCEL_GIT_REPO_SLUG: 'shop',
      VERCEL_GIT_REPO_ID: '77',
      VERCEL_GIT_COMMIT_SHA: 'def',
      VERCEL_GIT_COMMIT_REF: 'main',
      VERCEL_GIT_COMMIT_MESSAGE: 'Release',
      VERCEL_GIT_COMMIT_AUTHOR_NAME: 'Grace Hopper',
      VERCEL_GIT_COMMIT_AUTHOR_LOGIN: 'grace',
    });
  });

  test('derives the values from Bitbucket Pipelines', () => {
    const env = {
      BITBUCKET_COMMIT: 'fff',
      BITBUCKET_BRANCH: 'dev',
      BITBUCKET_WORKSPACE: 'acme',
      BITBUCKET_PR_ID: '9',
    };
    expect(vercelGitEnvironment(env, noEventFile)).toEqual({
      VERCEL_GIT_PROVIDER: 'bitbucket',
      VERCEL_GIT_REPO_OWNER: 'acme',
      VERCEL_GIT_COMMIT_SHA: 'fff',
      VERCEL_GIT_COMMIT_REF: 'dev',
      VERCEL_GIT_PULL_REQUEST_ID: '9',
    });
  });

  test('prefers VERCEL_GIT_* variables already set in the synth environment', () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_SHA: 'abc',
      VERCEL_GIT_COMMIT_SHA: 'pinned',
      VERCEL_GIT_COMMIT_REF: '',
    };
    const result = vercelGitEnvironment(env, noEventFile);
    expect(result.VERCEL_GIT_COMMIT_SHA).toBe('pinned');
    expect(result.VERCEL_GIT_COMMIT_REF).toBeUndefined();
  });

  test('cuts commit messages to 256 UTF-8 bytes on a character boundary, within Lambda environment limits', () => {
    const message = (value: string) =>
      vercelGitEnvironment({ VERCEL_GIT_COMMIT_MESSAGE: value }, noEventFile).VERCEL_GIT_COMMIT_MESSAGE!;
    expect(message('x'.repeat(5000))).toBe('x'.repeat(256));
    // An emoji (4 bytes, two UTF-16 units) that would cross the limit is left out whole.
    expect(message(`${'a'.repeat(254)}😀 rest`)).toBe('a'.repeat(254));
    expect(message(`${'a'.repeat(252)}😀 rest`)).toBe(`${'a'.repeat(252)}😀`);
    // Three bytes per character: 85 of them, not 256.
    expect(message('修'.repeat(2000))).toBe('修'.repeat(85));
    expect(message('Fix cart')).toBe('Fix cart');
  });
});
