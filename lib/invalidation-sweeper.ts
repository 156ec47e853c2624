import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { runtimeModulePath } from './bundling';
import type { Cdn } from './cdn';
import { ConfigurationError } from './errors';
import { TAG_TABLE_ENV } from './private/constructs-contract';
import { restrictLoggingToOwnLogGroup } from './private/function-logging';
import { writeEntrySource } from './private/generated-entry';
import { LAMBDA_TIMEOUT_SECONDS } from './private/lambda-limits';
import { findLockFile } from './private/project-layout';
import type { TagTable } from './tag-table';

/** Properties of an {@link InvalidationSweeper}. */
export interface InvalidationSweeperProps {
  /** The tag table whose `invalidation#pending` rows the sweeper sends. */
  readonly tagTable: TagTable;

  /**
   * The distribution the pending rows invalidate; the sweeper may invalidate this one only. Grant
   * others with `cdn.grantCreateInvalidation(sweeper.function)` when several share the tag table.
   */
  readonly cdn: Cdn;

  /**
   * How often the sweeper runs: whole minutes, at least one (EventBridge's finest rate).
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;

  /**
   * Instruction set of the sweeper function.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Folder with the lock file and the `esbuild` installation used for bundling.
   *
   * @default - the folder of `depsLockFilePath`
   */
  readonly projectRoot?: string;

  /**
   * The lock file.
   *
   * @default - the nearest lock file at or above the working directory
   */
  readonly depsLockFilePath?: string;
}

/** Memory of the sweeper: it only sends a few small API requests per run. */
const MEMORY_MB = 256;

/**
 * Sends the invalidations waiting in the tag table on a schedule: a Lambda function running the
 * runtime's sweeper (`runtime/cdn/sweeper.ts`), invoked by an EventBridge rule every minute.
 *
 * The invalidation manager persists a `CreateInvalidation` batch CloudFront refused for now
 * (`TooManyInvalidationsInProgress`, throttling) and every eviction scheduled at a
 * `revalidationDeadlineSeconds` deadline as a row of the tag table. Function invocations send due
 * rows too, but only while something invokes them; the sweeper makes the rows go out when traffic
 * stops. Rows are claimed before they are sent, so the sweeper and the functions never send one
 * twice, and overlapping runs are harmless.
 *
 * The function gets the tag table's name (`VERCEL_FUNCTIONS_AWS_TAG_TABLE`), read/write access to
 * it, `cloudfront:CreateInvalidation` on `cdn`'s distribution only, and write access to its own
 * log group only. A failed run is not retried: the next one, a minute later, picks the rows up.
 *
 * @example
 * new InvalidationSweeper(this, 'Sweeper', { tagTable, cdn });
 */
export class InvalidationSweeper extends Construct {
  /** The sweeper function (child id `Function`). */
  readonly function: lambda.Function;

  /** The EventBridge rule invoking it. */
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: InvalidationSweeperProps) {
    super(scope, id);
    const interval = props.interval ?? Duration.minutes(1);
    const seconds = interval.toSeconds();
    if (!Number.isInteger(seconds / 60) || seconds < 60) {
      throw new ConfigurationError(
        this,
        `interval must be a whole number of minutes, at least 1 (EventBridge's finest rate), got ${interval.toHumanString()}`,
      );
    }
    const depsLockFilePath = props.depsLockFilePath ?? findLockFile(process.cwd());
    if (!depsLockFilePath) {
      throw new ConfigurationError(
        this,
        `no lock file (package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock) at or above the working directory ${process.cwd()}: pass depsLockFilePath`,
      );
    }
    const projectRoot = path.resolve(props.projectRoot ?? path.dirname(depsLockFilePath));

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: 'vercel-functions-aws: sends the invalidations waiting in the tag table',
      entry: writeEntrySource(
        projectRoot,
        'vercel-functions-aws-invalidation-sweeper',
        `export { handler } from ${JSON.stringify(runtimeModulePath('cdn/sweeper'))};\n`,
      ),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.resolve(depsLockFilePath),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      memorySize: MEMORY_MB,
      // A run ends itself 5 s before the timeout (sweeper.ts); one per interval is the budget.
      timeout: Duration.seconds(Math.min(seconds, LAMBDA_TIMEOUT_SECONDS.max)),
      // The next scheduled run retries; Lambda's own async retries would only run it late.
      retryAttempts: 0,
      environment: { [TAG_TABLE_ENV]: props.tagTable.tableName },
      // Bundled: the SDK the runtime was tested with. VercelFunction leaves it to the Lambda runtime
      // for its cold start (~20 ms more module init bundled); a scheduled function's costs no viewer anything.
      bundling: { bundleAwsSDK: true, forceDockerBundling: false },
    });
    restrictLoggingToOwnLogGroup(this.function);
    props.tagTable.grantReadWriteData(this.function);
    props.cdn.grantCreateInvalidation(this.function);

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'vercel-functions-aws: runs the invalidation sweeper',
      schedule: events.Schedule.rate(interval),
      targets: [
        new targets.LambdaFunction(this.function, {
          // An event older than the interval is superseded by the next one (EventBridge: 1 min–24 h).
          maxEventAge: Duration.seconds(Math.min(seconds, 86_400)),
          retryAttempts: 2,
        }),
      ],
    });
  }
}
