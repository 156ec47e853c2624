import { FeatureFlags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { standalonePolicyGrantee } from './standalone-policy';

/**
 * Replaces the `AWSLambdaBasicExecutionRole` managed policy of a function's generated role with
 * write access to the function's own log group.
 *
 * Why: the managed policy allows `logs:CreateLogGroup`, `logs:CreateLogStream` and
 * `logs:PutLogEvents` on every log group of the account, so a compromised function could write
 * into other functions' logs. Here the log group is a stack resource (retained like CDK's own
 * managed log groups), and the role may only write to it. The grant goes into a standalone policy:
 * the log group is named after the function, so a statement in the role's default policy would
 * make the function depend on itself.
 *
 * With `hasLogGroupProp` (the function got a `logGroup`), that log group is used. Only for roles
 * the function created itself, and functions outside a VPC (those also need the managed VPC
 * access policy).
 */
export function restrictLoggingToOwnLogGroup(
  fn: lambda.Function,
  hasLogGroupProp = false,
): logs.ILogGroup | undefined {
  const role = fn.role;
  if (!(role instanceof iam.Role) || role.node.scope !== fn || fn.isBoundToVpc) return undefined;
  // With @aws-cdk/aws-lambda:useCdkManagedLogGroup on, the function already owns /aws/lambda/<name>.
  const logGroup =
    hasLogGroupProp || FeatureFlags.of(fn).isEnabled(cxapi.USE_CDK_MANAGED_LAMBDA_LOGGROUP)
      ? fn.logGroup
      : new logs.LogGroup(fn, 'Logs', { logGroupName: `/aws/lambda/${fn.functionName}` });
  (role.node.defaultChild as iam.CfnRole).managedPolicyArns = undefined;
  logGroup.grantWrite(standalonePolicyGrantee(role));
  return logGroup;
}
