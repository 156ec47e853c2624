import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ROUTE_ENV } from './constructs-contract';
import { vercelGitEnvironment } from './git-environment';
import { vercelRegionCode } from './vercel-regions';

/** What a function's Vercel environment is made of (the construct props of the same names). */
export interface VercelEnvironmentSettings {
  readonly vercelEnv?: string;
  readonly deploymentUrl?: string;
  readonly productionUrl?: string;
  readonly deploymentId?: string;
  readonly route?: string;
}

/**
 * The environment `getEnv()` and the adapter read, as Vercel sets it for its own deployments:
 * `VERCEL=1`, `VERCEL_ENV` (default `production`), `VERCEL_REGION` (the Vercel code of the stack's
 * region, when the stack names one — otherwise the runtime derives it from `AWS_REGION`),
 * `VERCEL_URL`, `VERCEL_PROJECT_PRODUCTION_URL`, `VERCEL_DEPLOYMENT_ID`, the route
 * (`VERCEL_FUNCTIONS_AWS_ROUTE`) when given, and `VERCEL_GIT_*` from the CI environment at synth.
 * Used by `VercelFunction` and `VercelRuntimeBinding`, so both set the same variables.
 */
export function vercelSystemEnvironment(
  scope: IConstruct,
  settings: VercelEnvironmentSettings,
): Record<string, string> {
  const stackRegion = Stack.of(scope).region;
  const entries: Record<string, string | undefined> = {
    VERCEL: '1',
    VERCEL_ENV: settings.vercelEnv ?? 'production',
    VERCEL_REGION: Token.isUnresolved(stackRegion) ? undefined : vercelRegionCode(stackRegion),
    VERCEL_URL: settings.deploymentUrl,
    VERCEL_PROJECT_PRODUCTION_URL: settings.productionUrl,
    VERCEL_DEPLOYMENT_ID: settings.deploymentId,
    [ROUTE_ENV]: settings.route,
    ...vercelGitEnvironment(process.env),
  };
  return Object.fromEntries(
    Object.entries(entries).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
