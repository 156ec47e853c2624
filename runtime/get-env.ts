/**
 * Vercel's system environment variables, as `getEnv()` returns them. On AWS the `VercelProject`
 * construct sets the ones that have a meaning there (`VERCEL`, `VERCEL_ENV`, `VERCEL_REGION`, ...);
 * the rest stay `undefined` unless you set them yourself.
 */
export interface VercelSystemEnv {
  /** `"1"` when system environment variables are exposed to the deployment. */
  VERCEL: string | undefined;
  /** `"1"` when running in continuous integration. */
  CI: string | undefined;
  /** The environment: `production`, `preview` or `development`. */
  VERCEL_ENV: string | undefined;
  /** The deployment's host name, without `https://`. */
  VERCEL_URL: string | undefined;
  /** The host name of the Git branch deployment, without `https://`. */
  VERCEL_BRANCH_URL: string | undefined;
  /** The project's production host name, without `https://` — for links such as OG images. */
  VERCEL_PROJECT_PRODUCTION_URL: string | undefined;
  /**
   * The region code the function runs in, e.g. `iad1` (AWS us-east-1), `fra1` (eu-central-1);
   * `dev1` locally. AWS regions with no Vercel code report the AWS region name.
   */
  VERCEL_REGION: string | undefined;
  /** The deployment id, usable for skew protection. */
  VERCEL_DEPLOYMENT_ID: string | undefined;
  /** `"1"` when skew protection is enabled. */
  VERCEL_SKEW_PROTECTION_ENABLED: string | undefined;
  /** The protection-bypass secret for automation, when one was generated. */
  VERCEL_AUTOMATION_BYPASS_SECRET: string | undefined;
  /** The Git provider the deployment came from, e.g. `github`. */
  VERCEL_GIT_PROVIDER: string | undefined;
  /** The repository name, e.g. `my-site`. */
  VERCEL_GIT_REPO_SLUG: string | undefined;
  /** The repository owner, e.g. `acme`. */
  VERCEL_GIT_REPO_OWNER: string | undefined;
  /** The repository id. */
  VERCEL_GIT_REPO_ID: string | undefined;
  /** The branch of the deployed commit. */
  VERCEL_GIT_COMMIT_REF: string | undefined;
  /** The SHA of the deployed commit. */
  VERCEL_GIT_COMMIT_SHA: string | undefined;
  /** The message of the deployed commit. */
  VERCEL_GIT_COMMIT_MESSAGE: string | undefined;
  /** The login of the deployed commit's author. */
  VERCEL_GIT_COMMIT_AUTHOR_LOGIN: string | undefined;
  /** The name of the deployed commit's author. */
  VERCEL_GIT_COMMIT_AUTHOR_NAME: string | undefined;
  /** The SHA of the last successful deployment of the branch (only with an ignored build step). */
  VERCEL_GIT_PREVIOUS_SHA: string | undefined;
  /** The pull request id the deployment belongs to. */
  VERCEL_GIT_PULL_REQUEST_ID: string | undefined;
}

// Vercel sets some of these to '' when they do not apply (e.g. VERCEL_GIT_PULL_REQUEST_ID before a
// pull request exists); upstream reports that as undefined.
function get(env: { [key: string]: string | undefined }, key: keyof VercelSystemEnv): string | undefined {
  const value = env[key];
  return value === '' ? undefined : value;
}

/**
 * Returns Vercel's system environment variables: a fresh object with exactly the 21 keys of
 * {@link VercelSystemEnv}, in upstream's order; missing or empty values are `undefined`.
 *
 * @param env Where to read from. @default process.env
 * @example
 * ```ts
 * import { getEnv } from '@vercel/functions';
 *
 * export default {
 *   fetch() {
 *     const { VERCEL_REGION } = getEnv();
 *     return new Response(`Hello from ${VERCEL_REGION}`);
 *   },
 * };
 * ```
 */
export const getEnv = (env: { [key: string]: string | undefined } = process.env): VercelSystemEnv => ({
  VERCEL: get(env, 'VERCEL'),
  CI: get(env, 'CI'),
  VERCEL_ENV: get(env, 'VERCEL_ENV'),
  VERCEL_URL: get(env, 'VERCEL_URL'),
  VERCEL_BRANCH_URL: get(env, 'VERCEL_BRANCH_URL'),
  VERCEL_PROJECT_PRODUCTION_URL: get(env, 'VERCEL_PROJECT_PRODUCTION_URL'),
  VERCEL_REGION: get(env, 'VERCEL_REGION'),
  VERCEL_DEPLOYMENT_ID: get(env, 'VERCEL_DEPLOYMENT_ID'),
  VERCEL_SKEW_PROTECTION_ENABLED: get(env, 'VERCEL_SKEW_PROTECTION_ENABLED'),
  VERCEL_AUTOMATION_BYPASS_SECRET: get(env, 'VERCEL_AUTOMATION_BYPASS_SECRET'),
  VERCEL_GIT_PROVIDER: get(env, 'VERCEL_GIT_PROVIDER'),
  VERCEL_GIT_REPO_SLUG: get(env, 'VERCEL_GIT_REPO_SLUG'),
  VERCEL_GIT_REPO_OWNER: get(env, 'VERCEL_GIT_REPO_OWNER'),
  VERCEL_GIT_REPO_ID: get(env, 'VERCEL_GIT_REPO_ID'),
  VERCEL_GIT_COMMIT_REF: get(env, 'VERCEL_GIT_COMMIT_REF'),
  VERCEL_GIT_COMMIT_SHA: get(env, 'VERCEL_GIT_COMMIT_SHA'),
  VERCEL_GIT_COMMIT_MESSAGE: get(env, 'VERCEL_GIT_COMMIT_MESSAGE'),
  VERCEL_GIT_COMMIT_AUTHOR_LOGIN: get(env, 'VERCEL_GIT_COMMIT_AUTHOR_LOGIN'),
  VERCEL_GIT_COMMIT_AUTHOR_NAME: get(env, 'VERCEL_GIT_COMMIT_AUTHOR_NAME'),
  VERCEL_GIT_PREVIOUS_SHA: get(env, 'VERCEL_GIT_PREVIOUS_SHA'),
  VERCEL_GIT_PULL_REQUEST_ID: get(env, 'VERCEL_GIT_PULL_REQUEST_ID'),
});
