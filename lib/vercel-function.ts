import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, Aws, CfnRule, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { adapterDefines, projectAliasArgs } from './bundling';
import { ConfigurationError } from './errors';
import { OriginProtection } from './origin-protection';
import {
  CACHE_TABLE_ENV,
  ORIGIN_SECRET_ARN_ENV,
  ROUTE_ENV,
  TAG_TABLE_ENV,
} from './private/constructs-contract';
import { rejectInvalidEnvironmentNames } from './private/environment-names';
import { validateEnvironmentSize } from './private/environment-size';
import { restrictLoggingToOwnLogGroup } from './private/function-logging';
import { writeGeneratedEntry } from './private/generated-entry';
import { LAMBDA_MEMORY_MB, LAMBDA_TIMEOUT_SECONDS } from './private/lambda-limits';
import { findLockFile, projectDirOf } from './private/project-layout';
import { vercelSystemEnvironment } from './private/vercel-environment';
import { awsRegionOf, vercelRegionCode } from './private/vercel-regions';
import type { RuntimeCacheTable } from './runtime-cache-table';
import type { TagTable } from './tag-table';

/** Vercel's deployment environments (`VERCEL_ENV`). */
export type VercelEnvironment = 'production' | 'preview' | 'development';

/**
 * Properties of a {@link VercelFunction}. Builds on `NodejsFunctionProps`; `timeout` and
 * `memorySize` are named as Vercel users know them (`maxDuration`, `memory`), and `handler`/`code`
 * are set by the construct.
 */
export interface VercelFunctionProps
  extends Omit<nodejs.NodejsFunctionProps, 'entry' | 'handler' | 'code' | 'timeout' | 'memorySize'> {
  /** The Vercel-style function module, e.g. `api/hello.ts` (`export default { fetch }` or `GET`/`POST` exports). */
  readonly entry: string;

  /**
   * The Vercel project folder (the one holding `api/`). A real `@vercel/functions` installed in its
   * `node_modules` is bundled as is; otherwise imports of it resolve to this package's runtime.
   *
   * @default - the folder above the `api/` directory the entry is in, else the entry's folder
   */
  readonly projectDir?: string;

  /**
   * Maximum duration of one invocation, in seconds (Vercel's `maxDuration`) → Lambda timeout.
   *
   * @default 300
   */
  readonly maxDuration?: number;

  /**
   * Memory in MB (Vercel's `memory`) → Lambda memory size; CPU scales with it.
   *
   * @default 2048
   */
  readonly memory?: number;

  /**
   * Vercel regions (`fra1`) or AWS regions (`eu-central-1`) the function may run in. A function runs
   * in its stack's region, so that region must be in the list; in a region-agnostic stack a
   * CloudFormation rule rejects the deployment elsewhere.
   *
   * @default - any region
   */
  readonly regions?: string[];

  /**
   * Protection of the function's URL; must match the `Cdn` serving it.
   *
   * @default OriginProtection.oacWithBodySigning()
   */
  readonly originProtection?: OriginProtection;

  /**
   * `VERCEL_ENV`.
   *
   * @default 'production'
   */
  readonly vercelEnv?: VercelEnvironment;

  /**
   * `VERCEL_URL`: the deployment's domain, without scheme.
   *
   * @default - not set (the public host of each request is in `x-forwarded-host`)
   */
  readonly deploymentUrl?: string;

  /**
   * `VERCEL_PROJECT_PRODUCTION_URL`: the production domain, without scheme.
   *
   * @default - not set
   */
  readonly productionUrl?: string;

  /**
   * `VERCEL_DEPLOYMENT_ID`.
   *
   * @default - not set
   */
  readonly deploymentId?: string;

  /**
   * The Vercel-style route the function serves, e.g. `/api/users/[id]`, passed to the adapter.
   *
   * @default - not set
   */
  readonly route?: string;

  /**
   * Whether the function applies the response headers of vercel.json `headers` rules, which a `Cdn`
   * with such rules sends with each request they match (a header the function's response sets wins,
   * as on Vercel). `false` leaves that code out of the bundle (about 1 KB minified); the function then
   * answers 500 to any request that carries the rules' headers, rather than serve it without them
   * (they may be security headers). `VercelProject` sets it from its vercel.json.
   *
   * @default true - a `Cdn` in front may have `headers` rules
   */
  readonly routeHeaders?: boolean;

  /**
   * Table backing `getCache()`: its name goes into the environment and the function may read and write it.
   *
   * @default - `getCache()` falls back to an in-memory cache
   */
  readonly cacheTable?: RuntimeCacheTable;

  /**
   * Tag table (cache tag expiry, CDN tag index, pending invalidations): name in the environment, read/write access.
   *
   * @default - not set
   */
  readonly tagTable?: TagTable;
}

/**
 * A Vercel-style function on Lambda: a `NodejsFunction` (Node.js 24, arm64, bundled by the local
 * esbuild — never Docker) whose entry is a generated adapter around the user's module, with
 * `@vercel/functions` (and its subpaths), `@vercel/oidc` and `@vercel/oidc-aws-credentials-provider`
 * aliased to this package's runtime so user code keeps its imports (a project's own real
 * `@vercel/functions` is bundled as is; the OIDC packages stay aliased). The AWS SDK is the one the
 * Lambda runtime provides, as with `NodejsFunction`, unless `bundling.bundleAwsSDK` is true — which
 * a function getting OIDC tokens from STS (`getVercelOidcToken()` on AWS) needs. It gets a Function
 * URL with `InvokeMode.RESPONSE_STREAM` and the auth type its origin protection needs, and the
 * environment `getEnv()` and the runtime read:
 *
 * - `VERCEL=1`, `VERCEL_ENV`, `VERCEL_REGION` (Vercel code of the stack's region, when the stack
 *   names one), `VERCEL_URL`, `VERCEL_PROJECT_PRODUCTION_URL`, `VERCEL_DEPLOYMENT_ID` (when given),
 *   `VERCEL_GIT_*` (from the CI environment at synth: GitHub Actions, GitLab CI, Bitbucket, or
 *   `VERCEL_GIT_*` variables already set);
 * - `VERCEL_FUNCTIONS_AWS_CACHE_TABLE`, `VERCEL_FUNCTIONS_AWS_TAG_TABLE`, `VERCEL_FUNCTIONS_AWS_ROUTE`.
 *
 * @example
 * const fn = new VercelFunction(this, 'Hello', { entry: 'app/api/hello.ts' });
 * new Cdn(this, 'Cdn').addFunction('/api/hello', fn);
 */
export class VercelFunction extends nodejs.NodejsFunction {
  /** The function's URL (the CloudFront origin). */
  readonly functionUrl: lambda.FunctionUrl;

  /** The protection the URL was created for. */
  readonly originProtection: OriginProtection;

  /** The invocation time limit in seconds. */
  readonly maxDuration: number;

  /** The memory size in MB. */
  readonly memory: number;

  constructor(scope: Construct, id: string, props: VercelFunctionProps) {
    const where = `${scope.node.path}/${id}`;
    const settings = resolveSettings(where, props);
    // Before `super`, whose addEnvironment would reject reserved names without naming the prop.
    rejectInvalidEnvironmentNames(where, 'environment', Object.keys(props.environment ?? {}));
    const environment = {
      ...vercelSystemEnvironment(scope, props),
      ...props.environment,
    };
    super(scope, id, {
      ...nodejsFunctionProps(props),
      entry: settings.generatedEntry,
      handler: 'handler',
      projectRoot: settings.projectRoot,
      depsLockFilePath: settings.depsLockFilePath,
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      timeout: Duration.seconds(settings.maxDuration),
      memorySize: settings.memory,
      environment,
      bundling: {
        // The AWS SDK stays external (NodejsFunction's default): the function uses the copy the Lambda
        // runtime provides. Bundled, SDK code the function might reach is parsed at every cold start
        // even though the runtime loads its clients lazily with import(): for examples/api/hello.ts
        // (the Secrets Manager client of the origin secret check) 1.17 MB instead of 54 KB and ~20 ms
        // more module init, nearly all of it V8 compiling the SDK source (bench/: `npm run bench --
        // deployed`). `bundling: { bundleAwsSDK: true }` pins the lock file's SDK instead; a function
        // that gets OIDC tokens from STS needs it, as the runtime's copy may predate
        // GetWebIdentityToken (client-sts 3.1174): VercelProject sets it with `oidcAudiences`.
        ...props.bundling,
        forceDockerBundling: false,
        esbuildArgs: { ...props.bundling?.esbuildArgs, ...settings.aliasArgs },
        define: { ...props.bundling?.define, ...settings.defines },
      },
    });
    this.maxDuration = settings.maxDuration;
    this.memory = settings.memory;
    this.originProtection = props.originProtection ?? OriginProtection.oacWithBodySigning();
    this.functionUrl = this.addFunctionUrl({
      authType: this.originProtection.functionUrlAuthType,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });

    restrictLoggingToOwnLogGroup(this, props.logGroup !== undefined);
    // At synth, so variables added later (addEnvironment, VercelProject, origin protection) count.
    validateEnvironmentSize(this);
    if (props.cacheTable) {
      this.addEnvironment(CACHE_TABLE_ENV, props.cacheTable.tableName);
      props.cacheTable.grantReadWriteData(this);
    }
    if (props.tagTable) {
      this.addEnvironment(TAG_TABLE_ENV, props.tagTable.tableName);
      props.tagTable.grantReadWriteData(this);
    }
    if (props.regions) this.restrictRegions(props.regions);
  }

  private restrictRegions(regions: readonly string[]): void {
    const allowed = regions.map((region) => {
      const aws = awsRegionOf(region);
      if (!aws) {
        throw new ConfigurationError(
          this,
          `regions contains '${region}', which is neither a Vercel region code (e.g. fra1) nor an AWS region (e.g. eu-central-1)`,
        );
      }
      return aws;
    });
    if (allowed.length === 0) {
      throw new ConfigurationError(
        this,
        'regions is empty: list the region the function runs in, or leave regions out',
      );
    }
    const stackRegion = Stack.of(this).region;
    if (Token.isUnresolved(stackRegion)) {
      // Known only at deploy time: let CloudFormation refuse to deploy anywhere else.
      new CfnRule(this, 'RegionRule', {
        assertions: [
          {
            assert: Fn.conditionContains([...new Set(allowed)], Aws.REGION),
            assertDescription: `${this.node.path} may only run in ${regions.join(', ')} (its regions prop)`,
          },
        ],
      });
      return;
    }
    if (!allowed.includes(stackRegion)) {
      throw new ConfigurationError(
        this,
        `regions (${regions.join(', ')}) does not include the stack's region ${stackRegion} (${vercelRegionCode(stackRegion)}): a function runs in its stack's region — deploy one stack per region`,
      );
    }
    if (new Set(allowed).size > 1) {
      Annotations.of(this).addWarningV2(
        'vercel-functions-aws:singleRegion',
        `regions lists ${regions.join(', ')}, but the function runs only in its stack's region ${stackRegion}; deploy one stack per region for the others`,
      );
    }
  }
}

// The props only VercelFunction understands; NodejsFunction gets the rest.
const VERCEL_FUNCTION_PROPS = [
  'entry',
  'projectDir',
  'maxDuration',
  'memory',
  'regions',
  'originProtection',
  'vercelEnv',
  'deploymentUrl',
  'productionUrl',
  'deploymentId',
  'route',
  'routeHeaders',
  'cacheTable',
  'tagTable',
] as const;

function nodejsFunctionProps(props: VercelFunctionProps): Partial<nodejs.NodejsFunctionProps> {
  const rest: Record<string, unknown> = { ...props };
  for (const name of VERCEL_FUNCTION_PROPS) delete rest[name];
  return rest;
}

interface Settings {
  readonly generatedEntry: string;
  readonly projectRoot: string;
  readonly depsLockFilePath: string;
  readonly maxDuration: number;
  readonly memory: number;
  readonly aliasArgs: Record<string, string>;
  readonly defines: Record<string, string>;
}

// Everything that must be known before `super()`: validation, the generated entry, bundling inputs.
function resolveSettings(where: string, props: VercelFunctionProps): Settings {
  const entry = path.resolve(props.entry);
  if (!existsSync(entry) || !statSync(entry).isFile()) {
    throw new ConfigurationError(where, `entry '${props.entry}' is not a file (resolved to ${entry})`);
  }
  if (props.routeHeaders !== undefined && typeof props.routeHeaders !== 'boolean') {
    throw new ConfigurationError(
      where,
      `routeHeaders must be a boolean, got ${JSON.stringify(props.routeHeaders)}`,
    );
  }
  const maxDuration = props.maxDuration ?? 300;
  if (
    !Number.isInteger(maxDuration) ||
    maxDuration < LAMBDA_TIMEOUT_SECONDS.min ||
    maxDuration > LAMBDA_TIMEOUT_SECONDS.max
  ) {
    throw new ConfigurationError(
      where,
      `maxDuration must be a whole number of seconds from ${LAMBDA_TIMEOUT_SECONDS.min} to ${LAMBDA_TIMEOUT_SECONDS.max} (Lambda's limit), got ${maxDuration}`,
    );
  }
  const memory = props.memory ?? 2048;
  if (!Number.isInteger(memory) || memory < LAMBDA_MEMORY_MB.min || memory > LAMBDA_MEMORY_MB.max) {
    throw new ConfigurationError(
      where,
      `memory must be a whole number of MB from ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max} (Lambda's limits), got ${memory}`,
    );
  }
  if (props.runtime && props.runtime.family !== lambda.RuntimeFamily.NODEJS) {
    throw new ConfigurationError(where, `runtime must be a Node.js runtime, got ${props.runtime.name}`);
  }
  const projectDir = path.resolve(props.projectDir ?? projectDirOf(entry));
  const depsLockFilePath = path.resolve(props.depsLockFilePath ?? findLockFile(projectDir) ?? '');
  if (!props.depsLockFilePath && !findLockFile(projectDir)) {
    throw new ConfigurationError(
      where,
      `no lock file (package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock) at or above projectDir ${projectDir}: pass depsLockFilePath`,
    );
  }
  const projectRoot = path.resolve(props.projectRoot ?? path.dirname(depsLockFilePath));
  // An own copy of the real @vercel/functions works through the request-context global the runtime
  // installs; the OIDC packages are aliased either way (projectAliases says why).
  const aliasArgs = projectAliasArgs(projectDir);
  return {
    // The entry is the same for either package: the aliases bring each service with its exports.
    generatedEntry: writeGeneratedEntry(projectRoot, entry),
    projectRoot,
    depsLockFilePath,
    maxDuration,
    memory,
    aliasArgs,
    // The adapter's checks this function cannot need stay out of its bundle (a bundle without one
    // refuses every request if its variable turns up anyway): the origin secret check unless the
    // Function URL is public (only `secretHeader()` sets the secret, and the Cdn refuses a function
    // whose URL auth type differs from its protection's), the route check without a route, the
    // vercel.json headers rules when the props say no Cdn in front has any.
    defines: adapterDefines({
      originSecretCheck:
        (props.originProtection ?? OriginProtection.oacWithBodySigning()).functionUrlAuthType !==
          lambda.FunctionUrlAuthType.AWS_IAM || props.environment?.[ORIGIN_SECRET_ARN_ENV] !== undefined,
      routeCheck: props.route !== undefined || props.environment?.[ROUTE_ENV] !== undefined,
      routeHeaders: props.routeHeaders ?? true,
    }),
  };
}
