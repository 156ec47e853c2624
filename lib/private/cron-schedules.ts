import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { cronInvocationEvent } from './cron-event';
import type { VercelJsonCron } from './vercel-json-crons';

/** What {@link createCronSchedules} needs. */
export interface CronSchedulesProps {
  /** The vercel.json crons in file order, each with the function serving its path. */
  readonly crons: readonly { readonly cron: VercelJsonCron; readonly fn: lambda.IFunction }[];
  /** The project's public host, sent as the request's host. May be a token. */
  readonly host: string;
  /**
   * The id of the distribution serving the crons' functions (a token), so their purge calls
   * invalidate it. The schedules then depend on the distribution, which never depends on them.
   */
  readonly distributionId: string;
  /** `CRON_SECRET` of the project's environment, sent as a Bearer token. May be a token. */
  readonly cronSecret?: string;
  /** The origin secret of `OriginProtection.secretHeader()`, sent as CloudFront sends it. */
  readonly originSecret?: secretsmanager.ISecret;
}

/**
 * The vercel.json crons as EventBridge Scheduler schedules (`Cron0`, `Cron1`, … in `scope`), each
 * invoking its function with the Function URL event of Vercel's cron request (cron-event.ts), with
 * the role they share (`CronRole`) and the functions' asynchronous invocation settings.
 *
 * Scheduler invokes Lambda asynchronously (a response-streaming function runs as well; its response
 * is discarded). Vercel does not retry a failed cron invocation
 * (https://vercel.com/docs/cron-jobs/manage-cron-jobs, "Cron job error handling"), so neither
 * Scheduler (RetryPolicy) nor Lambda's asynchronous invocation retries here.
 */
export function createCronSchedules(scope: Construct, props: CronSchedulesProps): void {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'CronRole', {
    description: 'Lets EventBridge Scheduler invoke the functions of the vercel.json crons',
    // Only schedules of this account's default group (the one the schedules below are in) may
    // assume it: the confused-deputy conditions EventBridge Scheduler recommends
    // (https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html),
    // as aws-cdk-lib's aws-scheduler-targets sets them.
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: {
          'aws:SourceAccount': stack.account,
          'aws:SourceArn': stack.formatArn({
            service: 'scheduler',
            resource: 'schedule-group',
            resourceName: 'default',
          }),
        },
      },
    }),
  });
  const invoked = [...new Set(props.crons.map(({ fn }) => fn))];
  // The functions' own ARNs only, not fn.grantInvoke's extra `<arn>:*`: the schedules target the
  // unqualified ARN ($LATEST), so no version or alias needs to be invocable.
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: invoked.map((fn) => fn.functionArn),
    }),
  );
  for (const fn of invoked) {
    // No retries, and no delivery later than a minute (Lambda's least maximum event age): a
    // throttled asynchronous event is otherwise retried for up to 6 hours even without retries,
    // and Vercel never runs a cron hours late. Only asynchronous invocations (the schedules') are
    // affected: Function URL requests are synchronous. A function you bring with its own
    // asynchronous settings keeps them.
    if (!fn.node.tryFindChild('EventInvokeConfig')) {
      fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    }
  }
  // With secretHeader(), the adapter refuses requests without the origin secret, so the input
  // carries it as CloudFront's origin custom header does: a Secrets Manager dynamic reference,
  // which CloudFormation resolves in any resource property
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html).
  // The value is then part of the schedule's target: whoever may call scheduler:GetSchedule can
  // read it, as whoever may read the distribution's configuration can read the header. It is
  // placed in the JSON unescaped: a secret you bring must hold no `"` or `\` (the generated one
  // is alphanumeric).
  const originSecret = props.originSecret?.secretValue.unsafeUnwrap();
  props.crons.forEach(({ cron, fn }, index) => {
    const event = cronInvocationEvent({
      path: cron.path,
      schedule: cron.schedule,
      host: props.host,
      distributionId: props.distributionId,
      cronSecret: props.cronSecret,
      originSecret,
    });
    new scheduler.CfnSchedule(scope, `Cron${index}`, {
      description: `vercel.json crons[${index}]: GET on the schedule ${cron.schedule} (UTC)`,
      scheduleExpression: cron.expression,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: fn.functionArn,
        roleArn: role.roleArn,
        input: stack.toJsonString(event),
        retryPolicy: { maximumRetryAttempts: 0 },
      },
    });
  });
}
